/**
 * `axon modbus write`: change a device's configuration (a transmitter's unit
 * id, a threshold) the way a field engineer should: only where the device's
 * manifest says a config register is writable, with a dry run that shows the
 * exact request frame and what it would change, and a read-back that proves the
 * device kept the value.
 */
import type { DeviceManifest, ModbusPoint } from '../../../drivers/devices/manifest.js';
import { isModbusPoint } from '../../../drivers/devices/manifest.js';
import { AxonError } from '../../../drivers/errors.js';
import { withCrc } from '../../../drivers/modbus/crc16.js';
import type { ModbusMaster } from '../../../drivers/modbus/master.js';
import {
  prepareWriteMultipleCoils,
  prepareWriteMultipleRegisters,
  prepareWriteSingleCoil,
  prepareWriteSingleRegister,
  type PreparedRequest,
  type WriteFunction,
} from '../../../drivers/modbus/pdu.js';
import { mbapFrame } from '../../../drivers/modbus/tcp-master.js';
import { loadDeviceManifest } from '../../manifest/validate.js';
import { UsageError, parseInteger, type Flags } from '../args.js';
import type { Command, CommandIo } from '../command.js';
import { lineText, openModbus, parsePortSpec, readSerialLine, serialLineFlags, type SerialLine } from '../open-link.js';
import { checkWrite, pointChanges, spanOf, tableOf, type PointChange } from './modbus-write-check.js';

const COMMAND = 'modbus write';
const MODBUS_LINE: SerialLine = { baud: 9600, parity: 'none', stopBits: 1 };
const FUNCTIONS = ['5', '6', '15', '16'] as const;

