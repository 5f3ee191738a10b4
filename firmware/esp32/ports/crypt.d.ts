// Moddable's `crypt` module has no published typings; this declares the part Axon uses
// (see the Moddable SDK's examples/crypt/cryptblockcipher).
declare module 'crypt' {
  export class BlockCipher {
    constructor(name: 'AES' | 'DES' | 'TDES', key: ArrayBuffer);
    encrypt(data: ArrayBuffer): ArrayBuffer;
    decrypt(data: ArrayBuffer): ArrayBuffer;
  }
}
