/**
 * cbor-x, the CBOR library Node-side Axon tools use (`axon decode uplink`,
 * the network-server simulator, `npm start`'s cloud): plain CBOR, maps as
 * objects, no cbor-x record extension, 64-bit integers as numbers. The core
 * keeps its own codec (drivers/batch/cbor-codec.ts), which is what runs on
 * XS; property tests hold the two to the same answers. Node-only.
 */
import { Decoder } from 'cbor-x';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import { decodeUplink, type DecodedUplink } from '../decode-uplink.js';

// int64AsNumber is a cbor-x option its typings do not list.
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]);

/** One CBOR data item; throws on trailing bytes or a truncated item. */
export function cborxDecode(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

/** The sdk decoder with cbor-x parsing the CBOR form. */
export function decodeUplinkOnNode(bytes: Uint8Array, channels: ChannelTable): DecodedUplink {
  return decodeUplink(bytes, channels, { cbor: cborxDecode });
}
