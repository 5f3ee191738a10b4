import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import type { SerialLineSettings } from '../ports/byte-stream.js';
import { crc16Modbus, withCrc } from './crc16.js';
import { ModbusRtuMaster, interFrameDelayMs } from './rtu-master.js';
import { ScriptedResponder, rtu, type ScriptedReply } from './test-support.js';

const LINE: SerialLineSettings = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 };

function setup(script: (request: Uint8Array, index: number) => ScriptedReply | undefined, options: { retries?: number; timeoutMs?: number } = {}) {
  const clock = new VirtualClock();
  const [masterSide, deviceSide] = createStreamPair({ clock, line: LINE });
  const device = new ScriptedResponder(deviceSide, clock, script);
  const master = new ModbusRtuMaster({ stream: masterSide, clock, retries: options.retries ?? 0, timeoutMs: options.timeoutMs ?? 1000 });
  return { clock, master, device };
}

test('CRC-16/MODBUS matches the classic read-holding-registers vector', (t) => {
  t.is(toHex(withCrc(fromHex('01 03 00 00 00 0a'))), '01030000000ac5cd');
  t.is(crc16Modbus(fromHex('01 03 00 00 00 0a')), 0xcdc5);
});

test('t3.5 is 3.5 characters up to 19200 baud and 1.75 ms above', (t) => {
  t.true(Math.abs(interFrameDelayMs(LINE) - (3.5 * 10 * 1000) / 9600) < 1e-9);
  t.is(interFrameDelayMs({ ...LINE, baud: 38400 }), 1.75);
});

// Request/reply PDUs from the Modbus Application Protocol specification's examples (§6).
const SPEC_EXAMPLES = [
  { name: 'FC01 read coils 20–38', request: '01 0013 0013', reply: '01 03 CD 6B 05' },
  { name: 'FC02 read discrete inputs 197–218', request: '02 00C4 0016', reply: '02 03 AC DB 35' },
  { name: 'FC03 read holding registers 108–110', request: '03 006B 0003', reply: '03 06 022B 0000 0064' },
  { name: 'FC04 read input register 9', request: '04 0008 0001', reply: '04 02 000A' },
  { name: 'FC05 write coil 173 ON', request: '05 00AC FF00', reply: '05 00AC FF00' },
  { name: 'FC06 write register 2', request: '06 0001 0003', reply: '06 0001 0003' },
  { name: 'FC15 write 10 coils from 20', request: '0F 0013 000A 02 CD 01', reply: '0F 0013 000A' },
  { name: 'FC16 write 2 registers from 2', request: '10 0001 0002 04 000A 0102', reply: '10 0001 0002' },
];

test('every function code sends the spec example request and decodes its reply', async (t) => {
  const byRequest = new Map(SPEC_EXAMPLES.map((e) => [toHex(rtu(17, e.request)), rtu(17, e.reply)]));
  const { clock, master, device } = setup((request) => ({ bytes: byRequest.get(toHex(request)) }));
  const coils = await clock.run(master.readCoils(17, 0x13, 0x13));
  t.deepEqual(coils.map((b) => (b ? 1 : 0)).join(''), '1011001111010110101');
  const inputs = await clock.run(master.readDiscreteInputs(17, 0xc4, 0x16));
  t.deepEqual(inputs.map((b) => (b ? 1 : 0)).join(''), '0011010111011011101011');
  t.deepEqual(Array.from(await clock.run(master.readHoldingRegisters(17, 0x6b, 3))), [0x022b, 0, 0x64]);
  t.deepEqual(Array.from(await clock.run(master.readInputRegisters(17, 8, 1))), [10]);
  await clock.run(master.writeSingleCoil(17, 0xac, true));
  await clock.run(master.writeSingleRegister(17, 1, 3));
  await clock.run(master.writeMultipleCoils(17, 0x13, [true, false, true, true, false, false, true, true, true, false]));
  await clock.run(master.writeMultipleRegisters(17, 1, [0x000a, 0x0102]));
  t.is(device.requests.length, 8, 'every request matched a spec example byte for byte');
  t.is(master.stats.responses, 8);
});

