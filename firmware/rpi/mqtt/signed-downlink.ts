/**
 * Signed MQTT downlinks (docs/mqtt.md, "Signed downlinks"). Broker ACLs decide
 * who may publish to a gateway's down topics; a signature lets the gateway
 * itself tell the platform's downlinks from anyone else's, and a counter stops
 * a recorded downlink from being played again (acknowledging tomorrow's alarm
 * with yesterday's message).
 *
 * Envelope, the whole MQTT payload on <prefix>/<gateway>/down/<port>:
 *
 *   0xD1 | counter (uint32, big endian) | downlink bytes | tag (16 bytes)
 *
 * tag = the first 16 bytes of HMAC-SHA256(key, gateway id (ASCII) | 0x00 | port | envelope without the tag).
 * The gateway id and port are signed so that a downlink for one gateway or
 * port cannot be replayed to another that shares the key. A downlink is
 * accepted only when its counter is above the last accepted one, which is
 * stored (durably, before the downlink is obeyed) in the gateway's key-value
 * store, so a restart does not reopen replay.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { asciiBytes, concatBytes, fromHex } from '../../../drivers/bytes.js';
import { AxonError } from '../../../drivers/errors.js';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';

export const SIGNED_DOWNLINK_MARKER = 0xd1;
export const SIGNED_DOWNLINK_TAG_BYTES = 16;
/** Marker and counter. */
const HEADER_BYTES = 5;
export const DOWNLINK_COUNTER_MAX = 0xffff_ffff;
/** Key of the last accepted counter in the gateway's key-value store (`<data>/kv/`). */
export const DOWNLINK_COUNTER_KEY = 'mqtt-downlink-counter';
export const DOWNLINK_KEY_MIN_BYTES = 16;

export interface DownlinkAddress {
  gatewayId: string;
  port: number;
}

/** What the tag covers: gateway id, a zero byte, the port, then the envelope up to the tag. */
export function downlinkMacInput(address: DownlinkAddress, envelopeWithoutTag: Uint8Array): Uint8Array {
  return concatBytes(asciiBytes(address.gatewayId), Uint8Array.of(0, address.port), envelopeWithoutTag);
}

function tagOf(key: Uint8Array, address: DownlinkAddress, envelopeWithoutTag: Uint8Array): Uint8Array {
  const mac = createHmac('sha256', key).update(downlinkMacInput(address, envelopeWithoutTag)).digest();
  return new Uint8Array(mac.subarray(0, SIGNED_DOWNLINK_TAG_BYTES));
}

/** The platform side (`axon mqtt sign-downlink`, tests): the envelope carrying `payload`. */
export function signDownlink(options: DownlinkAddress & { key: Uint8Array; counter: number; payload: Uint8Array }): Uint8Array {
  const { counter } = options;
  if (!Number.isInteger(counter) || counter < 1 || counter > DOWNLINK_COUNTER_MAX) throw new RangeError(`counter ${counter} is not an integer from 1 to ${DOWNLINK_COUNTER_MAX}`);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 255) throw new RangeError(`port ${options.port} is not 0-255`);
  const head = new Uint8Array(HEADER_BYTES + options.payload.length);
  head[0] = SIGNED_DOWNLINK_MARKER;
  new DataView(head.buffer).setUint32(1, counter);
  head.set(options.payload, HEADER_BYTES);
  return concatBytes(head, tagOf(options.key, options, head));
}

/** A per-gateway key file: the key as hex (e.g. `openssl rand -hex 32`), surrounding whitespace ignored. */
export function readDownlinkKey(file: string): Uint8Array {
  const read = parseDownlinkKeyFile(file);
  if ('key' in read) return read.key;
  throw new AxonError('MQTT_DOWNLINK_KEY', read.problem, { where: file, fix: read.fix });
}

/** What is wrong with a key file, for `gateway check` and `gateway run` alike. Never shows the file's content. */
export function parseDownlinkKeyFile(file: string): { key: Uint8Array } | { problem: string; fix: string } {
  const fix = `write a key of ${DOWNLINK_KEY_MIN_BYTES} to 64 bytes as hex, e.g. \`openssl rand -hex 32 > ${file}\`, readable by the gateway user only`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    return { problem: `cannot read the downlink key file: ${(error as Error).message}`, fix: 'check the path (mqtt.downlinkKeyFile) and that the gateway user may read it' };
  }
  if (!/^[0-9a-fA-F]+$/.test(text) || text.length % 2 !== 0) return { problem: `the downlink key file does not hold a hex key (${text.length} characters, not all hex digits or an odd count)`, fix };
  const key = fromHex(text);
  if (key.length < DOWNLINK_KEY_MIN_BYTES || key.length > 64) return { problem: `the downlink key is ${key.length} bytes; it must be ${DOWNLINK_KEY_MIN_BYTES} to 64`, fix };
  return { key };
}

