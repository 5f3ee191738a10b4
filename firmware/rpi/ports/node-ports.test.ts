import test from 'ava';
import net from 'node:net';
import { NodeClock } from './node-clock.js';
import { NodeBlockCipher } from './node-cipher.js';
import { connectTcpStream } from './tcp-stream.js';
import { sleep } from '../../../drivers/ports/clock.js';
import { fromHex, toHex } from '../../../drivers/bytes.js';

test('NodeClock: monotonic now, wall-clock unix time, timers fire and cancel', async (t) => {
  const clock = new NodeClock();
  const start = clock.now();
  t.true(Math.abs(clock.unixTimeMs() - Date.now()) < 50);
  const fired: string[] = [];
  clock.schedule(30, () => fired.push('b'));
  clock.schedule(10, () => fired.push('a'));
  const cancelled = clock.schedule(20, () => fired.push('never'));
  clock.cancel(cancelled);
  t.is(clock.pending, 2);
  await sleep(clock, 60);
  t.deepEqual(fired, ['a', 'b']);
  const elapsed = clock.now() - start;
  t.true(elapsed >= 59 && elapsed < 1000, `elapsed ${elapsed}`);
  t.is(clock.pending, 0);
  clock.schedule(10_000, () => fired.push('late'));
  clock.cancelAll();
  t.is(clock.pending, 0);
});

test('NodeBlockCipher matches the FIPS-197 AES-128 vector and returns plain bytes', (t) => {
  const cipher = new NodeBlockCipher();
  const out = cipher.encryptBlock(fromHex('000102030405060708090a0b0c0d0e0f'), fromHex('00112233445566778899aabbccddeeff'));
  t.is(toHex(out), '69c4e0d86a7b0430d8cdb78070b4c55a');
  t.false(Buffer.isBuffer(out));
  t.throws(() => cipher.encryptBlock(new Uint8Array(15), new Uint8Array(16)), { message: /16-byte key, got 15/ });
  t.throws(() => cipher.encryptBlock(new Uint8Array(16), new Uint8Array(32)), { message: /one 16-byte block/ });
});

test('TCP stream round-trips bytes and reports the peer closing', async (t) => {
  const server = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      socket.write(Buffer.from([...chunk].reverse()));
      if (chunk[0] === 0xff) socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as net.AddressInfo;
  const stream = await connectTcpStream({ host: '127.0.0.1', port });
  t.teardown(() => stream.close());
  const reply = new Promise<Uint8Array>((resolve) => {
    stream.onReadable = resolve;
  });
  stream.write(Uint8Array.of(1, 2, 3));
  t.deepEqual(Array.from(await reply), [3, 2, 1]);
  const closed = new Promise<Error>((resolve) => {
    stream.onError = resolve;
  });
  stream.write(Uint8Array.of(0xff));
  const error = await closed;
  t.regex(error.message, /closed by the peer/);
});

test('TCP connect to a closed port says nothing listens there', async (t) => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const error = await t.throwsAsync(connectTcpStream({ host: '127.0.0.1', port }));
  t.is((error as { code?: string }).code, 'TCP_CONNECT');
  t.regex(error?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port}.*nothing listens`));
});
