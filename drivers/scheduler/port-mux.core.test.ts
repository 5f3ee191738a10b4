import { test } from '../../test/kit/core-test.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { PortMux } from './port-mux.js';

const line = { baud: 9600, dataBits: 8 as const, parity: 'none' as const, stopBits: 1 as const };

test('only the channel holding the port transmits and receives; strays are counted, not delivered', async (t) => {
  const clock = new VirtualClock();
  const [port, far] = createStreamPair({ clock, line });
  const mux = new PortMux(port, clock);
  const modbus = mux.channel('modbus');
  const meter = mux.channel('dlt645');
  const got: string[] = [];
  modbus.onReadable = (bytes) => got.push(`modbus ${bytes.length}`);
  meter.onReadable = (bytes) => got.push(`meter ${bytes.length}`);
  t.throws(() => modbus.write(Uint8Array.of(1)), { code: 'PORT_NOT_OWNED' });

  mux.claim(modbus);
  t.throws(() => mux.claim(meter), { code: 'PORT_BUSY' });
  t.throws(() => meter.write(Uint8Array.of(1)), { code: 'PORT_NOT_OWNED' });
  modbus.write(new Uint8Array(8));
  t.true(Math.abs(mux.lastActivity - 8 * 10 / 9.6) < 1e-9, 'line busy until the last byte has left');
  far.write(new Uint8Array(7));
  await clock.advance(50);
  mux.release(modbus);
  far.write(new Uint8Array(3)); // a late reply nobody waits for
  await clock.advance(50);
  mux.claim(meter);
  far.write(new Uint8Array(20));
  await clock.advance(50);
  t.deepEqual(got, ['modbus 7', 'meter 20']);
  t.is(mux.stats.strayBytes, 3);
  t.is(mux.stats.bytesSent, 8);
  t.is(mux.stats.bytesReceived, 30);

  const errors: string[] = [];
  modbus.onError = (e) => errors.push(`modbus ${e.message}`);
  meter.onError = (e) => errors.push(`meter ${e.message}`);
  port.onError?.(new Error('unplugged'));
  t.deepEqual(errors, ['modbus unplugged', 'meter unplugged'], 'a port failure reaches every client');
  meter.close();
  t.is(mux.owner, undefined, 'closing the owner frees the port');
  mux.close();
  t.true(port.closed);
});