test('a reply is only accepted after the line was quiet for t3.5 before the request', async (t) => {
  // When each request reached the device: recorded by its script, which runs as each one arrives. (Not by
  // replacing `requests.push`: an own `push` on an array is an assignment to a frozen built-in's property on
  // Moddable, where the built-ins are frozen, and throws there.)
  const sentAt: number[] = [];
  const { clock, master } = setup(() => {
    sentAt.push(clock.now());
    return { bytes: rtu(1, '03 02 0001'), delayMs: 0 };
  });
  await clock.run(master.readHoldingRegisters(1, 0, 1));
  await clock.run(master.readHoldingRegisters(1, 0, 1));
  const charMs = 10000 / 9600;
  // Second request arrives no sooner than reply wire time + t3.5 + its own wire time after the first.
  t.true(sentAt[1] - sentAt[0] >= 7 * charMs + 3.5 * charMs + 8 * charMs - 1e-9);
});

test('leading noise is skipped and counted; the reply behind it is used', async (t) => {
  const { clock, master } = setup(() => ({ bytes: new Uint8Array([0x00, 0xff, 0x3c, ...rtu(1, '03 04 0102 0304')]) }));
  t.deepEqual(Array.from(await clock.run(master.readHoldingRegisters(1, 0, 2))), [0x0102, 0x0304]);
  t.is(master.stats.discardedBytes, 3);
});

interface FaultCase {
  kind: string;
  reply: (good: Uint8Array) => ScriptedReply;
  name: string;
  code: string;
}

const FAULTS: FaultCase[] = [
  { kind: 'crc', reply: (g) => ({ bytes: g.map((b, i) => (i === g.length - 1 ? b ^ 0x5a : b)) }), name: 'ModbusCrcError', code: 'MODBUS_CRC' },
  { kind: 'exception', reply: () => ({ bytes: rtu(1, '83 02') }), name: 'ModbusExceptionError', code: 'MODBUS_EXCEPTION' },
  { kind: 'silence', reply: () => ({}), name: 'ModbusTimeoutError', code: 'MODBUS_TIMEOUT' },
  { kind: 'slow', reply: (g) => ({ bytes: g, delayMs: 1200 }), name: 'ModbusLateResponseError', code: 'MODBUS_LATE_RESPONSE' },
  { kind: 'garbage', reply: () => ({ bytes: fromHex('a5 5a 13 37 c0 de 99 01') }), name: 'ModbusNoiseError', code: 'MODBUS_NOISE' },
  { kind: 'truncate', reply: (g) => ({ bytes: g.slice(0, g.length - 2) }), name: 'ModbusTruncatedFrameError', code: 'MODBUS_TRUNCATED' },
  { kind: 'wrong-unit', reply: () => ({ bytes: rtu(2, '03 04 0102 0304') }), name: 'ModbusUnitMismatchError', code: 'MODBUS_WRONG_UNIT' },
];

test('each fault kind yields its own named error and the next poll succeeds', async (t) => {
  const seen = new Set<string>();
  for (const fault of FAULTS) {
    const good = rtu(1, '03 04 0102 0304');
    const { clock, master } = setup((_request, index) => (index === 0 ? fault.reply(good) : { bytes: good }));
    const error = await t.throwsAsync(clock.run(master.readHoldingRegisters(1, 0, 2)), { name: fault.name, code: fault.code }, fault.kind);
    seen.add((error as Error).name);
    t.truthy((error as Error).message.includes('unit 1 FC03'), `${fault.kind}: the message says where`);
    t.truthy((error as Error).message.includes('Fix:'), `${fault.kind}: the message says how to fix it`);
    t.deepEqual(Array.from(await clock.run(master.readHoldingRegisters(1, 0, 2))), [0x0102, 0x0304], `${fault.kind}: next poll`);
  }
  t.is(seen.size, FAULTS.length);
});

test('a CRC error is reported at the end of the frame, not after the timeout', async (t) => {
  const good = rtu(1, '03 02 0007');
  const { clock, master } = setup(() => ({ bytes: good.map((b, i) => (i === 3 ? b ^ 1 : b)) }));
  const start = clock.now();
  await t.throwsAsync(clock.run(master.readHoldingRegisters(1, 0, 1)), { code: 'MODBUS_CRC' });
  t.true(clock.now() - start < 100, `took ${clock.now() - start} ms`);
});

