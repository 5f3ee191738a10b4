/**
 * `axon sim device`: one simulated field device on a virtual serial port or
 * Modbus TCP, until Ctrl-C. The counterpart of every other command: run it in
 * one terminal, point `axon modbus read`, a SCADA package or the gateway at it
 * in another.
 */
import type { DevicePoint } from '../../../drivers/devices/manifest.js';
import { FaultConfigError, parseFaults } from '../../../simulators/modbus/faults.js';
import { runDeviceSimulator, type RunDeviceSimulatorOptions, type RunningDeviceSimulator } from '../../../simulators/run-device-sim.js';
import { loadDeviceManifest } from '../../manifest/validate.js';
import type { Command } from '../command.js';
import { untilSignal } from '../until-signal.js';
import { UsageError, type Flags } from '../args.js';

const FAULT_HELP = 'crc, exception, silence, slow, garbage, truncate, wrong-unit';

export const simDevice: Command = {
  group: 'sim',
  name: 'device',
  summary: 'simulate one device from its manifest on a virtual serial port (--pty) or Modbus TCP (--tcp)',
  usage: '--manifest <file> (--pty <link path> | --tcp <port>) [--unit <n>] [--fault <kind>[:p][,…]] [options]',
  flags: {
    manifest: { type: 'string', value: '<file>', description: 'device manifest, e.g. manifests/devices/water-level-rs485.json', required: true },
    pty: { type: 'string', value: '<link path>', description: 'create a virtual serial port (socat pty pair) and symlink the master end here, e.g. /tmp/ttyV0' },
    tcp: { type: 'string', value: '<port>', description: 'serve Modbus TCP on 127.0.0.1:<port> instead (Modbus manifests only; 0 picks a free port)' },
    unit: { type: 'string', value: '<n | address>', description: 'Modbus unit id 1–247, or meter address for DL/T 645 / CJ/T 188', default: 'from the manifest' },
    fault: { type: 'string', value: '<kind[:p],…>', description: `inject faults into replies, each with probability p (default 0.2): ${FAULT_HELP}` },
    faults: { type: 'string', value: '<kind[:p],…>', description: 'same as --fault' },
    seed: { type: 'string', value: '<n>', description: 'random seed for sensor noise and faults (same seed, same run)', default: '1' },
    speed: { type: 'string', value: '<x>', description: 'simulated minutes per real minute (60 plays an hour-long storm in a minute)', default: '1' },
    interval: { type: 'string', value: '<s>', description: 'seconds between status lines with the current point values', default: '10' },
    quiet: { type: 'boolean', description: 'no status lines, only where it listens' },
  },
  details: [
    'Modbus devices are answered by modbus-serial\'s server (an independent implementation),',
    'at the manifest\'s line settings; meters by Axon\'s DL/T 645 / CJ/T 188 slaves. The first',
    'output line says where the device listens, then "listening on <path | tcp://host:port>".',
    'Faults apply to Modbus replies only; crc does not exist on TCP. Stop with Ctrl-C.',
  ].join('\n'),
  examples: [
    'axon sim device --manifest manifests/devices/water-level-rs485.json --pty /tmp/ttyV0',
    'axon sim device --manifest manifests/devices/water-level-rs485.json --tcp 5020 --fault crc:0.1,slow:0.1',
    'axon sim device --manifest manifests/devices/dlt645-meter.json --pty /tmp/ttyV1',
  ],

  async run({ flags }, io) {
    const options = readOptions(flags);
    const interval = flags.int('interval', { min: 1, max: 86_400, default: 10 });
    const quiet = flags.bool('quiet');

    const sim = await runDeviceSimulator({ ...options, log: (text) => io.out(text) });
    io.out(`listening on ${sim.endpoint}`);
    const timer = quiet ? undefined : setInterval(() => io.out(statusLine(sim)), interval * 1000);
    const signal = await untilSignal();
    if (timer !== undefined) clearInterval(timer);
    io.err(`${signal}: stopping the simulator`);
    await sim.close();
    return 0;
  },
};

function readOptions(flags: Flags): RunDeviceSimulatorOptions {
  const command = 'sim device';
  const manifestPath = flags.requiredString('manifest');
  const pty = flags.string('pty');
  const tcp = flags.int('tcp', { min: 0, max: 65535 });
  if ((pty === undefined) === (tcp === undefined)) throw new UsageError('give exactly one of --pty <link path> or --tcp <port>', command);
  if (flags.has('fault') && flags.has('faults')) throw new UsageError('give --fault or --faults, not both', command);
  const faults = flags.string('fault') ?? flags.string('faults');
  if (faults !== undefined) {
    try {
      parseFaults(faults);
    } catch (error) {
      if (error instanceof FaultConfigError) throw new UsageError(`--fault "${faults}": ${error.message}`, command);
      throw error;
    }
  }
  const seed = flags.int('seed', { min: 0, max: 0xffffffff, default: 1 });
  const speedText = flags.string('speed');
  const speed = speedText === undefined ? 1 : Number(speedText);
  if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed must be a positive number, not "${speedText}"`, command);

  const options: RunDeviceSimulatorOptions = { manifestPath, seed, speed };
  if (pty !== undefined) options.pty = pty;
  if (tcp !== undefined) options.tcp = tcp;
  if (faults !== undefined) options.faults = faults;
  const unit = flags.string('unit');
  if (unit !== undefined) {
    // Only a Modbus unit is a number; a meter address keeps its leading zeros.
    const manifest = loadDeviceManifest(manifestPath);
    if (manifest.protocol === 'modbus') {
      if (!/^\d+$/.test(unit) || Number(unit) < 1 || Number(unit) > 247) throw new UsageError(`--unit "${unit}" must be a Modbus unit id 1–247`, command);
      options.unit = Number(unit);
    } else {
      options.unit = unit;
    }
  }
  return options;
}


/** "12:00:05 level=0.1 cm" for the points that change; config registers would only add noise. */
export function statusLine(sim: RunningDeviceSimulator): string {
  const values = sim.simulator.pointValues();
  const points: DevicePoint[] = sim.simulator.manifest.points;
  const shown = points.filter((p) => p.role !== 'config');
  const parts = (shown.length > 0 ? shown : points).map((p) => `${p.id}=${format(values[p.id])}${p.unit ? ' ' + p.unit : ''}`);
  const time = new Date().toTimeString().slice(0, 8);
  return `${time} ${parts.join('  ')}`;
}

function format(value: number | boolean | undefined): string {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}
