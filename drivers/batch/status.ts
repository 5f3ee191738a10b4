/**
 * Status message (type 3): the gateway's own health, so the platform learns
 * about readings the store-and-forward engine had to drop, and about downlinks
 * it refused. 11 bytes, so it goes out at any data rate:
 *
 *   byte 0      0x13
 *   bytes 1–4   time, unix seconds, big-endian
 *   bytes 5–7   dropped: readings dropped since boot (uint24, saturates at 16 777 215)
 *   bytes 8–10  queued: readings waiting to be sent (uint24, saturates)
 *
 * 17 bytes when it answers a refused downlink (a decoder that reads the first
 * 11 bytes reads the same counters):
 *
 *   bytes 11–12 refused: downlinks refused since boot (uint16, saturates at 65 535)
 *   byte 13     the last refused downlink's type (its first byte)
 *   byte 14     why: 1 malformed, 2 unknown channel or rule, 3 value out of bounds
 *   bytes 15–16 the channel or rule index it named; 0xffff when none
 *
 * `dropped` and `refused` are cumulative rather than "since the last report"
 * so a lost status frame loses no information: the platform differences
 * consecutive reports.
 */
import { BatchError } from './errors.js';
import { expectLength, readUint, unixSeconds, writeUint } from './fixed-bytes.js';
import { headerByte } from './format.js';

/** Why a downlink was refused, in the order of its wire code (1, 2, 3). */
export const REFUSAL_REASONS = ['malformed', 'unknown-target', 'out-of-bounds'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What a status says about refused downlinks. */
export interface StatusRefusal {
  /** Downlinks refused since the gateway started. */
  count: number;
  /** The last refused downlink's type byte. */
  downlink: number;
  reason: RefusalReason;
  /** The channel or rule index the last refused downlink named. */
  index?: number;
}

export interface StatusReport {
  /** Unix ms (encoded in whole seconds). */
  t: number;
  /** Readings dropped since the gateway started. */
  dropped: number;
  /** Readings queued for uplink. Default 0. */
  queued?: number;
  /** Present when the status answers a refused downlink (the 17-byte form). */
  refused?: StatusRefusal;
}

export type DecodedStatus = Required<Omit<StatusReport, 'refused'>> & Pick<StatusReport, 'refused'>;

export const STATUS_COUNTER_MAX = 2 ** 24 - 1;
export const STATUS_BYTES = 11;
export const STATUS_WITH_REFUSAL_BYTES = 17;
const REFUSED_MAX = 0xffff;
const NO_INDEX = 0xffff;

export function encodeStatus(status: StatusReport): Uint8Array {
  const refusal = status.refused;
  const out = new Uint8Array(refusal === undefined ? STATUS_BYTES : STATUS_WITH_REFUSAL_BYTES);
  out[0] = headerByte('status');
  writeUint(out, 1, unixSeconds(status.t, 'status'), 4);
  writeUint(out, 5, counter(status.dropped, 'dropped', STATUS_COUNTER_MAX), 3);
  writeUint(out, 8, counter(status.queued ?? 0, 'queued', STATUS_COUNTER_MAX), 3);
  if (refusal !== undefined) {
    writeUint(out, 11, counter(refusal.count, 'refused', REFUSED_MAX), 2);
    out[13] = byte(refusal.downlink, 'refused downlink type');
    out[14] = REFUSAL_REASONS.indexOf(refusal.reason) + 1;
    if (out[14] === 0) throw new BatchError('BATCH_VALUE', `status refusal reason '${String(refusal.reason)}' is not one of ${REFUSAL_REASONS.join(', ')}`);
    const index = refusal.index;
    if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= NO_INDEX)) throw new BatchError('BATCH_VALUE', `status refusal index ${index} is not 0–65534`);
    writeUint(out, 15, index ?? NO_INDEX, 2);
  }
  return out;
}

function counter(value: number, name: string, max: number): number {
  if (!Number.isInteger(value) || value < 0) throw new BatchError('BATCH_VALUE', `status ${name} count ${value} is not a non-negative integer`);
  return Math.min(value, max);
}

function byte(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new BatchError('BATCH_VALUE', `status ${name} ${value} is not a byte`);
  return value;
}

export function decodeStatus(bytes: Uint8Array): DecodedStatus {
  expectLength(bytes, [STATUS_BYTES, STATUS_WITH_REFUSAL_BYTES], 'status');
  const status: DecodedStatus = { t: readUint(bytes, 1, 4) * 1000, dropped: readUint(bytes, 5, 3), queued: readUint(bytes, 8, 3) };
  if (bytes.length === STATUS_WITH_REFUSAL_BYTES) {
    const reason = REFUSAL_REASONS[bytes[14] - 1];
    if (reason === undefined) throw new BatchError('BATCH_VALUE', `status refusal reason ${bytes[14]} is not 1, 2 or 3`, { where: 'byte 14', fix: 'a newer gateway may use more reasons: update the decoder' });
    const index = readUint(bytes, 15, 2);
    status.refused = index === NO_INDEX ? { count: readUint(bytes, 11, 2), downlink: bytes[13], reason } : { count: readUint(bytes, 11, 2), downlink: bytes[13], reason, index };
  }
  return status;
}
