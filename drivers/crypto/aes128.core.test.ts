/** Portable AES-128 against FIPS-197 (runs on Node and inside XS). */
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import { expandAes128Key, PortableAes128 } from './aes128.js';

test('FIPS-197 appendix C.1: AES-128 example vector, both directions', (t) => {
  const aes = new PortableAes128();
  const key = fromHex('000102030405060708090a0b0c0d0e0f');
  const cipherText = aes.encryptBlock(key, fromHex('00112233445566778899aabbccddeeff'));
  t.is(toHex(cipherText), '69c4e0d86a7b0430d8cdb78070b4c55a');
  t.is(toHex(aes.decryptBlock(key, cipherText)), '00112233445566778899aabbccddeeff');
});

test('FIPS-197 appendix B: cipher example and the last round key of the schedule (A.1)', (t) => {
  const aes = new PortableAes128();
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  t.is(toHex(aes.encryptBlock(key, fromHex('3243f6a8885a308d313198a2e0370734'))), '3925841d02dc09fbdc118597196a0b32');
  const schedule = expandAes128Key(key);
  t.deepEqual(Array.from(schedule.subarray(40)).map((w) => w.toString(16).padStart(8, '0')), ['d014f9a8', 'c9ee2589', 'e13f0cc8', 'b6630ca6']);
});

test('NIST SP 800-38A ECB-AES128 vectors, with the key schedule cache switching keys in between', (t) => {
  const aes = new PortableAes128();
  const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
  const other = fromHex('000102030405060708090a0b0c0d0e0f');
  const vectors: Array<[string, string]> = [
    ['6bc1bee22e409f96e93d7e117393172a', '3ad77bb40d7a3660a89ecaf32466ef97'],
    ['ae2d8a571e03ac9c9eb76fac45af8e51', 'f5d3d58503b9699de785895a96fdbaaf'],
    ['30c81c46a35ce411e5fbc1191a0a52ef', '43b1cd7f598ece23881b00e3ed030688'],
    ['f69f2445df4f9b17ad2b417be66c3710', '7b0c785e27e8ad3f8223207104725dd4'],
  ];
  for (const [plain, expected] of vectors) {
    t.is(toHex(aes.encryptBlock(key, fromHex(plain))), expected);
    t.is(toHex(aes.encryptBlock(other, fromHex('00112233445566778899aabbccddeeff'))), '69c4e0d86a7b0430d8cdb78070b4c55a');
  }
  // A caller reusing its key buffer for a different key must not get the cached schedule.
  const reused = Uint8Array.from(key);
  t.is(toHex(aes.encryptBlock(reused, fromHex(vectors[0][0]))), vectors[0][1]);
  reused.set(other);
  t.is(toHex(aes.encryptBlock(reused, fromHex('00112233445566778899aabbccddeeff'))), '69c4e0d86a7b0430d8cdb78070b4c55a');
});

test('wrong key or block sizes fail with the same codes as the Node cipher', (t) => {
  const aes = new PortableAes128();
  t.throws(() => aes.encryptBlock(new Uint8Array(15), new Uint8Array(16)), { code: 'CIPHER_KEY_LENGTH', message: /16-byte key, got 15/ });
  t.throws(() => aes.encryptBlock(new Uint8Array(16), new Uint8Array(17)), { code: 'CIPHER_BLOCK_LENGTH' });
  t.throws(() => aes.decryptBlock(new Uint8Array(32), new Uint8Array(16)), { code: 'CIPHER_KEY_LENGTH' });
});
