/** The BlockCipher port on Node: one AES-128 block through node:crypto (ECB, no padding). */
import { createCipheriv } from 'node:crypto';
import type { BlockCipher } from '../../../drivers/ports/block-cipher.js';
import { AxonError } from '../../../drivers/errors.js';

export class NodeBlockCipher implements BlockCipher {
  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    if (key.length !== 16) {
      throw new AxonError('CIPHER_KEY_LENGTH', `AES-128 needs a 16-byte key, got ${key.length} bytes`, {
        fix: 'LoRaWAN session keys (NwkSKey, AppSKey) are 16 bytes = 32 hex digits: check the key in the site file',
      });
    }
    if (block.length !== 16) {
      throw new AxonError('CIPHER_BLOCK_LENGTH', `encryptBlock takes exactly one 16-byte block, got ${block.length} bytes`, {
        fix: 'split the data into 16-byte blocks (this is a bug in the caller)',
      });
    }
    const cipher = createCipheriv('aes-128-ecb', key, null);
    cipher.setAutoPadding(false);
    const head = cipher.update(block);
    const tail = cipher.final();
    // A plain Uint8Array copy: the core compares and slices bytes, and must never see a pooled Buffer.
    const out = new Uint8Array(16);
    out.set(head, 0);
    out.set(tail, head.length);
    return out;
  }
}
