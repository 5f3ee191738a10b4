/**
 * FRMPayload encryption (LoRaWAN 1.0.x §4.3.3): AES in a counter-like mode.
 * The key stream S = aes(K, A_1) | aes(K, A_2) | … is XORed onto the payload,
 * so the same function encrypts and decrypts. K is AppSKey for FPort 1–255
 * and NwkSKey for FPort 0 (MAC commands).
 */
import type { BlockCipher } from '../ports/block-cipher.js';
import { frameBlock, type Direction } from './wire.js';

export function cryptFrmPayload(cipher: BlockCipher, key: Uint8Array, direction: Direction, devAddr: number, fCnt: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  if (cipher.encryptBlocks !== undefined && payload.length > 0) {
    // The whole key stream in one call: A_1 … A_n are independent of each other.
    const count = Math.ceil(payload.length / 16);
    const blocks = new Uint8Array(16 * count);
    for (let i = 1; i <= count; i++) blocks.set(frameBlock(0x01, direction, devAddr, fCnt, i), 16 * (i - 1));
    const stream = cipher.encryptBlocks(key, blocks);
    for (let j = 0; j < payload.length; j++) out[j] = payload[j] ^ stream[j];
    return out;
  }
  for (let start = 0, i = 1; start < payload.length; start += 16, i++) {
    // The block counter is one byte: 255 blocks cover any LoRaWAN payload (≤ 242 bytes).
    const stream = cipher.encryptBlock(key, frameBlock(0x01, direction, devAddr, fCnt, i));
    const end = Math.min(start + 16, payload.length);
    for (let j = start; j < end; j++) out[j] = payload[j] ^ stream[j - start];
  }
  return out;
}
