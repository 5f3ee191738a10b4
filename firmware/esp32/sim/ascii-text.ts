/**
 * Bytes to text and back, one character per byte (the harness's replies are
 * ASCII JSON), in slices of 256: a string built one character at a time with
 * `+=` is copied whole at every step in XS (its strings are flat), so a
 * megabyte reply took hours that way; slices keep it linear and each
 * `fromCharCode` call's arguments well within the lin build's stack.
 */
const SLICE = 256;

export function asciiText(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += SLICE) parts.push(String.fromCharCode(...bytes.subarray(i, i + SLICE)));
  return parts.join('');
}

export function asciiBytes(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
