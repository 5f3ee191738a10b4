import test from 'ava';
import { createPtyPair } from '../../../simulators/pty.js';
import { openSerialStream, type SerialStream } from './serial-stream.js';

function collect(stream: SerialStream, length: number, timeoutMs = 3000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: number[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${chunks.length} of ${length} bytes arrived`)), timeoutMs);
    stream.onReadable = (bytes) => {
      if (!(bytes instanceof Uint8Array) || Buffer.isBuffer(bytes)) reject(new Error('chunks must be plain Uint8Array'));
      chunks.push(...bytes);
      if (chunks.length >= length) {
        clearTimeout(timer);
        resolve(Uint8Array.from(chunks));
      }
    };
  });
}

test('bytes cross a pty pair both ways, as plain Uint8Array chunks', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const a = await openSerialStream({ path: pty.pathA, baud: 9600, parity: 'even' });
  const b = await openSerialStream({ path: pty.pathB, baud: 9600, parity: 'even' });
  t.teardown(async () => {
    a.close();
    b.close();
    await Promise.all([a.whenClosed(), b.whenClosed()]);
  });
  t.deepEqual(a.line, { baud: 9600, parity: 'even', stopBits: 1, dataBits: 8 });

  const toB = collect(b, 256);
  const all = Uint8Array.from({ length: 256 }, (_, i) => i); // every byte value, 0x00..0xff: raw mode, no translation
  a.write(all);
  t.deepEqual(await toB, all);

  const toA = collect(a, 8);
  b.write(Uint8Array.of(0x01, 0x03, 0x00, 0x00, 0x00, 0x07, 0x04, 0x08));
  t.deepEqual(Array.from(await toA), [0x01, 0x03, 0x00, 0x00, 0x00, 0x07, 0x04, 0x08]);
});

test('opening a missing path names the path and how to list ports', async (t) => {
  const error = await t.throwsAsync(openSerialStream({ path: '/dev/ttyAXON-does-not-exist', baud: 9600 }));
  t.is((error as { code?: string }).code, 'SERIAL_NOT_FOUND');
  t.is(error?.name, 'SerialLinkError');
  t.regex(error?.message ?? '', /\/dev\/ttyAXON-does-not-exist/);
  t.regex(error?.message ?? '', /ls \/dev\/serial\/by-id/);
});

test('the far end vanishing is reported once through onError', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const a = await openSerialStream({ path: pty.pathA, baud: 19200, stopBits: 2 });
  t.teardown(() => a.close());
  t.is(a.line.stopBits, 2);
  const errors: Error[] = [];
  const failed = new Promise<void>((resolve) => {
    a.onError = (error) => {
      errors.push(error);
      resolve();
    };
  });
  await pty.close(); // like yanking the adapter: the pty master disappears under the open port
  // Linux reports a vanished pty master at the next write (a USB unplug also surfaces on read).
  // Under load the read side may see it first and close the port: then the write itself says so.
  try {
    a.write(Uint8Array.of(0x01, 0x03, 0x00, 0x00, 0x00, 0x07, 0x04, 0x08));
  } catch (error) {
    t.is((error as { code?: string }).code, 'SERIAL_CLOSED', 'a write after the loss is refused with the closed-port error');
  }
  await Promise.race([failed, new Promise((_, reject) => setTimeout(() => reject(new Error('no onError within 3 s')), 3000))]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.is(errors.length, 1);
  t.log(errors[0].message);
  t.regex(errors[0].message, /^serial port \S+ closed unexpectedly \(adapter unplugged\?\)/);
  t.is((errors[0] as { code?: string }).code, 'SERIAL_CLOSED');
});

test('closing is quiet and writes after close throw a clear error', async (t) => {
  const pty = await createPtyPair();
  t.teardown(() => pty.close());
  const a = await openSerialStream({ path: pty.pathA, baud: 9600 });
  let reported: Error | undefined;
  a.onError = (error) => {
    reported = error;
  };
  a.close();
  await a.whenClosed();
  t.is(reported, undefined);
  t.throws(() => a.write(Uint8Array.of(1)), { message: /after the port closed/ });
});
