/**
 * The `embedded:io/serial` double's transmit FIFO: as modules/io/serial/esp32/serial.c
 * does (kTransmitTreshold), it calls onWritable when the 128-byte FIFO has drained
 * to 10 bytes, with the free space then.
 */
import test from 'ava';
import type { ByteStream } from '../../../drivers/ports/byte-stream.js';
import { host } from './host.js';
import Serial from './serial.js';

test('onWritable comes when the transmit FIFO has drained to 10 bytes, as on the ESP32', async (t) => {
  const sent: number[] = [];
  const line: ByteStream = { write: (bytes) => sent.push(bytes.length), onReadable: undefined, onError: undefined, close: () => undefined };
  host.wireUart(7, line);
  const notices: Array<{ atMs: number; free: number }> = [];
  const start = host.clock.now();
  const serial = new Serial({ port: 7, baud: 9600, onWritable: (free) => notices.push({ atMs: host.clock.now() - start, free }) });
  await host.clock.advance(0);
  t.deepEqual(notices, [{ atMs: 0, free: 128 }], 'once at start, with the whole FIFO free');

  serial.write(new Uint8Array(128));
  t.throws(() => serial.write(Uint8Array.of(1)), { message: 'output full' });
  await host.clock.advance(1000);
  const charMs = 10_000 / 9600;
  t.is(notices.length, 2);
  t.is(notices[1].free, 118, '128 − 10 bytes free when the empty interrupt fires');
  t.true(Math.abs(notices[1].atMs - 118 * charMs) < 1e-6, `at ${notices[1].atMs} ms, when 118 characters have left`);
  t.deepEqual(sent, [128]);
  serial.close();
});
