/**
 * Packed BCD numbers as DL/T 645 and CJ/T 188 meters send them: low byte first,
 * two decimal digits per byte, a fixed number of implied decimal places, and
 * for signed quantities the sign in bit 7 of the most significant byte.
 * (CJ/T 188 shares this helper: both families use the same number encoding.)
 */
import { AxonError } from '../errors.js';

export interface BcdFormat {
  /** Bytes on the wire (1–6: 12 digits stay exact in a double). */
  bytes: number;
  /** Implied decimal places: the wire digits 000006 with 2 decimals mean 0.06. */
  decimals: number;
  /** Bit 7 of the most significant byte is the sign (1 = negative). */
  signed: boolean;
}

/** A byte that is not two decimal digits where the format requires BCD. */
export class BcdDigitError extends AxonError {
  static override readonly errorName: string = 'BcdDigitError';
  readonly byte: number;
  constructor(byte: number, where: string) {
    super('METER_BAD_BCD', `byte 0x${byte.toString(16).padStart(2, '0')} is not two BCD digits`, {
      where,
      fix: 'the meter sent a non-decimal digit: check that the data identifier matches the meter model, or that the line is not corrupting bytes',
    });
    this.byte = byte;
  }
}

/** A value that cannot be written in the requested BCD format. */
export class BcdRangeError extends AxonError {
  static override readonly errorName: string = 'BcdRangeError';
  constructor(value: number, format: BcdFormat) {
    super('METER_VALUE_RANGE', `${value} does not fit ${describeBcdFormat(format)}`, {
      fix: `use a value between ${format.signed ? -maxBcdValue(format) : 0} and ${maxBcdValue(format)}`,
    });
  }
}

/** "XXXXXX.XX" style picture of a format, as the standards print it. */
export function describeBcdFormat(format: BcdFormat): string {
  const digits = format.bytes * 2;
  const picture = 'X'.repeat(digits - format.decimals) + (format.decimals > 0 ? '.' + 'X'.repeat(format.decimals) : '');
  return `${format.signed ? 'signed ' : ''}BCD ${picture} (${format.bytes} bytes)`;
}

/** The largest magnitude the format can carry (the sign bit leaves 0–7 for the top digit). */
export function maxBcdValue(format: BcdFormat): number {
  const topDigitLimit = format.signed ? 8 : 10;
  return (topDigitLimit * 10 ** (format.bytes * 2 - 1) - 1) / 10 ** format.decimals;
}

/** Value of one BCD byte (0–99), or undefined when a nibble is above 9. */
export function bcdByteValue(byte: number): number | undefined {
  const hi = byte >> 4;
  const lo = byte & 15;
  return hi > 9 || lo > 9 ? undefined : hi * 10 + lo;
}

export function toBcdByte(value: number): number {
  return (Math.floor(value / 10) << 4) | value % 10;
}

/** Decode `format.bytes` bytes at `offset`, low byte first. */
export function decodeBcd(data: Uint8Array, offset: number, format: BcdFormat): number {
  let magnitude = 0;
  let negative = false;
  for (let i = format.bytes - 1; i >= 0; i--) {
    let byte = data[offset + i];
    if (i === format.bytes - 1 && format.signed) {
      negative = (byte & 0x80) !== 0;
      byte &= 0x7f;
    }
    const value = bcdByteValue(byte);
    if (value === undefined) throw new BcdDigitError(data[offset + i], `data byte ${offset + i}`);
    magnitude = magnitude * 100 + value;
  }
  // Integer divided by a power of ten is correctly rounded, so 6/100 is exactly the double 0.06.
  const scaled = magnitude / 10 ** format.decimals;
  return negative && magnitude !== 0 ? -scaled : scaled;
}

/** Encode `value` into `format.bytes` bytes, low byte first, rounding to the format's decimals. */
export function encodeBcd(value: number, format: BcdFormat): Uint8Array {
  if (!Number.isFinite(value) || (value < 0 && !format.signed)) throw new BcdRangeError(value, format);
  let magnitude = Math.round(Math.abs(value) * 10 ** format.decimals);
  const limit = (format.signed ? 8 : 10) * 10 ** (format.bytes * 2 - 1);
  if (magnitude >= limit) throw new BcdRangeError(value, format);
  const out = new Uint8Array(format.bytes);
  for (let i = 0; i < format.bytes; i++) {
    out[i] = toBcdByte(magnitude % 100);
    magnitude = Math.floor(magnitude / 100);
  }
  if (format.signed && value < 0 && out.some((b) => b !== 0)) out[format.bytes - 1] |= 0x80;
  return out;
}
