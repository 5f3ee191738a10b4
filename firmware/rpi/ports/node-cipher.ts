/**
 * The BlockCipher port on Node: AES-128 ECB through node:crypto. Creating a
 * node:crypto cipher costs several microseconds, far more than encrypting a
 * block with one, so cipher objects are kept per key (ECB without padding is
 * stateless between blocks, so one object serves every block under its key):
 * the last key is checked first (a device alternates two session keys), then a
 * bounded table (a network server holds every device's keys).
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import type { BlockCipher } from '../../../drivers/ports/block-cipher.js';
import { AxonError } from '../../../drivers/errors.js';

/** Keys remembered per instance (a fleet cell's network server holds three per device); past it the table starts again. */
const MAX_KEYS = 32_768;

export class NodeBlockCipher implements BlockCipher {
  readonly #byKey = new Map<string, Cipher>();
  #lastKey: Uint8Array | undefined;
  #lastCipher: Cipher | undefined;

  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    if (block.length !== 16) {
      throw new AxonError('CIPHER_BLOCK_LENGTH', `encryptBlock takes exactly one 16-byte block, got ${block.length} bytes`, {
        fix: 'split the data into 16-byte blocks (this is a bug in the caller)',
      });
    }
    return this.encryptBlocks(key, block);
  }

  /** ECB over whole 16-byte blocks in one node:crypto call (a frame's key stream at once). */
  encryptBlocks(key: Uint8Array, blocks: Uint8Array): Uint8Array {
    if (blocks.length % 16 !== 0) {
      throw new AxonError('CIPHER_BLOCK_LENGTH', `encryptBlocks takes whole 16-byte blocks, got ${blocks.length} bytes`, {
        fix: 'pad the data to a multiple of 16 bytes (this is a bug in the caller)',
      });
    }
    const encrypted = this.#cipherFor(key).update(blocks);
    // A plain Uint8Array copy: the core compares and slices bytes, and must never see a pooled Buffer.
    return new Uint8Array(encrypted);
  }

  #cipherFor(key: Uint8Array): Cipher {
    const last = this.#lastKey;
    if (last !== undefined && sameKey(last, key)) return this.#lastCipher as Cipher;
    if (key.length !== 16) {
      throw new AxonError('CIPHER_KEY_LENGTH', `AES-128 needs a 16-byte key, got ${key.length} bytes`, {
        fix: 'LoRaWAN session keys (NwkSKey, AppSKey) are 16 bytes = 32 hex digits: check the key in the site file',
      });
    }
    const name = String.fromCharCode(...key);
    let cipher = this.#byKey.get(name);
    if (cipher === undefined) {
      if (this.#byKey.size >= MAX_KEYS) this.#byKey.clear();
      cipher = createCipheriv('aes-128-ecb', key, null);
      cipher.setAutoPadding(false);
      this.#byKey.set(name, cipher);
    }
    // Keep our own copy: the caller may reuse its key buffer for another key.
    this.#lastKey = key.slice();
    this.#lastCipher = cipher;
    return cipher;
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
