/**
 * `axon modbus scan`: find the devices on a bus whose settings nobody wrote
 * down. Tries every line setting and unit id with a one-register read and a
 * short timeout. Any well-formed reply, exception included, proves a device
 * is there; a corrupt reply proves *something* is there, perhaps at other
 * settings, and is listed separately so it is not mistaken for a find.
 */
import { ModbusError, ModbusExceptionError, ModbusTimeoutError, ModbusUnitMismatchError } from '../../../drivers/modbus/index.js';
import type { Parity } from '../../../drivers/ports/byte-stream.js';
import type { Command, CommandIo } from '../command.js';
import { parseChoice, parseInteger } from '../args.js';
import { lineText, modbusOnLink, openLink, parsePortSpec, PARITIES, readStopBits, type SerialLine } from '../open-link.js';

export interface ScanHit {
  unit: number;
  baud: number;
  parity: Parity;
  stopBits: 1 | 2;
  reply: 'data' | 'exception';
}

export interface ScanSuspect {
  unit: number;
  baud: number;
  parity: Parity;
  stopBits: 1 | 2;
  /** MODBUS_CRC, MODBUS_NOISE, MODBUS_WRONG_UNIT, … */
  code: string;
  message: string;
  /** For MODBUS_WRONG_UNIT: who answered (often a slow device whose reply spilled into the next probe). */
  replyUnit?: number;
}

const DEFAULT_BAUDS = [2400, 4800, 9600, 19200];
const DEFAULT_PARITIES: Parity[] = ['none', 'even'];
/** Shown when a scan finds nothing; every item has cost someone an afternoon. */
const NOTHING_FOUND_HINTS = 'check that A/B are not swapped, the device is powered, the adapter is the right tty, and try --bauds 1200,2400,4800,9600,19200,38400 --parities none,even,odd';

