/** Byte helpers shared by every protocol module (no Buffer, no TextEncoder: XS-safe). */

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array, separator = ''): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && separator) out += separator;
    out += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  }
  return out;
}

/**
 * Parse hex text such as "68 61 01", "0x6861", "68:61" or "6861".
 * Throws a RangeError naming the offending character so CLI users can fix their input.
 */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, '').replace(/[\s:,_-]/g, '');
  if (clean.length % 2 !== 0) {
    throw new RangeError(`hex text has an odd number of digits (${clean.length}); every byte needs two digits`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(clean, i * 2);
    const lo = hexDigit(clean, i * 2 + 1);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function hexDigit(text: string, index: number): number {
  const c = text.charCodeAt(index);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  throw new RangeError(`'${text[index]}' at position ${index} is not a hex digit`);
}

export function concatBytes(...chunks: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ASCII-only text encoding (protocol text such as AT commands is ASCII). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/**
 * One character per byte, in slices: XS strings are flat, so text built one character at a time with `+=` is
 * copied whole at every step (quadratic; a megabyte took hours). 64 arguments per call stay well within a
 * device's XS stack.
 */
export function asciiText(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 64) parts.push(String.fromCharCode(...bytes.subarray(i, i + 64)));
  return parts.join('');
}
