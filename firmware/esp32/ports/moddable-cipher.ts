/**
 * AES-128 through Moddable's native `crypt` BlockCipher (C on the ESP32), so
 * LoRaWAN encryption and CMAC cost almost nothing in XS. manifest.json includes
 * $(MODDABLE)/modules/crypt/digest/manifest.json (crypt.js, modCrypt.c, kcl/)
 * for it; main-xs.test.ts checks that every module the ports import is there.
 */
import { BlockCipher as NativeBlockCipher } from 'crypt';
import type { BlockCipher } from '../../../drivers/ports/block-cipher.js';

export class ModdableBlockCipher implements BlockCipher {
  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    const cipher = new NativeBlockCipher('AES', key.slice().buffer);
    return new Uint8Array(cipher.encrypt(block.slice().buffer));
  }
}
