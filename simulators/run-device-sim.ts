/**
 * `axon sim device` behind the CLI: serve one device manifest on a virtual
 * serial port (--pty, a socat pair whose one end is symlinked where the user's
 * master will open it) or on Modbus TCP (--tcp). Modbus devices are answered by
 * modbus-serial's servers (modbus-serial-front.ts); DL/T 645 and CJ/T 188 meters
 * by our runtime-neutral meter slaves over a serial stream on the other pty end.
 */
import type { DeviceManifest } from '../drivers/devices/manifest.js';
import { AxonError } from '../drivers/errors.js';
import { loadDeviceManifest } from '../sdk/manifest/validate.js';
import { NodeClock } from '../firmware/rpi/ports/node-clock.js';
import type { SerialStreamOptions } from '../firmware/rpi/ports/serial-stream.js';
import { DeviceSimulator } from './device-sim.js';
import { parseFaults, type FaultSpec } from './modbus/faults.js';
import { startModbusRtuSim, startModbusTcpSim } from './modbus/modbus-serial-front.js';
import { serveOnPty, serveStreamOnPty } from './pty-serve.js';
import { attachMeterSlave } from './meters/index.js';

export interface RunDeviceSimulatorOptions {
  manifestPath: string;
  /** Path where the master-side end of a new virtual serial port is symlinked, e.g. /tmp/ttyV0. */
  pty?: string;
  /** Modbus TCP port to listen on (0 picks a free one). Modbus devices only. */
  tcp?: number;
  /** Modbus unit id or meter address; default the manifest's defaultAddress. */
  unit?: number | string;
  /** Fault text, e.g. "crc,slow:0.5" (Modbus only). */
  faults?: string;
  seed?: number;
  /** Simulated minutes per real minute (default 1). */
  speed?: number;
  log?: (line: string) => void;
}

export interface RunningDeviceSimulator {
  /** Where a master connects: the pty path or tcp://host:port. */
  endpoint: string;
  simulator: DeviceSimulator;
  close(): Promise<void>;
}

export class DeviceSimulatorOptionsError extends AxonError {
  constructor(message: string, fix: string, where?: string) {
    super('SIM_OPTIONS', message, { fix, where });
  }
}

export async function runDeviceSimulator(options: RunDeviceSimulatorOptions): Promise<RunningDeviceSimulator> {
  const log = options.log ?? (() => undefined);
  if ((options.pty === undefined) === (options.tcp === undefined)) {
    throw new DeviceSimulatorOptionsError('give exactly one of --pty <path> or --tcp <port>', 'e.g. `axon sim device manifests/devices/water-level-rs485.json --pty /tmp/ttyV0`');
  }
  const manifest = loadDeviceManifest(options.manifestPath);
  const faults = parseFaults(options.faults ?? '');
  const speed = options.speed ?? 1;
  if (!(speed > 0)) throw new DeviceSimulatorOptionsError(`speed ${speed} must be a positive number`, 'e.g. --speed 60 plays an hour per minute');
  if (manifest.protocol === 'modbus') return runModbus(manifest, options, faults, speed, log);
  return runMeter(manifest, options, faults, speed, log);
}

function lineText(manifest: DeviceManifest): string {
  const { baud, parity, dataBits, stopBits } = manifest.line;
  return `${baud} ${dataBits ?? 8}${parity[0].toUpperCase()}${stopBits}`;
}

function describeFaults(faults: readonly FaultSpec[]): string {
  return faults.length === 0 ? 'none' : faults.map((f) => `${f.kind}:${f.probability}`).join(',');
}

async function runModbus(
  manifest: DeviceManifest,
  options: RunDeviceSimulatorOptions,
  faults: FaultSpec[],
  speed: number,
  log: (line: string) => void,
): Promise<RunningDeviceSimulator> {
  const unit = options.unit === undefined ? undefined : Number(options.unit);
  if (options.tcp !== undefined) {
    const sim = await startModbusTcpSim({ manifest, port: options.tcp, unit, faults, seed: options.seed, speed });
    const endpoint = `tcp://${sim.host}:${sim.port}`;
    log(`simulating ${manifest.name} (${manifest.id}) as Modbus TCP unit ${sim.unit} on ${endpoint}; faults: ${describeFaults(faults)}`);
    return { endpoint, simulator: sim.simulator, close: () => sim.close() };
  }
  return serveOnPty(options.pty, async (pty) => {
    const sim = await startModbusRtuSim({
      manifest,
      ...serialLine(manifest),
      path: pty.pathB,
      unit,
      faults,
      seed: options.seed,
      speed,
    });
    log(`simulating ${manifest.name} (${manifest.id}) as Modbus RTU unit ${sim.unit} at ${lineText(manifest)} on ${pty.pathA}; faults: ${describeFaults(faults)}`);
    return { simulator: sim.simulator, close: () => sim.close() };
  });
}

function serialLine(manifest: DeviceManifest): Omit<SerialStreamOptions, 'path'> {
  const { baud, parity, stopBits, dataBits } = manifest.line;
  return { baud, parity, stopBits, dataBits };
}

async function runMeter(
  manifest: DeviceManifest,
  options: RunDeviceSimulatorOptions,
  faults: FaultSpec[],
  speed: number,
  log: (line: string) => void,
): Promise<RunningDeviceSimulator> {
  if (options.pty === undefined) {
    throw new DeviceSimulatorOptionsError(`${manifest.protocol} meters talk over a serial line, not Modbus TCP`, 'use --pty <path> for this manifest', options.manifestPath);
  }
  if (faults.length > 0) {
    throw new DeviceSimulatorOptionsError('fault injection is implemented for Modbus devices only', 'drop --faults for meter manifests', options.manifestPath);
  }
  const clock = new NodeClock();
  const simulator = new DeviceSimulator({ manifest, clock, seed: options.seed, speed });
  const address = String(options.unit ?? manifest.defaultAddress);
  return serveStreamOnPty(options.pty, serialLine(manifest), (stream, endpoint) => {
    const slave = attachMeterSlave({ stream, clock, simulator, address });
    log(`simulating ${manifest.name} (${manifest.id}) as ${manifest.protocol} meter ${slave.address} at ${lineText(manifest)} on ${endpoint}`);
    return {
      simulator,
      async close() {
        slave.close();
      },
    };
  });
}
