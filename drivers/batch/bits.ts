/**
 * Bit-level primitives of the batch format (docs/batch-format.md §3). Values
 * reach 2^50, beyond the 32 bits JavaScript's bitwise operators handle, so
 * wide fields are split into chunks of at most 24 bits with plain arithmetic.
 */
import { malformed } from './errors.js';

/** Longest field the format ever writes (zigzag of a 2^48 delta plus headroom). */
export const MAX_FIELD_BITS = 50;
/** Exp-Golomb codes longer than this are rejected while decoding (no value we write needs more). */
const MAX_EG0_ZEROS = 30;

/** Where bits go (the writer below; an interface so a test or a tool can record fields instead). */
export interface BitSink {
  write(value: number, bits: number): void;
}

export class BitWriter implements BitSink {
  readonly #bytes: number[] = [];
  #acc = 0;
  #accBits = 0;

  /** Appends `bits` bits of the non-negative integer `value`, most significant first. */
  write(value: number, bits: number): void {
    let remaining = bits;
    while (remaining > 0) {
      const chunk = remaining > 24 ? 24 : remaining;
      remaining -= chunk;
      const scale = 2 ** remaining;
      const high = Math.floor(value / scale);
      value -= high * scale;
      this.#acc = (this.#acc << chunk) | high;
      this.#accBits += chunk;
      while (this.#accBits >= 8) {
        this.#accBits -= 8;
        this.#bytes.push((this.#acc >>> this.#accBits) & 0xff);
      }
      this.#acc &= (1 << this.#accBits) - 1;
    }
  }

  get bitLength(): number {
    return this.#bytes.length * 8 + this.#accBits;
  }

  /** The bytes so far, the last one padded with zero bits. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#bytes.length + (this.#accBits > 0 ? 1 : 0));
    out.set(this.#bytes);
    if (this.#accBits > 0) out[this.#bytes.length] = (this.#acc << (8 - this.#accBits)) & 0xff;
    return out;
  }
}

export class BitReader {
  readonly #bytes: Uint8Array;
  #pos: number;

  constructor(bytes: Uint8Array, startByte = 0) {
    this.#bytes = bytes;
    this.#pos = startByte * 8;
  }

  get position(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#bytes.length * 8 - this.#pos;
  }

  read(bits: number): number {
    if (bits > this.remaining) throw malformed(`frame ends inside a ${bits}-bit field (${this.remaining} bits left)`, this.#pos);
    let value = 0;
    for (let i = 0; i < bits; i++) {
      const p = this.#pos++;
      value = value * 2 + ((this.#bytes[p >> 3] >> (7 - (p & 7))) & 1);
    }
    return value;
  }
}

/** Number of significant bits of a non-negative integer (0 for 0). */
export function bitLength(value: number): number {
  let n = 0;
  while (value >= 4294967296) {
    value = Math.floor(value / 4294967296);
    n += 32;
  }
  return n + (value === 0 ? 0 : 32 - Math.clz32(value));
}

/** Zigzag maps signed to unsigned so small magnitudes of either sign stay short: 0,-1,1,-2 → 0,1,2,3. */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** Exp-Golomb order 0 for small counts and gaps: 0 → "1", 1 → "010", 2 → "011", 3 → "00100"… */
export function writeEg0(sink: BitSink, value: number): void {
  const n = bitLength(value + 1);
  sink.write(0, n - 1);
  sink.write(value + 1, n);
}

export function readEg0(reader: BitReader): number {
  const start = reader.position;
  let zeros = 0;
  while (reader.read(1) === 0) {
    if (++zeros > MAX_EG0_ZEROS) throw malformed(`count field longer than ${MAX_EG0_ZEROS} bits`, start);
  }
  return (2 ** zeros + reader.read(zeros)) - 1;
}

/** A signed integer as its zigzag's bit length n (EG0) followed by the zigzag in n bits ("SN" in the spec). */
export function writeSigned(sink: BitSink, value: number): void {
  const z = zigzag(value);
  const n = bitLength(z);
  writeEg0(sink, n);
  sink.write(z, n);
}

export function readSigned(reader: BitReader): number {
  const start = reader.position;
  const n = readEg0(reader);
  if (n > MAX_FIELD_BITS) throw malformed(`number field of ${n} bits (at most ${MAX_FIELD_BITS})`, start);
  return unzigzag(reader.read(n));
}

/**
 * Frame-of-reference series: the minimum (signed), then — for two or more
 * values — a width w (EG0) and each value minus the minimum in w bits. A
 * constant series costs no bits per value. The reader knows the count.
 */
export function writeSeries(sink: BitSink, values: readonly number[]): void {
  let min = values[0];
  let max = values[0];
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  writeSigned(sink, min);
  if (values.length < 2) return;
  const width = bitLength(max - min);
  writeEg0(sink, width);
  for (const v of values) sink.write(v - min, width);
}

export function readSeries(reader: BitReader, count: number): number[] {
  const min = readSigned(reader);
  if (count < 2) return [min];
  const start = reader.position;
  const width = readEg0(reader);
  if (width > MAX_FIELD_BITS) throw malformed(`series width of ${width} bits (at most ${MAX_FIELD_BITS})`, start);
  if (width * count > reader.remaining) throw malformed(`series of ${count} values × ${width} bits runs past the end of the frame`, start);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(min + reader.read(width));
  return out;
}

/*
 * Sizes of the fields above, in bits, computed rather than counted: the
 * encoder prices many candidate frames per flush, and running the writers over
 * a counting sink for each (a closure and a call per field) was most of a
 * flush. batch.property.core.test.ts checks them against the writers.
 */

/** Bits writeEg0 writes for `value`. */
export function eg0Bits(value: number): number {
  return 2 * bitLength(value + 1) - 1;
}

/** Bits writeSigned writes for `value`. */
export function signedBits(value: number): number {
  const n = bitLength(zigzag(value));
  return eg0Bits(n) + n;
}

/** Bits writeSeries writes for `count` (≥ 1) values whose smallest is `min` and largest `max`. */
export function seriesBits(min: number, max: number, count: number): number {
  if (count < 2) return signedBits(min);
  const width = bitLength(max - min);
  return signedBits(min) + eg0Bits(width) + count * width;
}
