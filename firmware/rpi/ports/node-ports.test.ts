import test from 'ava';
import net from 'node:net';
import { NodeClock, type NodeTimerFunctions } from './node-clock.js';
import { HOST_TIMER_LIMIT_MS } from '../../../drivers/ports/chained-timers.js';
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

/** Node's timer functions on a fake monotonic clock: records every delay asked for; fire() runs the earliest timer. */
function fakeNodeTimers() {
  let now = 0;
  let nextId = 1;
  const armed = new Map<number, { at: number; callback: () => void }>();
  const asked: number[] = [];
  const timers: NodeTimerFunctions = {
    now: () => now,
    set: (callback, delayMs) => {
      asked.push(delayMs);
      const id = nextId++;
      // What Node does with a delay it cannot hold: 1 ms.
      armed.set(id, { at: now + (delayMs > HOST_TIMER_LIMIT_MS ? 1 : delayMs), callback });
      return id as unknown as NodeJS.Timeout;
    },
    clear: (timer) => {
      armed.delete(timer as unknown as number);
    },
  };
  return {
    timers,
    asked,
    get now() {
      return now;
    },
    /** Run the earliest armed timer; false when none is armed. */
    fire(): boolean {
      const next = [...armed.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined) return false;
      armed.delete(next[0]);
      now = Math.max(now, next[1].at);
      next[1].callback();
      return true;
    },
  };
}

test('NodeClock chains delays past setTimeout\'s limit: never asks for more than 2^31 − 1 ms, fires on time, cancels mid-chain', (t) => {
  const fake = fakeNodeTimers();
  const clock = new NodeClock(fake.timers);
  const DAY = 86_400_000;
  const fired: Array<{ what: string; at: number }> = [];
  clock.schedule(3.5 * DAY, () => fired.push({ what: 'offline watch', at: fake.now }));
  clock.schedule(194 * DAY, () => fired.push({ what: '194 days', at: fake.now }));
  const cancelled = clock.schedule(60 * DAY, () => fired.push({ what: 'cancelled', at: fake.now }));
  clock.schedule(25, () => fired.push({ what: 'short', at: fake.now }));
  let steps = 0;
  while (fake.now < 30 * DAY && fake.fire()) steps++;
  clock.cancel(cancelled);
  while (fake.fire()) steps++;
  t.deepEqual(fired, [
    { what: 'short', at: 25 },
    { what: 'offline watch', at: 3.5 * DAY },
    { what: '194 days', at: 194 * DAY },
  ]);
  t.true(fake.asked.every((ms) => ms >= 0 && ms <= HOST_TIMER_LIMIT_MS), `largest delay asked of setTimeout: ${Math.max(...fake.asked)} ms`);
  t.true(steps < 20, `${steps} host timers for 194 days (a chain, not a spin)`);
  t.is(clock.pending, 0);
});

test('NodeClock on real timers: a delay past 2^31 − 1 ms gives no TimeoutOverflowWarning and does not fire early', async (t) => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const clock = new NodeClock();
  let fired = 0;
  clock.schedule(2 ** 31 + 10_000, () => fired++);
  clock.schedule(16_777_215_000, () => fired++);
  await sleep(clock, 200);
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  t.is(fired, 0, 'the long timers have not fired');
  t.deepEqual(warnings.filter((w) => w.includes('TimeoutOverflow')), []);
  t.is(clock.pending, 2);
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
