/**
 * Platform-side decoding of Axon uplinks (binary, or CBOR from IP uplinks):
 * readings with absolute times and their channel's device, point and unit.
 * Lenient where it can be: readings of channels this table does not know are
 * skipped with a warning (the gateway's table is newer), the rest decode.
 * Runtime-neutral.
 */
import type { DecodedAlert } from '../../drivers/batch/alert.js';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import { decodeCborMessage } from '../../drivers/batch/cbor.js';
import { decodeMessage, type DecodedMessage } from '../../drivers/batch/decode.js';
import { SEQUENCED_OVERHEAD_BYTES } from '../../drivers/batch/sequenced.js';
import { checkAlertFitsTable } from './table-fit.js';

export type { DecodedReading } from '../../drivers/batch/decode.js';

export type DecodedUplink = DecodedMessage & { warnings: string[] };

/** The alerts a message carries: one for an alert, every one for an alert group (batch-format.md §6.1), none otherwise. */
export function alertsIn(message: DecodedMessage): DecodedAlert[] {
  return message.type === 'alert' ? [message.alert] : message.type === 'alerts' ? message.alerts : [];
}

/**
 * Binary frames start with the version-1 header nibble 0x1_; CBOR maps start
 * 0xa0–0xbf. `cbor` parses the CBOR form instead of the core's own codec
 * (Node tools pass cbor-x: hosts/cbor-x.ts).
 */
export function decodeUplink(bytes: Uint8Array, channels: ChannelTable, decoders: { cbor?: (bytes: Uint8Array) => unknown } = {}): DecodedUplink {
  const warnings: string[] = [];
  const options = { warn: (message: string) => warnings.push(message), ...(decoders.cbor === undefined ? {} : { cbor: decoders.cbor }) };
  const isCbor = bytes.length > 0 && (bytes[0] & 0xe0) === 0xa0;
  const message = isCbor ? decodeCborMessage(bytes, channels, options) : decodeMessage(bytes, channels, options);
  if (message.type === 'batch') message.readings.sort((a, b) => a.t - b.t || a.channel - b.channel);
  // A sequenced alert (docs/app-ack.md) carries the alert's own bytes after its 3-byte wrapper.
  if (message.type === 'alert' && !isCbor) checkAlertFitsTable(message.alert, message.seq === undefined ? bytes : bytes.subarray(SEQUENCED_OVERHEAD_BYTES), channels);
  return { ...message, warnings };
}