test('a silent unit costs one bounded timeout and does not delay other units beyond it', async (t) => {
  const timeoutMs = 300;
  const { clock, master } = setup(
    (request) => (request[0] === 2 ? undefined : { bytes: rtu(request[0], '03 02 0042') }),
    { timeoutMs },
  );
  const lateWindowMs = 500;
  const begin = clock.now();
  t.is((await clock.run(master.readHoldingRegisters(1, 0, 1)))[0], 0x42);
  const healthyCost = clock.now() - begin;
  const silentStart = clock.now();
  const silent = master.readHoldingRegisters(2, 0, 1);
  const after = master.readHoldingRegisters(3, 0, 1); // queued behind the silent unit
  await t.throwsAsync(clock.run(silent), { code: 'MODBUS_TIMEOUT' });
  const silentCost = clock.now() - silentStart;
  t.is((await clock.run(after))[0], 0x42);
  const bound = timeoutMs + lateWindowMs + 2 * interFrameDelayMs(LINE) + 8 * (10000 / 9600);
  t.true(silentCost <= bound, `silent unit cost ${silentCost} ms, bound ${bound} ms`);
  t.true(clock.now() - silentStart <= bound + healthyCost + 1, 'the next unit is served right after the bound');
});

test('retries recover from a transient CRC error; exceptions are not retried', async (t) => {
  const good = rtu(1, '03 02 0001');
  {
    const { clock, master, device } = setup((_r, i) => ({ bytes: i === 0 ? good.map((b, j) => (j === 4 ? b ^ 0xff : b)) : good }), { retries: 2 });
    t.is((await clock.run(master.readHoldingRegisters(1, 0, 1)))[0], 1);
    t.is(device.requests.length, 2);
    t.is(master.stats.retries, 1);
    t.is(master.stats.errors.MODBUS_CRC, 1);
  }
  {
    const { clock, master, device } = setup(() => ({ bytes: rtu(1, '83 04') }), { retries: 2 });
    await t.throwsAsync(clock.run(master.readHoldingRegisters(1, 0, 1)), { name: 'ModbusExceptionError' });
    t.is(device.requests.length, 1);
  }
});

test('invalid requests are refused before anything is sent', async (t) => {
  const { master, device } = setup(() => undefined);
  await t.throwsAsync(master.readHoldingRegisters(1, 0, 126), { code: 'MODBUS_BAD_REQUEST' });
  await t.throwsAsync(master.readHoldingRegisters(0, 0, 1), { code: 'MODBUS_BAD_REQUEST' });
  await t.throwsAsync(master.readHoldingRegisters(248, 0, 1), { code: 'MODBUS_BAD_REQUEST' });
  await t.throwsAsync(master.readCoils(1, 65535, 2), { code: 'MODBUS_BAD_REQUEST' });
  await t.throwsAsync(master.writeSingleRegister(1, 0, 70000), { code: 'MODBUS_BAD_REQUEST' });
  t.is(device.requests.length, 0);
});

test('broadcast writes expect no reply', async (t) => {
  const { clock, master, device } = setup(() => undefined);
  await clock.run(master.writeSingleRegister(0, 5, 9));
  t.is(toHex(device.requests[0]), toHex(rtu(0, '06 0005 0009')));
});

test('property: any register block round-trips through request and reply framing', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 247 }),
      fc.integer({ min: 0, max: 65535 - 125 }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 125 }),
      fc.boolean(),
      async (unit, address, words, input) => {
        const fcode = input ? 4 : 3;
        const data = words.map((w) => w.toString(16).padStart(4, '0')).join('');
        const { clock, master, device } = setup((request) => ({
          bytes: rtu(unit, fcode.toString(16).padStart(2, '0') + (words.length * 2).toString(16).padStart(2, '0') + data),
        }));
        const read = input ? master.readInputRegisters(unit, address, words.length) : master.readHoldingRegisters(unit, address, words.length);
        const got = Array.from(await clock.run(read));
        const request = device.requests[0];
        return (
          got.join() === words.join() &&
          request[0] === unit &&
          request[1] === fcode &&
          ((request[2] << 8) | request[3]) === address &&
          ((request[4] << 8) | request[5]) === words.length
        );
      },
    ),
    { numRuns: 60 },
  );
  t.pass();
});

test('fuzz: random and mutated replies always settle with a Modbus error or valid data, never hang', async (t) => {
  const good = rtu(1, '03 04 0102 0304');
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => good.map((b, j) => (j === i ? v : b))),
        fc.integer({ min: 0, max: good.length }).map((n) => good.slice(0, n)),
        fc.uint8Array({ maxLength: 20 }).map((noise) => new Uint8Array([...noise, ...good])),
      ),
      async (reply) => {
        const { clock, master } = setup(() => ({ bytes: reply }), { timeoutMs: 200 });
        try {
          const words = await clock.run(master.readHoldingRegisters(1, 0, 2), 10_000);
          return words.length === 2;
        } catch (error) {
          return typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('MODBUS_');
        }
      },
    ),
    { numRuns: 150 },
  );
  t.pass();
});
