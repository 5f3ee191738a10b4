/**
 * LineIdleClock over a real socat pty: virtual time stands still while bytes
 * cross, answers come back at the instant of the question, and bytes that
 * never come out of the other end fail the clock instead of stalling it.
 */
import test from 'ava';
import { openSerialStream } from '../firmware/rpi/ports/serial-stream.js';
import { BytesInFlight, LineIdleClock } from './line-idle-clock.js';
import { createPtyPair } from './pty.js';

async function ptyEnds(t: import('ava').ExecutionContext) {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const a = await openSerialStream({ path: pty.pathA, baud: 115200 });
  const b = await openSerialStream({ path: pty.pathB, baud: 115200 });
  t.teardown(() => {
    a.close();
    b.close();
  });
  return { a, b };
}

test('time stands still while a question and its answer cross the pty', async (t) => {
  const { a, b } = await ptyEnds(t);
  const lines = new BytesInFlight();
  const clock = new LineIdleClock({ lines });
  const host = lines.watch(a);
  const device = lines.watch(b);
  // The device answers each chunk after 5 ms of virtual time, as a module that thinks first.
  device.onReadable = (bytes) => clock.schedule(5, () => device.write(Uint8Array.from(bytes, (x) => x + 1)));
  const heard: Array<{ atMs: number; bytes: number[] }> = [];
  host.onReadable = (bytes) => heard.push({ atMs: clock.now(), bytes: [...bytes] });
  let timeout = -1;
  clock.schedule(1, () => (timeout = clock.now())); // a timer due while the question is on the line
  host.write(Uint8Array.of(1, 2, 3));
  await clock.advanceTo(100);
  t.deepEqual(heard.flatMap((h) => h.bytes), [2, 3, 4]);
  t.true(heard.every((h) => h.atMs === 5), `the answer came at 5 ms of virtual time (${heard.map((h) => h.atMs).join(', ')})`);
  t.is(timeout, 1, 'the 1 ms timer fired, after the question had arrived (the device scheduled its answer at 0 ms)');
  t.is(lines.count, 0);
  t.is(lines.written, 6);
  t.is(clock.now(), 100);
});

test('bytes that never come out of the other end fail the clock, with the count', async (t) => {
  const { a, b } = await ptyEnds(t);
  const lines = new BytesInFlight();
  const clock = new LineIdleClock({ lines, stallMs: 300 });
  const host = lines.watch(a); // the far end is not watched: its arrivals are never counted
  b.onReadable = () => undefined;
  host.write(Uint8Array.of(0x41, 0x54, 0x0d));
  clock.schedule(10, () => undefined);
  const error = await t.throwsAsync(clock.advanceTo(100));
  t.regex(error?.message ?? '', /3 bytes written into the serial line did not come out of the other end within 300 ms/);
  t.is(clock.now(), 0, 'time did not move on');
});
