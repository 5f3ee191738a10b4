/** AES-CMAC against RFC 4493 §4 (runs on Node and inside XS, with the portable cipher). */
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import { PortableAes128 } from './aes128.js';
import { aesCmac } from './cmac.js';

const KEY = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
const MESSAGE = fromHex(
  '6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710',
);

const EXAMPLES: Array<[length: number, mac: string]> = [
  [0, 'bb1d6929e95937287fa37d129b756746'],
  [16, '070a16b46b4d4144f79bdd9dd04a287c'],
  [40, 'dfa66747de9ae63030ca32611497c827'],
  [64, '51f0bebf7e3b9d92fc49741779363cfe'],
];

for (const [length, mac] of EXAMPLES) {
  test(`RFC 4493 example: ${length}-byte message`, (t) => {
    t.is(toHex(aesCmac(new PortableAes128(), KEY, MESSAGE.subarray(0, length))), mac);
  });
}

test('CMAC refuses a key that is not 16 bytes', (t) => {
  t.throws(() => aesCmac(new PortableAes128(), new Uint8Array(8), MESSAGE), { code: 'CIPHER_KEY_LENGTH' });
});
