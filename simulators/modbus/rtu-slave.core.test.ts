import { test } from '../../test/kit/core-test.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { createStreamPair, type MemoryStream } from '../../drivers/ports/memory-stream.js';
import { withCrc, hasValidCrc } from '../../drivers/modbus/crc16.js';
import { fromHex, toHex } from '../../drivers/bytes.js';
import { DeviceSimulator } from '../device-sim.js';
import { FaultInjector } from './faults.js';
import { RtuSlave, expectedRequestLength } from './rtu-slave.js';
import { LEVEL_SENSOR } from './test-fixture.js';

const LINE = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;

function setup(options: { faults?: FaultInjector; turnaroundMs?: number } = {}) {
  const clock = new VirtualClock();
  const [master, wire] = createStreamPair({ clock, line: LINE });
  const device = new DeviceSimulator({ manifest: LEVEL_SENSOR, clock });
  const slave = new RtuSlave({ stream: wire, clock, unit: 1, device, ...options });
  const received: Array<{ at: number; bytes: string }> = [];
  master.onReadable = (bytes) => received.push({ at: clock.now(), bytes: toHex(bytes, ' ') });
  return { clock, master, slave, device, received };
}

function send(master: MemoryStream, hex: string): void {
  master.write(fromHex(hex));
}

test('a handcrafted FC03 request gets the right reply after wire time and turnaround', async (t) => {
  const { clock, master, received, slave } = setup({ turnaroundMs: 10 });
  // Unit 1, FC03, address 0, count 7: the textbook request 01 03 00 00 00 07 + CRC 04 08.
  send(master, '01 03 00 00 00 07 04 08');
  await clock.advance(200);
  t.is(received.length, 1);
  // 1, 3, 0, 1, 0, 0, 500 (0x01f4).
  t.is(received[0].bytes.slice(0, 3 * 14 - 1), '01 03 0e 00 01 00 03 00 00 00 01 00 00 00 00 01 f4'.slice(0, 3 * 14 - 1));
  const bytes = fromHex(received[0].bytes);
  t.true(hasValidCrc(bytes));
  t.is(toHex(bytes.subarray(0, bytes.length - 2), ' '), '01 03 0e 00 01 00 03 00 00 00 01 00 00 00 00 01 f4');
  // 8 request bytes + 10 ms turnaround + 19 reply bytes at 9600 8N1 (1.0417 ms each).
  const expected = (8 + 19) * (10 / 9.6) + 10;
  t.true(Math.abs(received[0].at - expected) < 0.01, `reply at ${received[0].at} ms, expected ${expected}`);
  t.is(slave.stats.replies, 1);
});

test('FC04, FC01, FC02, FC05, FC06, FC16 and FC15 round trips', async (t) => {
  const { clock, master, received, device } = setup();
  const exchange = async (pdu: number[]) => {
    received.length = 0;
    master.write(withCrc(Uint8Array.of(1, ...pdu)));
    await clock.advance(300);
    t.is(received.length, 1, `one reply to ${toHex(Uint8Array.of(...pdu))}`);
    const bytes = fromHex(received.map((r) => r.bytes).join(' '));
    t.true(hasValidCrc(bytes));
    return Array.from(bytes.subarray(1, bytes.length - 2));
  };
  t.deepEqual((await exchange([4, 0, 0, 0, 2])).slice(0, 4), [4, 4, 0x41, 0x40], 'float32 just above 12.0 (the sine has moved a few ms)');
  t.deepEqual(await exchange([1, 0, 0, 0, 3]), [1, 1, 0b100]);
  t.deepEqual(await exchange([2, 0, 0, 0, 1]), [2, 1, 0]);
  t.deepEqual(await exchange([5, 0, 0, 0xff, 0]), [5, 0, 0, 0xff, 0], 'FC05 echoes');
  t.is(device.pointValues().relay, true);
  t.deepEqual(await exchange([6, 0, 3, 0, 2]), [6, 0, 3, 0, 2], 'FC06 echoes');
  t.is(device.pointValues().decimals, 2);
  t.deepEqual(await exchange([16, 0, 6, 0, 1, 2, 0x03, 0x20]), [16, 0, 6, 0, 1]);
  t.is(device.pointValues().range_full, 800);
  t.deepEqual(await exchange([15, 0, 0, 0, 1, 1, 0]), [15, 0, 0, 0, 1]);
  t.is(device.pointValues().relay, false);
  t.deepEqual(await exchange([3, 0, 17, 0, 1]), [0x83, 2], 'exception 2 outside the map');
  t.deepEqual(await exchange([5, 0, 0, 0x12, 0x34]), [0x85, 3], 'FC05 value must be FF00 or 0000');
});

