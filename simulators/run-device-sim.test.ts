import test from 'ava';
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import modbusSerial from 'modbus-serial';
import type { ModbusRTU as ModbusRTUClient } from 'modbus-serial/ModbusRTU.js';
import { fromHex, toHex } from '../drivers/bytes.js';
import { openSerialStream, type SerialStream } from '../firmware/rpi/ports/serial-stream.js';
import { runDeviceSimulator } from './run-device-sim.js';

const ModbusRTU = modbusSerial as unknown as typeof ModbusRTUClient;
const manifests = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../manifests/devices');
let linkCounter = 0;
const freshLink = () => path.join(os.tmpdir(), `axon-sim-test-${process.pid}-${linkCounter++}`);

test('--pty: a Modbus manifest is served where the user asked, and the link goes away on close', async (t) => {
  const link = freshLink();
  const lines: string[] = [];
  const sim = await runDeviceSimulator({ manifestPath: path.join(manifests, 'water-level-rs485.json'), pty: link, seed: 3, log: (l) => lines.push(l) });
  t.teardown(() => sim.close());
  t.is(sim.endpoint, link);
  t.regex(lines[0], /Modbus RTU unit 1 at 9600 8N1 on .*axon-sim-test/);
  const client = new ModbusRTU();
  await client.connectRTUBuffered(link, { baudRate: 9600 });
  client.setID(1);
  client.setTimeout(1000);
  const regs = await client.readHoldingRegisters(0, 7);
  await new Promise<void>((resolve) => client.close(() => resolve()));
  // Level (register 4) is 0 cm plus up to 0.3 cm of sensor noise before the storm: raw 0..3 at one decimal.
  t.deepEqual([...regs.data.slice(0, 4), ...regs.data.slice(5)], [1, 3, 1, 1, 0, 5000]);
  t.true(regs.data[4] >= 0 && regs.data[4] <= 3, `level raw ${regs.data[4]}`);
  t.is(sim.simulator.pointValues().range_full, 500);
  await sim.close();
  t.false(existsSync(link));
});

test('--tcp: a Modbus manifest over Modbus TCP on an ephemeral port', async (t) => {
  const sim = await runDeviceSimulator({ manifestPath: path.join(manifests, 'water-level-rs485.json'), tcp: 0, faults: 'silence:0' });
  t.teardown(() => sim.close());
  const match = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(sim.endpoint);
  t.truthy(match, sim.endpoint);
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: Number(match?.[1]) });
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())));
  client.setID(1);
  t.deepEqual((await client.readHoldingRegisters(0, 4)).data, [1, 3, 1, 1]);
});

function reply(stream: SerialStream, endByte: number, timeoutMs = 3000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const bytes: number[] = [];
    const timer = setTimeout(() => reject(new Error(`no complete reply: ${toHex(Uint8Array.from(bytes), ' ')}`)), timeoutMs);
    stream.onReadable = (chunk) => {
      bytes.push(...chunk);
      const start = bytes.indexOf(0x68);
      // Length byte sits at a fixed offset; wait for the full frame ending in 16.
      if (start >= 0 && bytes.length > start + endByte && bytes.length >= start + endByte + bytes[start + endByte] + 3 && bytes[bytes.length - 1] === 0x16) {
        clearTimeout(timer);
        resolve(Uint8Array.from(bytes.slice(start)));
      }
    };
  });
}

test('--pty: a DL/T 645-2007 meter answers the public read request', async (t) => {
  const link = freshLink();
  const sim = await runDeviceSimulator({ manifestPath: path.join(manifests, 'dlt645-meter.json'), pty: link });
  t.teardown(() => sim.close());
  const master = await openSerialStream({ path: link, baud: 2400, parity: 'even' });
  t.teardown(() => master.close());
  const answer = reply(master, 9);
  master.write(fromHex('68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16'));
  const frame = await answer;
  // Address 000000000161, control 91, 8 data bytes: DI 00010000 then 0.06 kWh (+0x33 each).
  t.is(toHex(frame.subarray(0, 18), ' '), '68 61 01 00 00 00 00 68 91 08 33 33 34 33 39 33 33 33');
});

test('--pty: a CJ/T 188 water meter answers 901F with its accumulated flow', async (t) => {
  const link = freshLink();
  const sim = await runDeviceSimulator({ manifestPath: path.join(manifests, 'cjt188-water-meter.json'), pty: link });
  t.teardown(() => sim.close());
  const master = await openSerialStream({ path: link, baud: 2400, parity: 'even' });
  t.teardown(() => master.close());
  const answer = reply(master, 10);
  master.write(fromHex('68 10 12 00 00 00 00 00 00 01 03 90 1F 00 3D 16'));
  const frame = await answer;
  t.is(frame[9], 0x81, 'read-data reply');
  // 1523.41 m³ as BCD XXXXXX.XX, low byte first.
  t.true(toHex(frame, ' ').includes('41 23 15 00'), toHex(frame, ' '));
});

test('option mistakes are explained', async (t) => {
  const file = path.join(manifests, 'water-level-rs485.json');
  await t.throwsAsync(runDeviceSimulator({ manifestPath: file }), { message: /exactly one of --pty <path> or --tcp <port>/ });
  await t.throwsAsync(runDeviceSimulator({ manifestPath: file, pty: freshLink(), tcp: 0 }), { message: /exactly one/ });
  await t.throwsAsync(runDeviceSimulator({ manifestPath: path.join(manifests, 'dlt645-meter.json'), tcp: 0 }), { message: /serial line, not Modbus TCP/ });
  await t.throwsAsync(runDeviceSimulator({ manifestPath: file, tcp: 0, faults: 'crc' }), { message: /crc fault does not exist on Modbus TCP/ });
  await t.throwsAsync(runDeviceSimulator({ manifestPath: file, tcp: 0, faults: 'bitrot' }), { message: /unknown fault kind "bitrot"/ });
});
