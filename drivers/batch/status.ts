/**
 * Status message (type 3): the gateway's own health, so the platform learns
 * about readings the store-and-forward engine had to drop. Fixed 11 bytes, so
 * it goes out at any data rate:
 *
 *   byte 0      0x13
 *   bytes 1–4   time, unix seconds, big-endian
 *   bytes 5–7   dropped: readings dropped since boot (uint24, saturates at 16 777 215)
 *   bytes 8–10  queued: readings waiting to be sent (uint24, saturates)
 *
 * `dropped` is cumulative rather than "since the last report" so a lost status
 * frame loses no information: the platform differences consecutive reports.
 */
import { BatchError } from './errors.js';
import { expectLength, readUint, unixSeconds, writeUint } from './fixed-bytes.js';
import { headerByte } from './format.js';

export interface StatusReport {
  /** Unix ms (encoded in whole seconds). */
  t: number;
  /** Readings dropped since the gateway started. */
  dropped: number;
  /** Readings queued for uplink. Default 0. */
  queued?: number;
}

export const STATUS_COUNTER_MAX = 2 ** 24 - 1;

export function encodeStatus(status: StatusReport): Uint8Array {
  const out = new Uint8Array(11);
  out[0] = headerByte('status');
  writeUint(out, 1, unixSeconds(status.t, 'status'), 4);
  writeUint(out, 5, counter(status.dropped, 'dropped'), 3);
  writeUint(out, 8, counter(status.queued ?? 0, 'queued'), 3);
  return out;
}

function counter(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new BatchError('BATCH_VALUE', `status ${name} count ${value} is not a non-negative integer`);
  return Math.min(value, STATUS_COUNTER_MAX);
}

export function decodeStatus(bytes: Uint8Array): Required<StatusReport> {
  expectLength(bytes, [11], 'status');
  return { t: readUint(bytes, 1, 4) * 1000, dropped: readUint(bytes, 5, 3), queued: readUint(bytes, 8, 3) };
}