test('requests with a bad CRC are ignored', async (t) => {
  const { clock, master, received, slave } = setup();
  send(master, '01 03 00 00 00 07 04 09');
  await clock.advance(500);
  t.deepEqual(received, []);
  t.is(slave.stats.ignoredBadCrc, 1);
  // The slave recovers for the next good request.
  send(master, '01 03 00 00 00 07 04 08');
  await clock.advance(500);
  t.is(received.length, 1);
});

test('requests for another unit are ignored', async (t) => {
  const { clock, master, received, slave } = setup();
  master.write(withCrc(Uint8Array.of(2, 3, 0, 0, 0, 7)));
  await clock.advance(500);
  t.deepEqual(received, []);
  t.is(slave.stats.ignoredOtherUnit, 1);
  t.is(slave.stats.requests, 0);
});

test('broadcast writes are applied without a reply', async (t) => {
  const { clock, master, received, device } = setup();
  master.write(withCrc(Uint8Array.of(0, 6, 0, 6, 0x02, 0x58)));
  await clock.advance(500);
  t.deepEqual(received, []);
  t.is(device.pointValues().range_full, 600);
});

test('partial frames are dropped after the gap; unknown functions get exception 1', async (t) => {
  const { clock, master, received, slave } = setup();
  send(master, '01 03 00');
  await clock.advance(100);
  t.is(slave.stats.droppedPartial, 1);
  master.write(withCrc(Uint8Array.of(1, 0x2b, 0x0e, 1, 0)));
  await clock.advance(500);
  t.is(received.length, 1);
  t.is(received[0].bytes, toHex(withCrc(Uint8Array.of(1, 0xab, 1)), ' '));
});

test('a request split into chunks is still framed by its length', async (t) => {
  const { clock, master, received } = setup();
  const request = withCrc(Uint8Array.of(1, 16, 0, 6, 0, 1, 2, 0x03, 0x20));
  t.is(expectedRequestLength(request.subarray(0, 6)), undefined);
  t.is(expectedRequestLength(request.subarray(0, 7)), 11);
  master.write(request.subarray(0, 4));
  await clock.advance(5);
  master.write(request.subarray(4));
  await clock.advance(300);
  t.is(received.length, 1);
});

test('faults: injected silence, wrong unit and slow replies', async (t) => {
  const faults = new FaultInjector({ seed: 1 });
  const { clock, master, received, slave } = setup({ faults, turnaroundMs: 10 });
  const request = '01 03 00 04 00 01';
  const ask = async () => {
    received.length = 0;
    master.write(withCrc(fromHex(request)));
    await clock.advance(2000);
  };
  faults.injectNext('silence');
  await ask();
  t.deepEqual(received, []);
  t.is(slave.lastFault, 'silence');
  faults.injectNext('wrong-unit');
  await ask();
  t.is(received[0].bytes, toHex(withCrc(Uint8Array.of(2, 3, 2, 0, 0)), ' '));
  faults.injectNext('slow');
  const sentAt = clock.now();
  await ask();
  t.is(received.length, 1);
  t.true(received[0].at - sentAt > 1200, `slow reply after ${received[0].at - sentAt} ms`);
  await ask();
  t.is(received[0].bytes, toHex(withCrc(Uint8Array.of(1, 3, 2, 0, 0)), ' '), 'normal replies resume');
  t.is(slave.stats.faults, 3);
});
