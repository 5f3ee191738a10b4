/**
 * Fuzz: whatever arrives on the UART (random bytes, valid replies with a byte
 * changed or cut short, URCs in odd places, random chunking and delays), every
 * command settles within its timeout in virtual time and the only errors are
 * the named NBIOT_* ones.
 */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { asciiBytes, concatBytes } from '../bytes.js';
import { createStreamPair } from '../ports/memory-stream.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { NbIotError } from './errors.js';
import { NbIotModem } from './modem.js';
import { NbIotPlatform } from './platform.js';
import { NbIotUdp } from './udp.js';
import { ScriptedModem, scriptedEngine, type ScriptStep } from './test-support.js';

const TEMPLATES = [
  '\r\nOK\r\n',
  '\r\nERROR\r\n',
  '\r\n+CME ERROR: 159\r\n',
  '\r\n+CSQ:17,99\r\n\r\nOK\r\n',
  '\r\n1\r\n\r\nOK\r\n',
  '\r\n0,4\r\n\r\nOK\r\n',
  '\r\n+NSORF:0,203.0.113.10,5684,4,A1020064,0\r\n\r\nOK\r\n',
  '\r\n0,203.0.113.10,5684,4,A1020064,0\r\n\r\nOK\r\n',
  '\r\nSignal power:-767\r\nCell ID:37720402\r\nECL:0\r\nSNR:172\r\n\r\nOK\r\n',
  '\r\n+NSONMI:0,4\r\n',
  '\r\n+NNMI:4,A1020064\r\n',
  '\r\n+QMTOPEN: 0,0\r\n',
  '\r\nREBOOT_CAUSE_APPLICATION_AT\r\nNeul \r\nOK\r\n',
  '\r\n+CEREG:2\r\n',
];

/** One reply: random bytes, a template, or a template mutated or cut short. */
const reply = fc.oneof(
  fc.uint8Array({ maxLength: 48 }),
  fc.constantFrom(...TEMPLATES).map(asciiBytes),
  fc.tuple(fc.constantFrom(...TEMPLATES), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([text, at, byte]) => {
    const bytes = asciiBytes(text);
    bytes[at % bytes.length] = byte;
    return bytes;
  }),
  fc.tuple(fc.constantFrom(...TEMPLATES), fc.nat()).map(([text, cut]) => asciiBytes(text).slice(0, cut % text.length)),
);

/** A reply script: per command, some replies glued together, then cut into delayed chunks. */
const script = fc.array(
  fc.record({
    parts: fc.array(reply, { minLength: 0, maxLength: 3 }),
    cuts: fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 6 }),
    delays: fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 6 }),
  }),
  { minLength: 1, maxLength: 6 },
);

type Scripted = { parts: Uint8Array[]; cuts: number[]; delays: number[] };

function steps(entry: Scripted): ScriptStep[] {
  const bytes = concatBytes(...entry.parts);
  const out: ScriptStep[] = [];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = entry.cuts[i % entry.cuts.length];
    out.push({ delayMs: entry.delays[i % entry.delays.length], data: bytes.slice(offset, offset + size) });
    offset += size;
  }
  return out;
}

function isNamed(error: unknown): boolean {
  return error instanceof NbIotError && error.code.startsWith('NBIOT_') && typeof error.message === 'string';
}

const TIMEOUT = 2000;
const REBOOT_QUIET = 1000;

test('fuzz: every command settles within its timeout (plus one quiet per reboot announced), with a reply or a named error', async (t) => {
  await fc.assert(
    fc.asyncProperty(script, fc.integer({ min: 1, max: 8 }), async (entries, count) => {
      const { clock, engine } = scriptedEngine((_c, i) => steps(entries[i % entries.length]), { timeoutMs: TIMEOUT, rebootQuietMs: REBOOT_QUIET, maxLineLength: 512 });
      for (let i = 0; i < count; i++) {
        const started = clock.now();
        const rebootsBefore = engine.stats.reboots;
        try {
          const response = await clock.run(engine.command(`AT+CMD${i}`), 60_000);
          if (!Array.isArray(response.lines)) return false;
        } catch (error) {
          if (!isNamed(error)) return false;
        }
        // Queued behind nothing, so: the timeout itself, plus what is left of the hold the previous
        // command ended with (timeout recovery, or the quiet after a reboot banner), plus one more quiet
        // per reboot the module announces meanwhile (each restarts the hold, as in a reboot loop).
        const reboots = engine.stats.reboots - rebootsBefore;
        if (clock.now() - started > TIMEOUT + REBOOT_QUIET * (1 + reboots)) return false;
        if (engine.framer.buffered > 512) return false;
      }
      return true;
    }),
    { numRuns: 120 },
  );
  t.pass();
});

test('fuzz: the modem driver\'s parsers and background readers never throw anything but named errors, never hang', async (t) => {
  const operations = fc.array(fc.constantFrom('signal', 'stats', 'open', 'send', 'platform', 'urc', 'at'), { minLength: 1, maxLength: 6 });
  await fc.assert(
    fc.asyncProperty(script, operations, async (entries, ops) => {
      const clock = new VirtualClock();
      // Wire timing keeps a modem that never stops notifying from spinning in zero virtual time.
      const [driverSide, modemSide] = createStreamPair({ clock, line: { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1 } });
      const fake = new ScriptedModem(modemSide, clock, (_c, i) => steps(entries[i % entries.length]));
      const modem = new NbIotModem({ stream: driverSide, clock, engine: { timeoutMs: TIMEOUT } });
      const udp = new NbIotUdp(modem);
      const platform = new NbIotPlatform(modem);
      for (const op of ops) {
        if (op === 'urc') {
          // Not wrapped in clock.run: advancing the clock from inside clock.run would race two drivers of one clock.
          fake.send('\r\n+NSONMI:0,4\r\n');
          await clock.advance(10);
          continue;
        }
        const run = (): Promise<unknown> => {
          switch (op) {
            case 'signal':
              return modem.signal();
            case 'stats':
              return modem.ueStats();
            case 'open':
              return udp.open();
            case 'send':
              return udp.send(0, '203.0.113.10', 5684, Uint8Array.of(1, 2, 3));
            case 'platform':
              return platform.send(Uint8Array.of(1));
            default:
              return modem.command('AT');
          }
        };
        try {
          await clock.run(run(), 120_000);
        } catch (error) {
          if (!isNamed(error)) throw error;
        }
      }
      // Once the line goes quiet, background NSORF reads triggered by URCs must finish too.
      fake.silent = true;
      await clock.runUntilIdle(120_000);
      return clock.pending === 0 && !modem.engine.busy;
    }),
    { numRuns: 120 },
  );
  t.pass();
});
