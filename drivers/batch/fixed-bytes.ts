/** Big-endian fixed-width fields of the alert and status messages. */
import { BatchError } from './errors.js';

export function writeUint(out: Uint8Array, offset: number, value: number, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) {
    out[offset + i] = value % 256;
    value = Math.floor(value / 256);
  }
}

export function readUint(bytes: Uint8Array, offset: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) value = value * 256 + bytes[offset + i];
  return value;
}

/** Unix seconds of a millisecond time, checked to fit the 32-bit field. */
export function unixSeconds(tMs: number, what: string): number {
  const s = Math.floor(tMs / 1000);
  if (!Number.isFinite(s) || s < 0 || s >= 2 ** 32) {
    throw new BatchError('BATCH_TIME', `${what} time ${tMs} ms is outside 1970…2106`, { fix: 'times come from the clock port in unix milliseconds' });
  }
  return s;
}

export function expectLength(bytes: Uint8Array, lengths: readonly number[], what: string): void {
  if (!lengths.includes(bytes.length)) {
    throw new BatchError('BATCH_LENGTH', `${what} message of ${bytes.length} bytes; expected ${lengths.join(' or ')}`, {
      fix: 'the payload was truncated or is not an Axon message',
    });
  }
}
