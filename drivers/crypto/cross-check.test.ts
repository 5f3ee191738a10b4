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
