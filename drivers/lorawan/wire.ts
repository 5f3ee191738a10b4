/**
 * Byte-order helpers and input checks shared by the LoRaWAN codecs. LoRaWAN
 * puts every multi-byte field on the air least significant byte first, while
 * people (labels, consoles, network servers) write DevAddr and EUIs most
 * significant first: the API takes and returns the human order and only this
 * module flips it.
 */
import { LorawanFieldError, LorawanMalformedError } from './errors.js';

/** Write `value` as `size` bytes, least significant first. */
export function writeUintLE(out: Uint8Array, offset: number, value: number, size: number): void {
  let v = value;
  for (let i = 0; i < size; i++) {
    out[offset + i] = v & 0xff;
    // Division instead of >>> keeps 32-bit values exact without sign games.
    v = Math.floor(v / 256);
  }
}

/** Read `size` (≤ 4) bytes, least significant first, as an unsigned number. */
export function readUintLE(bytes: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[offset + i];
  return v;
}

/** A copy with the byte order reversed (EUIs: printed order ↔ air order). */
export function reversed(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i];
  return out;
}

export function checkUint(field: string, value: number, bits: number, fix: string): void {
  const max = 2 ** bits - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new LorawanFieldError(field, `${value} is not an integer in 0–${max}`, fix);
  }
}

export function checkKey(field: string, key: Uint8Array | undefined): Uint8Array {
  if (key === undefined || key.length !== 16) {
    throw new LorawanFieldError(field, key === undefined ? 'the key is missing' : `a key is 16 bytes, got ${key.length}`,
      `give ${field} as 32 hex digits (16 bytes), as shown by the network server console`);
  }
  return key;
}

export function checkEui(field: string, eui: Uint8Array): void {
  if (eui.length !== 8) {
    throw new LorawanFieldError(field, `an EUI is 8 bytes, got ${eui.length}`, `give ${field} as 16 hex digits, most significant first, as printed on the device label`);
  }
}

/** Throw a LORAWAN_MALFORMED error unless `bytes` is at least `needed` long. */
export function need(bytes: Uint8Array, needed: number, what: string): void {
  if (bytes.length < needed) {
    throw new LorawanMalformedError(`${what} needs at least ${needed} bytes, got ${bytes.length}`, `byte ${bytes.length}`);
  }
}

export type Direction = 'up' | 'down';

/**
 * The 16-byte block that both payload encryption (A_i, flag 0x01) and the data
 * MIC (B0, flag 0x49) start from: 0x00×4, direction, DevAddr, 32-bit FCnt, 0x00,
 * then a counter (A_i) or the message length (B0).
 */
export function frameBlock(flag: number, direction: Direction, devAddr: number, fCnt: number, last: number): Uint8Array {
  const block = new Uint8Array(16);
  block[0] = flag;
  block[5] = direction === 'up' ? 0 : 1;
  writeUintLE(block, 6, devAddr, 4);
  writeUintLE(block, 10, fCnt, 4);
  block[15] = last;
  return block;
}

/** DevAddr as people write it: 8 hex digits, most significant first. */
export function devAddrHex(devAddr: number): string {
  return devAddr.toString(16).padStart(8, '0');
}
