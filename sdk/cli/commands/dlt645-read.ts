/**
 * `axon dlt645 read`: read one data identifier from a DL/T 645 electricity
 * meter. With the wildcard address the lone meter on the line is first asked
 * for its address (control 13), which is how an engineer learns a meter's
 * number when the nameplate is unreadable.
 */
import { toHex } from '../../../drivers/bytes.js';
import { Dlt645Client, DLT645_WILDCARD_ADDRESS, lookupDataId, normalizeDlt645Address, type Dlt645RawReading } from '../../../drivers/dlt645/index.js';
import { NodeClock } from '../../../firmware/rpi/ports/node-clock.js';
import type { Command } from '../command.js';
import { UsageError, type FlagSpecs, type Flags } from '../args.js';
import { lineText, openLink, parsePortSpec, readSerialLine, serialLineFlags, type OpenedLink, type PortSpec, type SerialLine } from '../open-link.js';

/** Usual factory setting of Chinese utility meters. */
export const DLT645_LINE: SerialLine = { baud: 2400, parity: 'even', stopBits: 1 };

/** Flags shared by the DL/T 645 commands. */
export const DLT645_LINK_FLAGS: FlagSpecs = {
  port: { type: 'string', value: '<tty path | tcp://host:port>', description: 'serial device (e.g. /dev/ttyUSB0) or a serial-to-Ethernet converter in transparent TCP mode', required: true },
  ...serialLineFlags(DLT645_LINE),
  timeout: { type: 'string', value: '<ms>', description: 'response timeout per attempt (a 2400-baud reply takes ~150 ms)', default: '1000' },
  retries: { type: 'string', value: '<n>', description: 'extra attempts after a timeout or a corrupt reply', default: '1' },
  preamble: { type: 'string', value: '<n>', description: 'FE wake-up bytes sent before each request', default: '4' },
};

export interface Dlt645Session {
  client: Dlt645Client;
  spec: PortSpec;
  line: SerialLine;
  close(): Promise<void>;
}

export async function openDlt645(flags: Flags, command: string): Promise<Dlt645Session> {
  const spec = parsePortSpec(flags.requiredString('port'), command);
  const line = readSerialLine(flags, DLT645_LINE);
  const timeoutMs = flags.int('timeout', { min: 1, max: 60_000, default: 1000 });
  const retries = flags.int('retries', { min: 0, max: 10, default: 1 });
  const preambleBytes = flags.int('preamble', { min: 0, max: 8, default: 4 });
  const link: OpenedLink = await openLink(spec, line);
  const clock = new NodeClock();
  const client = new Dlt645Client({ stream: link.stream, clock, timeoutMs, retries, preambleBytes, port: spec.text });
  return {
    client,
    spec,
    line,
    async close() {
      client.close(); // detaches from the stream; the stream is ours to close
      clock.cancelAll();
      await link.close();
    },
  };
}

export function whereText(session: Pick<Dlt645Session, 'spec' | 'line'>): string {
  return session.spec.kind === 'tcp' ? session.spec.text : `${session.spec.path} (${lineText(session.line)})`;
}

/** What `--json` prints: plain data, the value bytes as hex. */
export interface Dlt645ReadResult {
  address: string;
  di: string;
  name?: string;
  value?: number;
  unit?: string;
  /** Value bytes after the DI, 0x33 offset removed, hex. */
  data: string;
  followUp: boolean;
}

export const dlt645Read: Command = {
  group: 'dlt645',
  name: 'read',
  summary: 'read one data identifier (energy, voltage, current, power, …) from a DL/T 645 meter',
  usage: '--port <tty path> --address <12 digits | AAAAAAAAAAAA> --di <8 hex digits> [options]',
  flags: {
    ...DLT645_LINK_FLAGS,
    address: { type: 'string', value: '<12 digits | AAAAAAAAAAAA>', description: 'meter address from the nameplate; AAAAAAAAAAAA asks the only meter on the line for its address first', required: true },
    di: { type: 'string', value: '<8 hex digits>', description: 'data identifier DI3..DI0, e.g. 00010000 forward active energy (4 digits such as 9010 for DL/T 645-1997)', required: true },
    json: { type: 'boolean', description: 'print the decoded value object {address, di, name, value, unit, data, followUp} on stdout' },
  },
  details: [
    'Known DIs are decoded with their unit (00010000 kWh, 02010100 V, 02020100 A, 02030000 kW, …);',
    'for other DIs the value bytes are printed as hex. With --json, progress lines such as the',
    'discovered meter address go to stderr.',
  ].join('\n'),
  examples: [
    'axon dlt645 read --port /dev/ttyUSB0 --address 000000000161 --di 00010000',
    'axon dlt645 read --port /dev/ttyUSB0 --address AAAAAAAAAAAA --di 02010100 --json',
  ],

  async run({ flags }, io) {
    const command = 'dlt645 read';
    const addressText = flags.requiredString('address');
    let address: string;
    try {
      address = normalizeDlt645Address(addressText);
    } catch {
      throw new UsageError(`--address "${addressText}" must be the meter's 12-digit address (e.g. 000000000161) or AAAAAAAAAAAA`, command);
    }
    const di = flags.requiredString('di').toUpperCase();
    if (!/^([0-9A-F]{8}|[0-9A-F]{4})$/.test(di)) {
      throw new UsageError(`--di "${di}" must be 8 hex digits DI3..DI0 (DL/T 645-2007, e.g. 00010000) or 4 for DL/T 645-1997 (e.g. 9010)`, command);
    }
    const json = flags.bool('json');
    const session = await openDlt645(flags, command);
    try {
      if (address === DLT645_WILDCARD_ADDRESS) {
        address = await session.client.readAddress({ version: di.length === 4 ? '1997' : '2007' });
        const text = `meter address: ${address}`;
        if (json) io.err(text);
        else io.out(text);
      }
      const result = await readValue(session.client, address, di);
      if (json) {
        io.out(JSON.stringify(result));
      } else {
        const what = result.name === undefined ? '' : ` ${result.name}`;
        const value = result.value === undefined ? `raw data ${result.data || '(empty)'} (DI not in the built-in table)` : `${result.value}${result.unit ? ' ' + result.unit : ''}`;
        io.out(`meter ${result.address} DI ${result.di}${what} = ${value}${result.followUp ? ' (more data follows)' : ''}`);
        io.out(`  via ${whereText(session)}`);
      }
      return 0;
    } finally {
      await session.close();
    }
  },
};

async function readValue(client: Dlt645Client, address: string, di: string): Promise<Dlt645ReadResult> {
  if (lookupDataId(di) === undefined) return rawResult(await client.readRaw(address, di));
  const reading = await client.read(address, di);
  // Key order is the order a reader scans: who, what, value, then the raw bytes.
  return { address: reading.address, di: reading.di, name: reading.name, value: reading.value, unit: reading.unit, data: toHex(reading.data, ' '), followUp: reading.followUp };
}

function rawResult(raw: Dlt645RawReading): Dlt645ReadResult {
  return { address: raw.address, di: raw.di, data: toHex(raw.data, ' '), followUp: raw.followUp };
}