export const modbusWrite: Command = {
  group: 'modbus',
  name: 'write',
  summary: 'write coils (FC05/FC15) or holding registers (FC06/FC16) the manifest marks as writable config, then read them back',
  usage: '--port <tty path | tcp://host:port> --unit <n> --fc 5|6|15|16 --address <a> --value <v[,v…]> --manifest <file> [--dry-run] [--force] [options]',
  flags: {
    port: { type: 'string', value: '<tty path | tcp://host:port>', description: 'serial device (e.g. /dev/ttyUSB0) or Modbus TCP endpoint (port defaults to 502)', required: true },
    ...serialLineFlags(MODBUS_LINE),
    unit: { type: 'string', value: '<n>', description: 'unit id (slave address): 1–247 on serial, 1–255 over TCP (no broadcast: a broadcast cannot be read back)', required: true },
    fc: { type: 'string', value: '<5|6|15|16>', description: 'function: 6 one register, 16 several registers, 5 one coil, 15 several coils', required: true },
    address: { type: 'string', value: '<a>', description: 'first register/coil, zero-based as on the wire (decimal or 0x hex)', required: true },
    value: { type: 'string', value: '<v[,v…]>', description: 'raw register words (-32768–65535, decimal or 0x hex) or coil states (1/0, on/off), comma-separated; one for FC05/FC06', required: true },
    manifest: { type: 'string', value: '<file>', description: "the device's manifest; every address written must be a config point marked \"writable\": true" },
    force: { type: 'boolean', description: 'write even where the manifest does not allow it (or without a manifest); the reasons are printed as warnings' },
    'dry-run': { type: 'boolean', description: 'print the request frame and what would change (reads the current values), write nothing' },
    timeout: { type: 'string', value: '<ms>', description: 'response timeout per attempt', default: '1000' },
    retries: { type: 'string', value: '<n>', description: 'extra attempts after a timeout, CRC error or noise (never after an exception)', default: '1' },
    json: { type: 'boolean', description: 'print one JSON object: request, before, written, readBack, match, points' },
  },
  details: [
    'The manifest check comes first: an address that is not a writable config point, or half of',
    'a 32-bit point, is refused (exit 1) before the port is opened, unless --force. Then the',
    'current values are read, the request is sent, and the same registers are read back: both are',
    'printed, and the exit code is 1 when the device does not hold what was written (it clamped,',
    'ignored or masked the value). Writing the unit id or baud code of a device that applies it at',
    'once makes it answer the read-back at the new setting only: expect a timeout there.',
  ].join('\n'),
  examples: [
    'axon modbus write --port /dev/ttyUSB0 --unit 1 --fc 6 --address 0 --value 5 --manifest manifests/devices/water-level-rs485.json',
    'axon modbus write --port /dev/ttyUSB0 --unit 3 --fc 6 --address 16 --value 600 --manifest manifests/devices/smoke-heat-detector.json --dry-run',
    'axon modbus write --port tcp://192.168.1.50:502 --unit 1 --fc 16 --address 16 --value 0x4040,0x0000 --manifest manifests/devices/radar-level-gauge.json',
  ],

  async run({ flags }, io) {
    const spec = parsePortSpec(flags.requiredString('port'), COMMAND);
    const line = readSerialLine(flags, MODBUS_LINE);
    const unit = flags.requiredInt('unit', spec.kind === 'tcp' ? { min: 1, max: 255 } : { min: 1, max: 247 });
    if (!flags.has('fc')) throw new UsageError('missing required flag --fc <5|6|15|16>', COMMAND);
    const fc = Number(flags.oneOf('fc', FUNCTIONS, '6')) as WriteFunction;
    const address = flags.requiredInt('address', { min: 0, max: 0xffff });
    const words = readValues(flags, fc);
    if (address + words.length > 0x10000) throw new UsageError(`--address ${address} plus ${words.length} value(s) runs past address 65535`, COMMAND);
    const force = flags.bool('force');
    const dryRun = flags.bool('dry-run');
    const json = flags.bool('json');
    const timeoutMs = flags.int('timeout', { min: 1, max: 60_000, default: 1000 });
    const retries = flags.int('retries', { min: 0, max: 10, default: 1 });

    const manifestPath = flags.string('manifest');
    if (manifestPath === undefined && !force) {
      throw new UsageError('give --manifest <file> so the write can be checked against the registers the device marks writable (or --force to write unchecked)', COMMAND);
    }
    const manifest = manifestPath === undefined ? undefined : loadDeviceManifest(manifestPath);
    if (manifest !== undefined && manifest.protocol !== 'modbus') {
      throw new UsageError(`${manifestPath} describes a ${manifest.protocol} device, not a Modbus one`, COMMAND);
    }
    const check = manifest === undefined ? { points: [], problems: ['no manifest given: nothing checked'] } : checkWrite(manifest, fc, address, words.length);
    if (check.problems.length > 0 && !force) {
      throw new AxonError('MODBUS_WRITE_REFUSED', `FC${pad(fc)} at address ${address} (${words.length} value(s)) is not allowed by the manifest: ${check.problems.join('; ')}`, {
        where: manifestPath,
        fix: 'write only config points marked "writable": true (see `axon manifest validate` and manifests/README.md), or add --force if you know the device accepts this write',
      });
    }
    for (const problem of check.problems) io.err(`warning (--force): ${problem}`);

    const request = prepareRequest(unit, fc, address, words);
    const frame = spec.kind === 'tcp' ? mbapFrame(1, request) : withCrc(new Uint8Array([unit, ...request.pdu]));
    const where = spec.kind === 'tcp' ? spec.text : `${spec.path} (${lineText(line)})`;
    const report: WriteReport = { fc, unit, address, written: words, request: hex(frame), dryRun };
    if (!json) {
      io.out(`unit ${unit} FC${pad(fc)} on ${where}`);
      io.out(`request   ${report.request}${spec.kind === 'tcp' ? '  (MBAP header, transaction id 1)' : '  (RTU, CRC last)'}`);
    }

    const modbus = await openModbus(spec, line, { timeoutMs, retries });
    try {
      const { master } = modbus;
      const span = spanOf(check.points, address, words.length);
      const before = await readWords(master, unit, fc, span.address, span.count);
      report.before = before.slice(address - span.address, address - span.address + words.length);
      if (manifest !== undefined) {
        const decimals = await decimalsReader(master, unit, manifest, check.points);
        report.points = pointChanges(check.points, { address: span.address, words: before }, { address, words }, decimals);
      }
      if (!json) printChanges(io, fc, address, report);
      if (dryRun) {
        if (json) io.out(JSON.stringify(report));
        else io.out('dry run: nothing written');
        return 0;
      }
      await sendWrite(master, unit, fc, address, words);
      const readBack = await readWords(master, unit, fc, address, words.length);
      report.readBack = readBack;
      report.match = readBack.every((word, i) => word === (words[i] & 0xffff));
      if (json) io.out(JSON.stringify(report));
      else {
        io.out(`wrote     ${wordsText(fc, words)}`);
        io.out(`read back ${wordsText(fc, readBack)}${report.match ? '  (matches)' : '  (DIFFERS)'}`);
      }
      if (!report.match) {
        io.err(
          `axon: unit ${unit} holds ${wordsText(fc, readBack)} at ${address} after being written ${wordsText(fc, words)} (at ${where}) ` +
            'Fix: the device clamped, masked or ignored the value; check its manual for the allowed range and whether it needs an unlock register or a restart',
        );
        return 1;
      }
      return 0;
    } finally {
      await modbus.close();
    }
  },
};

