/**
 * `axon modbus read`: one read transaction against one device, the first thing
 * an engineer runs at a new installation ("does it answer, and what is in
 * register 4?").
 */
import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { lineText, openModbus, parsePortSpec, readSerialLine, serialLineFlags, type SerialLine } from '../open-link.js';

const MODBUS_LINE: SerialLine = { baud: 9600, parity: 'none', stopBits: 1 };
const FUNCTIONS = ['1', '2', '3', '4'] as const;
/** Spec limits per request: 125 registers or 2000 bits. */
const MAX_REGISTERS = 125;
const MAX_BITS = 2000;

export const modbusRead: Command = {
  group: 'modbus',
  name: 'read',
  summary: 'read registers (FC03/FC04) or bits (FC01/FC02) from one Modbus RTU or TCP device',
  usage: '--port <tty path | tcp://host:port> --unit <n> [--fc 3|4] --address <a> --count <c> [options]',
  flags: {
    port: { type: 'string', value: '<tty path | tcp://host:port>', description: 'serial device (e.g. /dev/ttyUSB0) or Modbus TCP endpoint (port defaults to 502)', required: true },
    ...serialLineFlags(MODBUS_LINE),
    unit: { type: 'string', value: '<n>', description: 'unit id (slave address): 1–247 on serial, 0–255 over TCP', required: true },
    fc: { type: 'string', value: '<3|4|1|2>', description: 'function: 3 holding registers, 4 input registers, 1 coils, 2 discrete inputs', default: '3' },
    address: { type: 'string', value: '<a>', description: 'first register/bit, zero-based as on the wire (decimal or 0x hex)', required: true },
    count: { type: 'string', value: '<c>', description: `how many registers (1–${MAX_REGISTERS}) or bits (1–${MAX_BITS})`, required: true },
    timeout: { type: 'string', value: '<ms>', description: 'response timeout per attempt', default: '1000' },
    retries: { type: 'string', value: '<n>', description: 'extra attempts after a timeout, CRC error or noise (never after an exception)', default: '1' },
    json: { type: 'boolean', description: 'print {"registers":[…]} (or {"bits":[…]}) on stdout instead of a table' },
  },
  details: [
    'Serial settings only apply to tty ports. Without --json the output is a table with each',
    'register as hex, unsigned and signed 16-bit. A silent device is reported after --timeout',
    'plus a 500 ms late-reply window, so "too slow" and "not there" are told apart.',
  ].join('\n'),
  examples: [
    'axon modbus read --port /dev/ttyUSB0 --unit 1 --fc 3 --address 0 --count 7',
    'axon modbus read --port tcp://192.168.1.50:502 --unit 1 --fc 4 --address 0x0156 --count 2 --json',
  ],

  async run({ flags }, io) {
    const command = 'modbus read';
    const spec = parsePortSpec(flags.requiredString('port'), command);
    const line = readSerialLine(flags, MODBUS_LINE);
    const unit = flags.requiredInt('unit', spec.kind === 'tcp' ? { min: 0, max: 255 } : { min: 1, max: 247 });
    const fc = Number(flags.oneOf('fc', FUNCTIONS, '3')) as 1 | 2 | 3 | 4;
    const address = flags.requiredInt('address', { min: 0, max: 0xffff });
    const count = flags.requiredInt('count', { min: 1, max: fc <= 2 ? MAX_BITS : MAX_REGISTERS });
    if (address + count > 0x10000) throw new UsageError(`--address ${address} plus --count ${count} runs past register 65535`, command);
    const timeoutMs = flags.int('timeout', { min: 1, max: 60_000, default: 1000 });
    const retries = flags.int('retries', { min: 0, max: 10, default: 1 });
    const json = flags.bool('json');

    const modbus = await openModbus(spec, line, { timeoutMs, retries });
    try {
      const { master } = modbus;
      const where = spec.kind === 'tcp' ? spec.text : `${spec.path} (${lineText(line)})`;
      if (fc === 1 || fc === 2) {
        const bits = fc === 1 ? await master.readCoils(unit, address, count) : await master.readDiscreteInputs(unit, address, count);
        if (json) io.out(JSON.stringify({ bits }));
        else io.out(`unit ${unit} FC0${fc} on ${where}\n${bitTable(address, bits)}`);
      } else {
        const registers = fc === 3 ? await master.readHoldingRegisters(unit, address, count) : await master.readInputRegisters(unit, address, count);
        if (json) io.out(JSON.stringify({ registers: [...registers] }));
        else io.out(`unit ${unit} FC0${fc} on ${where}\n${registerTable(address, registers)}`);
      }
      return 0;
    } finally {
      await modbus.close();
    }
  },
};

function hex4(value: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(4, '0');
}

/** address, address in hex, value in hex, unsigned and signed 16-bit. */
export function registerTable(first: number, registers: ArrayLike<number>): string {
  const rows = [['address', 'hex addr', 'hex', 'unsigned', 'signed']];
  for (let i = 0; i < registers.length; i++) {
    const value = registers[i];
    rows.push([String(first + i), hex4(first + i), hex4(value), String(value), String(value >= 0x8000 ? value - 0x10000 : value)]);
  }
  return alignRight(rows);
}

function bitTable(first: number, bits: readonly boolean[]): string {
  const rows = [['address', 'hex addr', 'value']];
  bits.forEach((bit, i) => rows.push([String(first + i), hex4(first + i), bit ? '1' : '0']));
  return alignRight(rows);
}

function alignRight(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c])).join('  ')).join('\n');
}
