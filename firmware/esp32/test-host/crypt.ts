/**
 * Test double of Moddable's `crypt` BlockCipher (AES only): the core's
 * portable AES-128, so LoRaWAN encryption in the XS harness computes what the
 * ESP32's native cipher computes.
 */
import { PortableAes128 } from '../../../drivers/crypto/aes128.js';
import { host } from './host.js';

const aes = new PortableAes128();

export class BlockCipher {
  readonly #key: Uint8Array;

  constructor(name: string, key: ArrayBuffer) {
    host.touch();
    if (name !== 'AES' || key.byteLength !== 16) throw new Error(`BlockCipher double: ${name} with a ${key.byteLength}-byte key is not AES-128`);
    this.#key = new Uint8Array(key.slice(0));
  }

  encrypt(data: ArrayBuffer): ArrayBuffer {
    host.touch();
    return aes.encryptBlock(this.#key, new Uint8Array(data)).slice().buffer;
  }

  decrypt(_data: ArrayBuffer): ArrayBuffer {
    throw new Error('BlockCipher double: decrypt is not used (LoRaWAN only encrypts)');
  }
}
