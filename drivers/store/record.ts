/**
 * One log record on the media:
 *
 *   offset 0  u16  payload length L (big-endian)
 *          2  u8   type: 1 alert, 2 reading
 *          3  u48  sequence number
 *          9  L    payload
 *        9+L  u32  CRC-32 of bytes 0 .. 9+L
 *
 * The length comes first so a reader can step record to record; the CRC
 * comes last so a record torn anywhere (even inside the length) fails it.
 */
import { crc32 } from './crc32.js';
import { MAX_U48, readU16, readU32, readU48, writeU16, writeU32, writeU48 } from './codec.js';

export type RecordKind = 'alert' | 'reading';

export const RECORD_HEADER_BYTES = 9;
export const RECORD_OVERHEAD_BYTES = RECORD_HEADER_BYTES + 4;
/** The u16 length field's limit. */
export const MAX_RECORD_PAYLOAD = 0xffff;

const TYPE_CODE: Record<RecordKind, number> = { alert: 1, reading: 2 };

export function kindOfType(type: number): RecordKind | undefined {
  return type === 1 ? 'alert' : type === 2 ? 'reading' : undefined;
}

export function encodeRecord(kind: RecordKind, seq: number, payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_RECORD_PAYLOAD) throw new RangeError(`record payload of ${payload.length} bytes exceeds ${MAX_RECORD_PAYLOAD}`);
  if (!Number.isInteger(seq) || seq < 1 || seq > MAX_U48) throw new RangeError(`sequence number ${seq} is outside 1..2^48-1`);
  const out = new Uint8Array(RECORD_OVERHEAD_BYTES + payload.length);
  writeU16(out, 0, payload.length);
  out[2] = TYPE_CODE[kind];
  writeU48(out, 3, seq);
  out.set(payload, RECORD_HEADER_BYTES);
  const end = RECORD_HEADER_BYTES + payload.length;
  writeU32(out, end, crc32(out, 0, end));
  return out;
}

export interface RecordHeader {
  /** Total bytes of the record on the media (header + payload + CRC). */
  size: number;
  kind: RecordKind | undefined;
  seq: number;
}

/** Decode the fixed header at `at` (the caller makes sure 9 bytes are there). */
export function readHeader(bytes: Uint8Array, at: number): RecordHeader {
  return {
    size: RECORD_OVERHEAD_BYTES + readU16(bytes, at),
    kind: kindOfType(bytes[at + 2]),
    seq: readU48(bytes, at + 3),
  };
}

/** True when the record of `size` bytes at `at` carries a matching CRC. */
export function crcMatches(bytes: Uint8Array, at: number, size: number): boolean {
  const end = at + size - 4;
  return crc32(bytes, at, end) === readU32(bytes, end);
}