interface WriteReport {
  fc: WriteFunction;
  unit: number;
  address: number;
  request: string;
  dryRun: boolean;
  written: number[];
  before?: number[];
  readBack?: number[];
  match?: boolean;
  points?: PointChange[];
}

/** Register words as numbers 0–65535 (negatives become their 16-bit form); coils as 0/1. */
function readValues(flags: Flags, fc: WriteFunction): number[] {
  const coils = tableOf(fc) === 1;
  const values = flags.list('value', [], (text, flag) => {
    if (!coils) return parseInteger(text, flag, { min: -0x8000, max: 0xffff }, COMMAND) & 0xffff;
    const word = { '1': 1, on: 1, true: 1, '0': 0, off: 0, false: 0 }[text.toLowerCase()];
    if (word === undefined) throw new UsageError(`${flag} "${text}" is not a coil state: use 1/0 or on/off`, COMMAND);
    return word;
  });
  if (values.length === 0) throw new UsageError('missing required flag --value <v[,v…]>', COMMAND);
  const single = fc === 5 || fc === 6;
  if (single && values.length !== 1) {
    throw new UsageError(`FC${pad(fc)} writes one ${coils ? 'coil' : 'register'}, got ${values.length} values; use --fc ${coils ? 15 : 16} for several`, COMMAND);
  }
  const max = coils ? 1968 : 123;
  if (values.length > max) throw new UsageError(`FC${pad(fc)} writes at most ${max} values in one request, got ${values.length}`, COMMAND);
  return values;
}

function prepareRequest(unit: number, fc: WriteFunction, address: number, words: readonly number[]): PreparedRequest {
  switch (fc) {
    case 5:
      return prepareWriteSingleCoil(unit, address, words[0] === 1);
    case 6:
      return prepareWriteSingleRegister(unit, address, words[0]);
    case 15:
      return prepareWriteMultipleCoils(unit, address, words.map((w) => w === 1));
    case 16:
      return prepareWriteMultipleRegisters(unit, address, words);
  }
}

async function sendWrite(master: ModbusMaster, unit: number, fc: WriteFunction, address: number, words: readonly number[]): Promise<void> {
  switch (fc) {
    case 5:
      return master.writeSingleCoil(unit, address, words[0] === 1);
    case 6:
      return master.writeSingleRegister(unit, address, words[0]);
    case 15:
      return master.writeMultipleCoils(unit, address, words.map((w) => w === 1));
    case 16:
      return master.writeMultipleRegisters(unit, address, words);
  }
}

/** What the write functions' table holds now: coils as 0/1, registers as words. */
async function readWords(master: ModbusMaster, unit: number, fc: WriteFunction, address: number, count: number): Promise<number[]> {
  if (tableOf(fc) === 1) return (await master.readCoils(unit, address, count)).map((on) => (on ? 1 : 0));
  return [...(await master.readHoldingRegisters(unit, address, count))];
}

/** Decimal places of the touched points that take them from a config register, read once each from the device. */
async function decimalsReader(master: ModbusMaster, unit: number, manifest: DeviceManifest, touched: readonly ModbusPoint[]): Promise<(point: ModbusPoint) => number> {
  const sources = new Map<string, number>();
  for (const point of touched) {
    const id = point.decimalsFrom;
    if (id === undefined || sources.has(id)) continue;
    const source = manifest.points.filter(isModbusPoint).find((p) => p.id === id);
    if (source === undefined) continue;
    const [word] = await master.readHoldingRegisters(unit, source.address, 1);
    sources.set(id, word);
  }
  return (point) => (point.decimalsFrom === undefined ? 0 : sources.get(point.decimalsFrom) ?? 0);
}

function printChanges(io: CommandIo, fc: WriteFunction, address: number, report: WriteReport): void {
  io.out(`before    ${wordsText(fc, report.before ?? [])} at ${address}`);
  for (const change of report.points ?? []) {
    const unit = change.unit === undefined ? '' : ` ${change.unit}`;
    const verb = change.before === change.after ? 'stays' : 'changes';
    io.out(`  ${change.id} (${change.name}): ${verb} ${String(change.before)}${unit}${verb === 'changes' ? ` → ${String(change.after)}${unit}` : ''}`);
  }
}

function wordsText(fc: WriteFunction, words: readonly number[]): string {
  return tableOf(fc) === 1 ? words.join(',') : words.map((w) => `${w} (0x${w.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function pad(fc: number): string {
  return String(fc).padStart(2, '0');
}