export type DownlinkRefusal = 'unsigned' | 'bad-tag' | 'replayed' | 'not-stored';

export interface DownlinkVerifierOptions {
  key: Uint8Array;
  gatewayId: string;
  /** Holds the last accepted counter across restarts (the gateway's meta store). */
  store: KeyValueStore;
  /** One line per refused downlink. */
  log: (line: string) => void;
}

/** The gateway side: opens envelopes, refuses and counts what is unsigned, badly signed or replayed. */
export class DownlinkVerifier {
  readonly refused: Record<DownlinkRefusal, number> = { unsigned: 0, 'bad-tag': 0, replayed: 0, 'not-stored': 0 };
  accepted = 0;
  #lastCounter: number;
  readonly #o: DownlinkVerifierOptions;

  constructor(options: DownlinkVerifierOptions) {
    this.#o = options;
    const stored = options.store.get(DOWNLINK_COUNTER_KEY);
    if (stored !== undefined && stored.length !== 4) {
      // Starting from 0 would accept every downlink ever recorded again: refuse to guess.
      throw new AxonError('MQTT_DOWNLINK_COUNTER', `the stored downlink counter is ${stored.length} bytes, not 4`, {
        where: `key-value store key ${DOWNLINK_COUNTER_KEY}`,
        fix: 'give the gateway a new downlink key, then delete that key file of the data directory so counting starts again',
      });
    }
    this.#lastCounter = stored === undefined ? 0 : new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0);
  }

  /** The last counter accepted (0: none yet). */
  get lastCounter(): number {
    return this.#lastCounter;
  }

  get refusedTotal(): number {
    return Object.values(this.refused).reduce((a, b) => a + b, 0);
  }

  /** The downlink inside `envelope`, or undefined when it is refused (logged and counted). */
  open(topic: string, port: number, envelope: Uint8Array): Uint8Array | undefined {
    const address = { gatewayId: this.#o.gatewayId, port };
    if (envelope.length < HEADER_BYTES + SIGNED_DOWNLINK_TAG_BYTES || envelope[0] !== SIGNED_DOWNLINK_MARKER) {
      return this.#refuse('unsigned', topic, `unsigned (${envelope.length} bytes, no signed envelope); this gateway has mqtt.downlinkKeyFile set and obeys signed downlinks only`, 'sign it with `axon mqtt sign-downlink` (docs/mqtt.md, "Signed downlinks")');
    }
    const tagAt = envelope.length - SIGNED_DOWNLINK_TAG_BYTES;
    const body = envelope.subarray(0, tagAt);
    if (!timingSafeEqual(tagOf(this.#o.key, address, body), envelope.subarray(tagAt))) {
      return this.#refuse('bad-tag', topic, 'its signature does not match (another key, another gateway or port, or altered bytes)', "sign with this gateway's key, its gateway id and the port of the topic");
    }
    const counter = new DataView(envelope.buffer, envelope.byteOffset + 1, 4).getUint32(0);
    if (counter <= this.#lastCounter) {
      return this.#refuse('replayed', topic, `replayed: counter ${counter} is not above the last accepted ${this.#lastCounter}`, `sign new downlinks with a counter above ${this.#lastCounter}`);
    }
    const record = new Uint8Array(4);
    new DataView(record.buffer).setUint32(0, counter);
    try {
      // Durable before obeyed: a power cut after the downlink took effect cannot let it be played again.
      this.#o.store.set(DOWNLINK_COUNTER_KEY, record);
    } catch (error) {
      return this.#refuse('not-stored', topic, `its counter could not be stored (${(error as Error).message})`, 'check the data directory has room and is writable; send the downlink again');
    }
    this.#lastCounter = counter;
    this.accepted++;
    return envelope.slice(HEADER_BYTES, tagAt);
  }

  #refuse(reason: DownlinkRefusal, topic: string, why: string, fix: string): undefined {
    this.refused[reason]++;
    this.#o.log(`downlink refused on ${topic}: ${why}. Fix: ${fix} (${this.refusedTotal} refused so far)`);
    return undefined;
  }
}