export const modbusScan: Command = {
  group: 'modbus',
  name: 'scan',
  summary: 'find Modbus devices on a bus: try every baud rate, parity and unit id',
  usage: '--port <tty path | tcp://host:port> [--bauds 2400,4800,9600,19200] [--parities none,even] [--units 1-247] [options]',
  flags: {
    port: { type: 'string', value: '<tty path | tcp://host:port>', description: 'serial device to scan (over tcp:// only unit ids are scanned)', required: true },
    bauds: { type: 'string', value: '<list>', description: 'baud rates to try, comma-separated', default: DEFAULT_BAUDS.join(',') },
    parities: { type: 'string', value: '<list>', description: 'parities to try: none, even, odd', default: DEFAULT_PARITIES.join(',') },
    stop: { type: 'string', value: '<1|2>', description: 'stop bits (the spec wants 2 with no parity; most devices use 1)', default: '1' },
    units: { type: 'string', value: '<ranges>', description: 'unit ids to try, e.g. 1-5,10,20-22', default: '1-247' },
    fc: { type: 'string', value: '<3|4>', description: 'function of the probe read', default: '3' },
    address: { type: 'string', value: '<a>', description: 'register of the probe read (an exception reply also counts as found)', default: '0' },
    timeout: { type: 'string', value: '<ms>', description: 'wait per unit; raise it for slow devices', default: '100' },
    first: { type: 'boolean', description: 'stop at the first device found' },
    json: { type: 'boolean', description: 'print an array of {unit, baud, parity, stopBits, reply} on stdout' },
  },
  details: [
    'Each unit gets one FC03 (or --fc 4) read of one register, no retries. "data" and',
    '"exception" replies are devices found. CRC errors, noise, truncated frames and replies',
    'from another unit are listed as suspects: something answered, possibly at other line',
    'settings, or a slow device whose reply spilled into the next probe. Progress goes to',
    'stderr; Ctrl-C stops the scan and still reports what was found. Worst case takes about',
    'bauds × parities × units × (timeout + 10 ms).',
  ].join('\n'),
  examples: [
    'axon modbus scan --port /dev/ttyUSB0',
    'axon modbus scan --port /dev/ttyUSB0 --bauds 9600 --units 1-10 --json',
  ],

  async run({ flags }, io) {
    const command = 'modbus scan';
    const spec = parsePortSpec(flags.requiredString('port'), command);
    const bauds = flags.list('bauds', DEFAULT_BAUDS, (text, flag) => parseInteger(text, flag, { min: 50, max: 4_000_000 }, command));
    const parities = flags.list('parities', DEFAULT_PARITIES, (text, flag) => parseChoice(text, flag, PARITIES, command));
    const stopBits = readStopBits(flags, 1);
    const units = flags.unitRanges('units', '1-247', spec.kind === 'tcp' ? { min: 0, max: 255 } : { min: 1, max: 247 });
    const fc = flags.oneOf('fc', ['3', '4'], '3') === '3' ? 3 : 4;
    const address = flags.int('address', { min: 0, max: 0xffff, default: 0 });
    const timeoutMs = flags.int('timeout', { min: 1, max: 60_000, default: 100 });
    const first = flags.bool('first');
    const json = flags.bool('json');

    // Over TCP the line settings belong to the converter, not to us: one pass.
    const settings: SerialLine[] = spec.kind === 'tcp'
      ? [{ baud: 0, parity: 'none', stopBits }]
      : bauds.flatMap((baud) => parities.map((parity) => ({ baud, parity, stopBits })));
    const total = settings.length * units.length;
    const label = (line: SerialLine) => (spec.kind === 'tcp' ? spec.text : lineText(line));
    io.err(`scanning ${spec.text}: ${units.length} unit(s) × ${settings.length} setting(s), up to ~${Math.ceil((total * (timeoutMs + 10)) / 1000)} s (Ctrl-C stops and reports)`);

    const hits: ScanHit[] = [];
    const suspects: ScanSuspect[] = [];
    let interrupted = false;
    const onSigint = () => {
      interrupted = true;
    };
    process.on('SIGINT', onSigint);
    const progress = new Progress(io);
    let done = 0;
    try {
      scan: for (const line of settings) {
        const link = await openLink(spec, line);
        // No retries and no late-reply window: a unit gets one short chance, or the scan would take hours.
        const modbus = modbusOnLink(link, { timeoutMs, retries: 0, lateReplyWindowMs: 0 });
        try {
          if (spec.kind === 'serial') progress.note(`trying ${lineText(line)}`);
          for (const unit of units) {
            if (interrupted) break scan;
            done++;
            progress.update(`${label(line)} unit ${unit}  (${done}/${total}, found ${hits.length})`);
            const outcome = await probe(() =>
              fc === 3 ? modbus.master.readHoldingRegisters(unit, address, 1) : modbus.master.readInputRegisters(unit, address, 1));
            const where = { unit, baud: line.baud, parity: line.parity, stopBits: line.stopBits };
            if (outcome === 'data' || outcome === 'exception') {
              hits.push({ ...where, reply: outcome });
              progress.note(`found unit ${unit} at ${label(line)} (${outcome === 'data' ? 'data' : 'exception reply'})`);
              if (first) break scan;
            } else if (outcome !== undefined) {
              const suspect: ScanSuspect = { ...where, code: outcome.code, message: outcome.message };
              if (outcome instanceof ModbusUnitMismatchError) suspect.replyUnit = outcome.replyUnit;
              suspects.push(suspect);
              progress.note(`suspect reply at unit ${unit}, ${label(line)}: ${outcome.code}`);
            }
          }
        } finally {
          await modbus.close();
        }
      }
    } finally {
      process.off('SIGINT', onSigint);
      progress.clear();
    }

    if (interrupted) io.err(`interrupted after ${done} of ${total} probes`);
    if (json) {
      io.out(JSON.stringify(hits));
    } else if (hits.length === 0) {
      io.out(`no device answered on ${spec.text}`);
    } else {
      io.out(`found ${hits.length} device(s) on ${spec.text}:`);
      for (const hit of hits) io.out(`  unit ${String(hit.unit).padStart(3)}  ${label(hit)}  ${hit.reply === 'data' ? 'data' : 'exception reply (device present)'}`);
    }
    // Suspects go to stderr even without --json so the JSON array stays the plain list of finds.
    if (suspects.length > 0) {
      const shown = suspects.slice(0, 20);
      io.err(`${suspects.length} suspect reply(ies): something answered but the frame was bad (wrong line settings, noise, two devices on one id, or a device slower than --timeout):`);
      for (const s of shown) {
        const from = s.replyUnit === undefined ? '' : ` (unit ${s.replyUnit} answered: slower than --timeout?)`;
        io.err(`  unit ${String(s.unit).padStart(3)}  ${label(s)}  ${s.code}${from}`);
      }
      if (suspects.length > shown.length) io.err(`  … and ${suspects.length - shown.length} more`);
    }
    if (hits.length === 0 && suspects.length === 0 && !interrupted) io.err(`hint: ${NOTHING_FOUND_HINTS}`);
    return interrupted ? 130 : 0;
  },
};

/** One probe: 'data', 'exception', undefined for silence, or the error of a suspect reply. Link failures propagate. */
async function probe(read: () => Promise<unknown>): Promise<'data' | 'exception' | ModbusError | undefined> {
  try {
    await read();
    return 'data';
  } catch (error) {
    if (error instanceof ModbusExceptionError) return 'exception';
    if (error instanceof ModbusTimeoutError) return undefined;
    // CRC, noise, truncation, another unit's reply: all ModbusErrors. Link failures are not, and end the scan.
    if (error instanceof ModbusError) return error;
    throw error;
  }
}

/** One redrawn status line on a terminal; on a pipe, only the notes (a log, not a spinner). */
class Progress {
  readonly #io: CommandIo;
  #drawn = false;
  constructor(io: CommandIo) {
    this.#io = io;
  }
  update(text: string): void {
    if (!this.#io.errIsTty) return;
    process.stderr.write(`\r\x1b[K${text}`);
    this.#drawn = true;
  }
  note(text: string): void {
    this.clear();
    this.#io.err(text);
  }
  clear(): void {
    if (this.#drawn) process.stderr.write('\r\x1b[K');
    this.#drawn = false;
  }
}
