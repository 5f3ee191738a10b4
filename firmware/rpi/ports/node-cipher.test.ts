/**
 * NodeBlockCipher keeps node:crypto cipher objects per key: checked against a
 * fresh OpenSSL cipher per block with keys interleaved, key buffers rewritten
 * in place, more keys than its table holds, and the several-block call.
 */
import test from 'ava';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { NodeBlockCipher } from './node-cipher.js';
import { AxonError } from '../../../drivers/errors.js';

const fresh = (key: Uint8Array, data: Uint8Array) => {
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
};

test('cached ciphers give what a fresh cipher gives, with keys interleaved and buffers rewritten in place', (t) => {
  const cipher = new NodeBlockCipher();
  const buffers = [new Uint8Array(16), new Uint8Array(16)];
  fc.assert(
    fc.property(fc.nat({ max: 1 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.option(fc.nat({ max: 15 })), (which, block, rewrite) => {
      const key = buffers[which];
      if (rewrite !== null) key[rewrite] ^= 0x5a; // the same buffer now holds another key
      t.deepEqual(cipher.encryptBlock(key, block), fresh(key, block));
    }),
    { numRuns: 3000 },
  );
});

test('more keys than the table holds, then the first ones again', (t) => {
  const cipher = new NodeBlockCipher();
  const keyOf = (i: number) => Uint8Array.from({ length: 16 }, (_, j) => (i >> (8 * (j % 2))) & 0xff ^ j);
  const block = Uint8Array.from({ length: 16 }, (_, j) => j * 7);
  for (let i = 0; i < 33_000; i++) t.deepEqual(cipher.encryptBlock(keyOf(i), block), fresh(keyOf(i), block));
  for (let i = 0; i < 10; i++) t.deepEqual(cipher.encryptBlock(keyOf(i), block), fresh(keyOf(i), block));
});

test('encryptBlocks is ECB over every block in one call; wrong lengths are refused with a code', (t) => {
  const cipher = new NodeBlockCipher();
  const key = Uint8Array.from({ length: 16 }, (_, j) => j + 1);
  const data = Uint8Array.from({ length: 64 }, (_, j) => (j * 31) & 0xff);
  t.deepEqual(cipher.encryptBlocks(key, data), fresh(key, data));
  t.is((t.throws(() => cipher.encryptBlocks(key, data.subarray(0, 20))) as AxonError).code, 'CIPHER_BLOCK_LENGTH');
  t.is((t.throws(() => cipher.encryptBlock(key, data.subarray(0, 20))) as AxonError).code, 'CIPHER_BLOCK_LENGTH');
  t.is((t.throws(() => cipher.encryptBlock(data.subarray(0, 8), data.subarray(0, 16))) as AxonError).code, 'CIPHER_KEY_LENGTH');
});
