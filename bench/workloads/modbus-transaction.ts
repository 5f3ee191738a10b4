/**
 * Workloads over the whole Modbus RTU stack in virtual time:
 *
 * `modbus.fc03x10_transaction`: ModbusRtuMaster.readHoldingRegisters(1, 0, 10)
 *   over an in-memory serial link (createStreamPair, 9600 8N1, bytes take
 *   their wire time) to a ScriptedResponder that answers after 5 ms, driven by
 *   a VirtualClock until the registers are back. Counts everything on both
 *   sides of the wire: request encoding and CRC, line quiet-time, the far
 *   side's request framing, reply framing and CRC, PDU checks, timers.
 *
 * `modbus.device_readall`: ModbusDevice.readAll() on the same link with the
 *   bench manifest (one read-plan request of 10 registers, 8 points decoded
 *   into readings).
 */
import { ModbusDevice } from '../../drivers/devices/modbus-device.js';
import type { PointReading } from '../../drivers/devices/reading.js';
import { fromHex } from '../../drivers/bytes.js';
import { ModbusRtuMaster } from '../../drivers/modbus/rtu-master.js';
import { ScriptedResponder } from '../../drivers/modbus/test-support.js';
import type { SerialLineSettings } from '../../drivers/ports/byte-stream.js';
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { asyncWorkload, baselines, type WorkloadTable } from './harness.js';
import { BENCH_DEVICE, FC03_ADDRESS, FC03_COUNT, FC03_UNIT, FC03X10_REPLY_HEX } from './fixtures.js';

const LINE: SerialLineSettings = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
/** The far side's turnaround before it starts replying, ms. */
export const REPLY_DELAY_MS = 5;

export interface BenchLink {
  clock: VirtualClock;
  master: ModbusRtuMaster;
  responder: ScriptedResponder;
}

/** A master and a scripted device that always answers with the fixture reply. */
export function createBenchLink(): BenchLink {
  const clock = new VirtualClock();
  const [masterSide, deviceSide] = createStreamPair({ clock, line: LINE });
  const master = new ModbusRtuMaster({ stream: masterSide, clock, retries: 0 });
  const reply = fromHex(FC03X10_REPLY_HEX);
  const responder = new ScriptedResponder(deviceSide, clock, () => ({ bytes: reply, delayMs: REPLY_DELAY_MS }));
  return { clock, master, responder };
}

/** Plain data of a device's readings: id → value, or the error code. */
export function summarizeReadings(readings: Record<string, PointReading>): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [id, reading] of Object.entries(readings)) out[id] = reading.ok ? reading.value : `error ${reading.error.code ?? reading.error.message}`;
  return out;
}

export const workloads: WorkloadTable = {
  ...baselines,
  'modbus.fc03x10_transaction': asyncWorkload(
    'one ModbusRtuMaster FC03 transaction of 10 registers over an in-memory 9600 8N1 link to a scripted device, in virtual time',
    () => {
      const { clock, master } = createBenchLink();
      return () => clock.run(master.readHoldingRegisters(FC03_UNIT, FC03_ADDRESS, FC03_COUNT));
    },
    (registers) => Array.from(registers),
  ),
  'modbus.device_readall': asyncWorkload(
    'one ModbusDevice.readAll() of the 10-register bench manifest (1 FC03 request, 8 points) over the same link',
    () => {
      const { clock, master } = createBenchLink();
      const device = new ModbusDevice({ client: master, manifest: BENCH_DEVICE, unit: FC03_UNIT, retries: 0 });
      return () => clock.run(device.readAll());
    },
    summarizeReadings,
  ),
};
