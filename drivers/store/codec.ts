/**
 * Big-endian field helpers for the log's on-media formats. Sequence numbers
 * are 48-bit (a thousand records a second for 8000 years) so they stay exact
 * in a JS number and never wrap in a gateway's lifetime.
 */
export const MAX_U48 = 0xffff_ffff_ffff;

export function writeU16(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >>> 8) & 0xff;
  out[at + 1] = value & 0xff;
}

export function readU16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

export function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >>> 24) & 0xff;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

export function writeU48(out: Uint8Array, at: number, value: number): void {
  writeU16(out, at, Math.floor(value / 0x1_0000_0000));
  writeU32(out, at + 2, value >>> 0);
}

export function readU48(bytes: Uint8Array, at: number): number {
  return readU16(bytes, at) * 0x1_0000_0000 + readU32(bytes, at + 2);
}
