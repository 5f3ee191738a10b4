/**
 * AES-CMAC (RFC 4493 / NIST SP 800-38B) over any BlockCipher: LoRaWAN's MIC is
 * the first four bytes of it. Moddable has AES but no CMAC, so it lives here,
 * on the port, and runs the same on every engine.
 */
import type { BlockCipher } from '../ports/block-cipher.js';
import { checkAesKey } from './errors.js';

/** Doubling in GF(2^128) (RFC 4493 §2.3): shift left one bit, fold the carry with 0x87. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 15; i++) out[i] = ((block[i] << 1) | (block[i + 1] >> 7)) & 0xff;
  out[15] = (block[15] << 1) & 0xff;
  if (block[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/** The full 16-byte AES-CMAC of `message` under `key`. */
export function aesCmac(cipher: BlockCipher, key: Uint8Array, message: Uint8Array): Uint8Array {
  checkAesKey(key);
  const k1 = double(cipher.encryptBlock(key, new Uint8Array(16)));
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const lastComplete = message.length > 0 && message.length % 16 === 0;
  let x: Uint8Array = new Uint8Array(16);
  const work = new Uint8Array(16);
  for (let b = 0; b < blocks - 1; b++) {
    for (let i = 0; i < 16; i++) work[i] = x[i] ^ message[16 * b + i];
    x = cipher.encryptBlock(key, work);
  }
  // The last block: whole → xor K1; partial (or empty) → pad 10…0 and xor K2.
  const subkey = lastComplete ? k1 : double(k1);
  const start = 16 * (blocks - 1);
  for (let i = 0; i < 16; i++) {
    const at = start + i;
    const m = at < message.length ? message[at] : at === message.length ? 0x80 : 0;
    work[i] = x[i] ^ m ^ subkey[i];
  }
  return cipher.encryptBlock(key, work);
}
