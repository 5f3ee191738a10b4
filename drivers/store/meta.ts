/**
 * The store's small durable state, kept as one key-value entry so it changes
 * atomically (Preference/NVS on ESP32; write-temp-and-rename on Node). It
 * holds what the segments alone cannot tell after old segments are deleted:
 * the acknowledgement pointers, the drop counter and the high-water marks of
 * sequence and segment numbers.
 */
import { crc32 } from './crc32.js';
import { readU32, readU48, writeU32, writeU48 } from './codec.js';

export interface StoreMeta {
  /** Every alert with seq <= this has been acknowledged. */
  alertAckedThrough: number;
  /** Every reading with seq <= this has been acknowledged. */
  readingAckedThrough: number;
  /** Readings dropped at capacity since the store was created (monotonic). */
  droppedReadings: number;
  /** Reading segments numbered <= this are dropped: recovery finishes an interrupted drop by deleting them. */
  droppedThroughSegment: number;
  /** No sequence number below this is ever assigned again. */
  seqFloor: number;
  /** No segment number below this is ever used again. */
  segmentFloor: number;
}

const VERSION = 1;
const META_BYTES = 1 + 6 * 4 + 4 * 2 + 4;

export function initialMeta(): StoreMeta {
  return { alertAckedThrough: 0, readingAckedThrough: 0, droppedReadings: 0, droppedThroughSegment: 0, seqFloor: 1, segmentFloor: 1 };
}

export function encodeMeta(meta: StoreMeta): Uint8Array {
  const out = new Uint8Array(META_BYTES);
  out[0] = VERSION;
  writeU48(out, 1, meta.alertAckedThrough);
  writeU48(out, 7, meta.readingAckedThrough);
  writeU48(out, 13, meta.droppedReadings);
  writeU48(out, 19, meta.seqFloor);
  writeU32(out, 25, meta.droppedThroughSegment);
  writeU32(out, 29, meta.segmentFloor);
  writeU32(out, 33, crc32(out, 0, 33));
  return out;
}

/** Undefined when the bytes are not a meta entry this version wrote. */
export function decodeMeta(bytes: Uint8Array): StoreMeta | undefined {
  if (bytes.length !== META_BYTES || bytes[0] !== VERSION || crc32(bytes, 0, 33) !== readU32(bytes, 33)) return undefined;
  return {
    alertAckedThrough: readU48(bytes, 1),
    readingAckedThrough: readU48(bytes, 7),
    droppedReadings: readU48(bytes, 13),
    seqFloor: readU48(bytes, 19),
    droppedThroughSegment: readU32(bytes, 25),
    segmentFloor: readU32(bytes, 29),
  };
}
