/** The portable AES against node:crypto (OpenSSL) on random keys and blocks, both directions. */
import test from 'ava';
import { createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { PortableAes128 } from './aes128.js';

const block16 = () => fc.uint8Array({ minLength: 16, maxLength: 16 });

test('PortableAes128.encryptBlock equals NodeBlockCipher on random keys and blocks', (t) => {
  const portable = new PortableAes128();
  const node = new NodeBlockCipher();
  fc.assert(
    fc.property(block16(), block16(), (key, block) => {
      t.deepEqual(portable.encryptBlock(key, block), node.encryptBlock(key, block));
    }),
    { numRuns: 2000 },
  );
});

test('PortableAes128.decryptBlock equals OpenSSL AES-128-ECB decryption and inverts encryption', (t) => {
  const portable = new PortableAes128();
  fc.assert(
    fc.property(block16(), block16(), (key, block) => {
      const decipher = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      const expected = new Uint8Array(Buffer.concat([decipher.update(block), decipher.final()]));
      t.deepEqual(portable.decryptBlock(key, block), expected);
      t.deepEqual(portable.decryptBlock(key, portable.encryptBlock(key, block)), block);
    }),
    { numRuns: 1000 },
  );
});

test('PortableAes128 key cache: interleaved keys, buffers sharing contents and rewritten in place, as node:crypto', (t) => {
  const node = new NodeBlockCipher();
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  // A pool of four keys that differ from the first in one byte each (so a cache comparing too few bytes fails), held by
  // three buffers that often share contents and get rewritten in place, back to an old key too.
  const variant = fc.record({ at: fc.nat({ max: 15 }), flip: fc.integer({ min: 1, max: 255 }) });
  const step = fc.record({ buffer: fc.nat({ max: 2 }), rewriteTo: fc.option(fc.nat({ max: 3 }), { freq: 3 }), block: block16(), decrypt: fc.boolean() });
  fc.assert(
    fc.property(block16(), fc.array(variant, { minLength: 3, maxLength: 3 }), fc.array(step, { minLength: 1, maxLength: 30 }), (base, variants, steps) => {
      const pool = [base, ...variants.map(({ at, flip }) => base.map((byte, i) => (i === at ? byte ^ flip : byte)))];
      const portable = new PortableAes128();
      const buffers = [0, 1, 2].map((i) => Uint8Array.from(pool[i]));
      for (const { buffer, rewriteTo, block, decrypt } of steps) {
        const key = buffers[buffer];
        if (rewriteTo !== null) key.set(pool[rewriteTo]);
        const cipherText = node.encryptBlock(key, block);
        const got = decrypt ? portable.decryptBlock(key, cipherText) : portable.encryptBlock(key, block);
        if (hex(got) !== hex(decrypt ? block : cipherText)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});
