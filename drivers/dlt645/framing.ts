/**
 * Receive-side framing shared by the two "68 … CS 16" meter families
 * (DL/T 645 and CJ/T 188). Meters on a shared RS-485 pair wake up with FE
 * preambles, echo, and pick up noise; the accumulator skips anything that is
 * not a well-formed frame and resynchronises on the next 0x68.
 *
 * Every loop here consumes at least one byte per turn or stops, so hostile
 * input cannot make it spin.
 */

export const FRAME_START = 0x68;
export const FRAME_END = 0x16;
export const PREAMBLE = 0xfe;

/** Where the length byte sits and how to tell a real header from a stray 0x68. */
export interface FrameShape {
  /** Bytes from the first 0x68 through the length byte L. */
  headerLength: number;
  /** Offset of L from the first 0x68. */
  lengthOffset: number;
  /** False only when the bytes present prove this 0x68 does not start a header. */
  plausibleHeader(buffer: Uint8Array, start: number, available: number): boolean;
}

/** Total frame length for a data length L: header + data + CS + 16. */
export function frameLength(shape: FrameShape, dataLength: number): number {
  return shape.headerLength + dataLength + 2;
}

/** Byte sum mod 256 over [start, end). */
export function sumMod256(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum = (sum + bytes[i]) & 0xff;
  return sum;
}

export type CorruptionReason = 'checksum' | 'end-byte';

export type ScanResult =
  | { kind: 'frame'; start: number; end: number }
  | { kind: 'corrupt'; start: number; end: number; reason: CorruptionReason }
  | { kind: 'partial'; start: number }
  | { kind: 'none' };

/**
 * Find the first frame-shaped run in buffer[from, to). A complete valid frame
 * wins over an earlier candidate that is still incomplete: a stray 0x68 with a
 * large "length" must not hold back a good frame that follows it.
 */
export function scanFrame(shape: FrameShape, buffer: Uint8Array, from: number, to: number): ScanResult {
  let firstPartial = -1;
  let firstCorrupt: { kind: 'corrupt'; start: number; end: number; reason: CorruptionReason } | undefined;
  for (let i = from; i < to; i++) {
    if (buffer[i] !== FRAME_START) continue;
    const available = to - i;
    if (!shape.plausibleHeader(buffer, i, available)) continue;
    if (available < shape.headerLength) {
      if (firstPartial < 0) firstPartial = i;
      continue;
    }
    const total = frameLength(shape, buffer[i + shape.lengthOffset]);
    if (available < total) {
      if (firstPartial < 0) firstPartial = i;
      continue;
    }
    const end = i + total;
    if (buffer[end - 1] !== FRAME_END) {
      firstCorrupt ??= { kind: 'corrupt', start: i, end, reason: 'end-byte' };
      continue;
    }
    if (sumMod256(buffer, i, end - 2) !== buffer[end - 2]) {
      firstCorrupt ??= { kind: 'corrupt', start: i, end, reason: 'checksum' };
      continue;
    }
    // Report an earlier corrupt candidate first so the caller can count it; it resumes right after it.
    if (firstCorrupt !== undefined && firstCorrupt.start < i) return firstCorrupt;
    return { kind: 'frame', start: i, end };
  }
  if (firstPartial >= 0 && (firstCorrupt === undefined || firstPartial < firstCorrupt.start)) return { kind: 'partial', start: firstPartial };
  if (firstCorrupt !== undefined) return firstCorrupt;
  return { kind: 'none' };
}

export type FramerEvent =
  | { kind: 'frame'; bytes: Uint8Array }
  | { kind: 'corrupt'; bytes: Uint8Array; reason: CorruptionReason };

/** Collects received chunks and hands out whole frames; everything else is counted and dropped. */
export class FrameAccumulator {
  readonly #shape: FrameShape;
  readonly #capacity: number;
  #buffer: Uint8Array;
  #length = 0;
  /** Bytes dropped as noise, preamble or corrupt frames since construction. */
  discardedBytes = 0;

  constructor(shape: FrameShape, capacity = 1024) {
    this.#shape = shape;
    this.#capacity = Math.max(capacity, frameLength(shape, 255));
    this.#buffer = new Uint8Array(this.#capacity);
  }

  get buffered(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    let bytes = chunk;
    if (bytes.length > this.#capacity) {
      this.discardedBytes += bytes.length - this.#capacity;
      bytes = bytes.subarray(bytes.length - this.#capacity);
    }
    const overflow = this.#length + bytes.length - this.#capacity;
    if (overflow > 0) this.#drop(overflow);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** The next whole frame or corrupt candidate, or undefined when more bytes are needed. */
  next(): FramerEvent | undefined {
    const found = scanFrame(this.#shape, this.#buffer, 0, this.#length);
    switch (found.kind) {
      case 'none':
        // Keep nothing: no 0x68 that could still grow into a frame.
        this.#drop(this.#length);
        return undefined;
      case 'partial':
        this.#drop(found.start);
        return undefined;
      case 'corrupt': {
        const bytes = this.#buffer.slice(found.start, found.end);
        // Resume one byte after the bad start: a real frame may begin inside it.
        this.#drop(found.start + 1);
        return { kind: 'corrupt', bytes, reason: found.reason };
      }
      case 'frame': {
        const bytes = this.#buffer.slice(found.start, found.end);
        this.#drop(found.start);
        this.#length -= bytes.length;
        this.#buffer.copyWithin(0, bytes.length, bytes.length + this.#length);
        return { kind: 'frame', bytes };
      }
    }
  }

  /**
   * Everything still derivable from the buffer when no more bytes will come
   * (the response timeout expired): incomplete candidates are skipped so a
   * corrupt frame behind a stray 0x68 is still reported.
   */
  finish(): FramerEvent[] {
    const events: FramerEvent[] = [];
    while (this.#length > 0) {
      const event = this.next();
      if (event !== undefined) events.push(event);
      else this.#drop(1); // no-op when next() already emptied the buffer
    }
    return events;
  }

  clear(): void {
    this.discardedBytes += this.#length;
    this.#length = 0;
  }

  #drop(requested: number): void {
    const count = Math.min(requested, this.#length);
    if (count <= 0) return;
    this.discardedBytes += count;
    this.#buffer.copyWithin(0, count, this.#length);
    this.#length -= count;
  }
}
