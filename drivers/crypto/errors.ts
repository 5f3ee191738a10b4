/**
 * Input checks shared by the portable AES and CMAC. The codes match the Node
 * host's NodeBlockCipher so a caller sees the same error whichever cipher the
 * host plugged into the BlockCipher port.
 */
import { AxonError } from '../errors.js';

export function checkAesKey(key: Uint8Array): void {
  if (key.length !== 16) {
    throw new AxonError('CIPHER_KEY_LENGTH', `AES-128 needs a 16-byte key, got ${key.length} bytes`, {
      fix: 'LoRaWAN keys (AppKey, NwkSKey, AppSKey) are 16 bytes = 32 hex digits: check the key in the site file',
    });
  }
}

export function checkAesBlock(block: Uint8Array): void {
  if (block.length !== 16) {
    throw new AxonError('CIPHER_BLOCK_LENGTH', `one AES block is exactly 16 bytes, got ${block.length} bytes`, {
      fix: 'split the data into 16-byte blocks (this is a bug in the caller)',
    });
  }
}
