/**
 * Device conformance: drive a manifest's generic driver against the manifest's
 * own simulator, over the real protocol framing on an in-memory serial line in
 * virtual time, and compare every point the driver decodes with the value the
 * simulator put on the wire. A manifest whose registers, types, orders, scales,
 * DIs or fields do not line up fails here before it reaches a field site.
 * Runtime-neutral: runs on Node and inside XS.
 */
import type { DeviceManifest, DevicePoint } from '../../drivers/devices/manifest.js';
import { isModbusPoint } from '../../drivers/devices/manifest.js';
import { MeterDevice } from '../../drivers/devices/meter-device.js';
import { ModbusDevice } from '../../drivers/devices/modbus-device.js';
import type { PointReading } from '../../drivers/devices/reading.js';
import { Cjt188Client } from '../../drivers/cjt188/client.js';
import { Dlt645Client } from '../../drivers/dlt645/client.js';
import { lookupDataId } from '../../drivers/dlt645/data-ids.js';
import { ModbusRtuMaster } from '../../drivers/modbus/rtu-master.js';
import { createStreamPair } from '../../drivers/ports/memory-stream.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { DeviceSimulator } from '../../simulators/device-sim.js';
import { attachMeterSlave } from '../../simulators/meters/meter-sim.js';
import { RtuSlave } from '../../simulators/modbus/rtu-slave.js';

export interface PointCheck {
  pointId: string;
  /** Simulated minute at which the poll ran. */
  minute: number;
  expected: number | boolean | undefined;
  reading: PointReading;
  ok: boolean;
  problem?: string;
}

export interface ConformanceReport {
  manifestId: string;
  checks: PointCheck[];
  ok: boolean;
}

export interface ConformanceOptions {
  /** Simulated minutes at which to poll (default a spread across the sim scenarios). */
  minutes?: number[];
  seed?: number;
  /**
   * The device as it really behaves, when it differs from the manifest under
   * test (e.g. a reference manifest checked against a vendor's draft).
   * Default: the manifest under test simulates itself.
   */
  deviceManifest?: DeviceManifest;
}

const DEFAULT_MINUTES = [0, 30, 75, 120, 200, 400];

export async function checkConformance(manifest: DeviceManifest, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const checks: PointCheck[] = [];
  for (const minute of options.minutes ?? DEFAULT_MINUTES) {
    // A frozen simulator (speed 0) at each minute: the models move continuously,
    // and a poll takes tens of ms of line time, so a running one would drift
    // between the read and the comparison.
    const clock = new VirtualClock();
    const line = { baud: manifest.line.baud, dataBits: manifest.line.dataBits ?? 8, parity: manifest.line.parity, stopBits: manifest.line.stopBits };
    const [gatewaySide, deviceSide] = createStreamPair({ clock, line });
    const simulator = new DeviceSimulator({ manifest: options.deviceManifest ?? manifest, clock, seed: options.seed ?? 1, startMinutes: minute, speed: 0 });
    const readAll = buildDriver(manifest, clock, gatewaySide, deviceSide, simulator);
    const readings = await clock.run(readAll());
    const expected = simulator.pointValues();
    for (const point of manifest.points) {
      // Config registers (decimal places, range) are read by the driver for its own use, not reported.
      if (point.role === 'config' && readings[point.id] === undefined) continue;
      checks.push(compare(point, minute, expected[point.id], readings[point.id]));
    }
  }
  return { manifestId: manifest.id, checks, ok: checks.length > 0 && checks.every((c) => c.ok) };
}

type ReadAll = () => Promise<Record<string, PointReading>>;

function buildDriver(
  manifest: DeviceManifest,
  clock: VirtualClock,
  gatewaySide: ReturnType<typeof createStreamPair>[0],
  deviceSide: ReturnType<typeof createStreamPair>[1],
  simulator: DeviceSimulator,
): ReadAll {
  if (manifest.protocol === 'modbus') {
    const unit = Number(manifest.defaultAddress);
    new RtuSlave({ stream: deviceSide, clock, unit, device: simulator });
    const master = new ModbusRtuMaster({ stream: gatewaySide, clock, timeoutMs: manifest.timeoutMs ?? 1000, retries: 0 });
    const device = new ModbusDevice({ client: master, manifest, unit });
    return () => device.readAll();
  }
  const address = String(manifest.defaultAddress);
  attachMeterSlave({ stream: deviceSide, clock, simulator, address });
  const client =
    manifest.protocol === 'cjt188'
      ? new Cjt188Client({ stream: gatewaySide, clock, retries: 0 })
      : new Dlt645Client({ stream: gatewaySide, clock, retries: 0 });
  const device = new MeterDevice({ client, manifest, address });
  return () => device.readAll();
}

function compare(point: DevicePoint, minute: number, expected: number | boolean | undefined, reading: PointReading | undefined): PointCheck {
  const base = { pointId: point.id, minute, expected };
  if (reading === undefined) {
    return { ...base, reading: { ok: false, error: new Error('no reading') }, ok: false, problem: 'the driver returned no reading for this point' };
  }
  if (!reading.ok) {
    const outOfRange = reading.error.code === 'POINT_OUT_OF_RANGE';
    // A simulated value outside the manifest's min/max must be flagged, not stored.
    const ok = outOfRange && typeof expected === 'number' && ((point.min !== undefined && expected < point.min) || (point.max !== undefined && expected > point.max));
    return { ...base, reading, ok, problem: ok ? undefined : `read failed: ${reading.error.message}` };
  }
  if (typeof expected === 'boolean' || typeof reading.value === 'boolean') {
    const ok = Boolean(expected) === Boolean(reading.value);
    return { ...base, reading, ok, problem: ok ? undefined : `read ${String(reading.value)}, simulator has ${String(expected)}` };
  }
  if (expected === undefined) return { ...base, reading, ok: false, problem: 'the simulator has no value for this point' };
  const tolerance = 1e-9 + resolution(point, expected);
  const ok = Math.abs(reading.value - expected) <= tolerance;
  return { ...base, reading, ok, problem: ok ? undefined : `read ${reading.value}, simulator has ${expected}` };
}

/** Half a least-significant step of the point's wire encoding (floats: their own precision). */
function resolution(point: DevicePoint, expected: number): number {
  if (!isModbusPoint(point)) {
    const format = lookupDataId(point.di);
    return 0.5 * 10 ** -(format?.decimals ?? 2);
  }
  if (point.type === 'float32') return Math.abs(expected) * 2 ** -23;
  if (point.type === 'float64' || point.type === 'bool') return 0;
  return Math.abs(point.scale ?? 1) / 2;
}
