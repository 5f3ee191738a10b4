/**
 * Entry of the XS test bundle (main-xs.test.ts): the real main.ts and the core
 * it bundles, with Moddable's host modules replaced by the doubles in this
 * directory, and the project's simulators on the far end of the UARTs: the
 * site's RS-485 devices (simulators/simulated-bus.ts) and a BC28 with an Axon
 * ack server behind it (simulators/nbiot). Everything runs on one virtual
 * clock in the XS worker. Node drives it with string commands; every command
 * answers with one JSON message through issueCommand:
 *
 *   setup <scenario json>   wire UARTs to simulators (before main runs)
 *   boot                    call main's default export, as Moddable does
 *   advance <ms>            run the virtual clock
 *   report                  what the doubles and the simulators observed
 *   summary                 the counts of a run (sim/report-summary.ts), small
 *                           whatever the run's length
 *   clock-probe <ms json>   schedule callbacks on a ModdableClock of their own
 *                           (no boot needed); the report says when they fired
 *   digital-probe <json>    a ModdableDigitalOutput { pin, activeLow }: the
 *                           levels it drove when created, on and off
 *
 * The imports below are ordered so that main.ts and what it imports load
 * between preload-begin and preload-end (see preload-rules.ts).
 */
// Evaluation order matters here. First the doubles (Moddable's own modules on the device)...
import { host } from './host.js';
import './serial.js';
import './digital.js';
import './timer.js';
import './time.js';
import './preference.js';
import './file.js';
import './mc-config.js';
import { violations } from './preload-rules.js';
// ...then main.ts with the core and the site config, which manifest.json can preload...
import './preload-begin.js';
import main, { type Esp32Gateway } from '../main.js';
import { board, manifests, site } from 'site-config';
import './preload-end.js';
// ...then the test's own side: simulators and the modem's server.
import { asciiBytes, asciiText, toHex } from '../../../drivers/bytes.js';
import { createStreamPair } from '../../../drivers/ports/memory-stream.js';
import type { SerialLineSettings } from '../../../drivers/ports/byte-stream.js';
import { busLine } from '../../../drivers/scheduler/site-device.js';
import { AxonAckServer } from '../../../simulators/nbiot/ack-server.js';
import { NbIotModemSimulator } from '../../../simulators/nbiot/modem-sim.js';
import { attachSimulatedDevices } from '../../../simulators/simulated-bus.js';
import { ModdableClock } from '../ports/moddable-clock.js';
import { ModdableDigitalOutput } from '../ports/digital-output.js';
import { wireRadio, type RadioReport } from './radio-wiring.js';

declare const issueCommand: (bytes: ArrayBuffer) => void;

// The console: Moddable's trace() collected for the test instead of printed (or handed to host.traceOut).
let traceLines = 0;
(globalThis as unknown as { trace: (...parts: unknown[]) => void }).trace = (...parts) => {
  const line = parts.map(String).join('').replace(/\n$/, '');
  traceLines++;
  if (host.traceOut !== undefined) host.traceOut(line);
  else host.trace.push(line);
};

import type { Scenario } from './scenario.js';
import type { HarnessSummary } from '../sim/report-summary.js';

export type { Scenario };

let modem: NbIotModemSimulator | undefined;
let radioReport: (() => RadioReport) | undefined;
let server = new AxonAckServer();
let datagramCount = 0;
const datagrams: Array<{ atMs: number; ip: string; port: number; bytes: number }> = [];
const arrivals = new Map<number, number>();
let app: Esp32Gateway | undefined;
let callsAtSetup = 0;
const clockProbe: Array<{ delayMs: number; firedAtMs: number }> = [];

function probeClock(delays: number[]): object {
  const clock = new ModdableClock();
  const start = host.clock.now();
  for (const delayMs of delays) clock.schedule(delayMs, () => clockProbe.push({ delayMs, firedAtMs: host.clock.now() - start }));
  return { ok: true };
}

/** An output on its own pin: the levels it drives from creation, then after write(1) and write(0). */
function probeDigital(options: { pin: number; activeLow?: boolean }): object {
  const output = new ModdableDigitalOutput(options);
  const created = host.pin(options.pin).writes.map((w) => w.value);
  output.write(1);
  const on = host.pin(options.pin).level;
  output.write(0);
  const off = host.pin(options.pin).level;
  output.close();
  return { created, on, off };
}

function setup(scenario: Scenario): object {
  callsAtSetup = host.calls;
  host.ticksAtBootMs = scenario.ticksAtBootMs ?? 0;
  if (scenario.storageBytes !== undefined) host.storageBytes = scenario.storageBytes;
  host.keepHistory = scenario.keepHistory ?? true;
  if (!host.keepHistory) server = new AxonAckServer({ keepMessages: false });
  const clock = host.clock;
  for (const bus of site.buses) {
    const wiring = board.buses[bus.id];
    const [esp32End, devicesEnd] = createStreamPair({ clock, line: busLine(bus) });
    // DE and /RE are tied: while DE is high the transceiver's receiver is off.
    const direction = wiring.direction;
    host.wireUart(wiring.port, esp32End, () => direction === undefined || host.pin(direction).level === 0);
    attachSimulatedDevices(bus, manifests, clock, devicesEnd, { models: scenario.models });
  }
  // A LoRaWAN site: the board's radio on a chip simulator and a test network; else the modem on UART1.
  if (site.uplink.kind === 'lorawan') radioReport = wireRadio(site, board);
  else if (board.modem !== undefined) wireModem(board.modem.port, board.modem.baud ?? 9600, scenario);
  return { ok: true, hostCallsWhileLoading: callsAtSetup };
}

function wireModem(port: number, baud: number, scenario: Scenario): void {
  const clock = host.clock;
  const line: SerialLineSettings = { baud, dataBits: 8, parity: 'none', stopBits: 1 };
  const [esp32End, modemEnd] = createStreamPair({ clock, line });
  host.wireUart(port, esp32End);
  modem = new NbIotModemSimulator({ stream: modemEnd, clock, attachDelayMs: scenario.attachDelayMs, recordCommands: host.keepHistory });
  modem.onUdp = (datagram, reply) => {
    datagramCount++;
    if (host.keepHistory) datagrams.push({ atMs: clock.now(), ip: datagram.ip, port: datagram.port, bytes: datagram.payload.length });
    const p = datagram.payload;
    if (host.keepHistory && p[0] === 0xa1 && (p[1] & 0x7f) === 1) {
      const seq = p[2] * 256 + p[3];
      if (!arrivals.has(seq)) arrivals.set(seq, clock.now());
    }
    server.udpHandler(datagram, reply);
  };
}

function report(): object {
  const gateway = app?.gateway;
  const pins: Record<string, { mode: string; level: number; writes: Array<{ atMs: number; value: number }> }> = {};
  for (const [pin, state] of host.pins) pins[pin] = { mode: state.mode, level: state.level, writes: state.writes };
  const uarts: Record<string, { opened: object[]; lost: number }> = {};
  for (const [port, uart] of host.uarts) uarts[port] = { opened: uart.opened, lost: uart.lost };
  const files: Record<string, number> = {};
  for (const path of host.files.paths()) files[path] = host.files.length(path) ?? 0;
  const preferences: Record<string, number> = {};
  for (const [key, value] of host.preferences) preferences[key] = value instanceof ArrayBuffer ? value.byteLength : String(value).length;
  return {
    nowMs: host.clock.now(),
    wallMs: host.wallNow(),
    trace: host.trace,
    uarts,
    pins,
    files,
    directories: [...host.directories],
    preferences,
    stats: gateway?.stats(),
    channelTable: gateway?.channelTable,
    uplinkStats: app?.uplink?.stats,
    lorawan: radioReport?.(),
    modem: { commands: modem?.commands ?? [], reboots: modem?.reboots ?? 0, attached: modem?.attached ?? false },
    datagrams,
    messages: server.messages.map((m) => ({ seq: m.seq, port: m.port, alert: m.alert, atMs: arrivals.get(m.seq), hex: toHex(m.payload) })),
    duplicates: server.duplicates,
    preloadViolations: violations,
    clockProbe,
    longestTimerMs: host.longestTimerMs,
  };
}

/** The counts of the run, for sim/report-summary.ts: a few hundred bytes, whatever the run's length. */
function summary(): HarnessSummary {
  const uarts: HarnessSummary['uarts'] = {};
  for (const [port, uart] of host.uarts) uarts[port] = { lost: uart.lost };
  const lorawan = radioReport?.();
  return {
    nowMs: host.clock.now(),
    traceLines,
    uarts,
    stats: app?.gateway.stats(),
    datagrams: datagramCount,
    messages: server.received,
    alertMessages: server.alertsReceived,
    duplicates: server.duplicates,
    preloadViolations: violations.length,
    lorawan: lorawan === undefined ? undefined : {
      uplinks: lorawan.uplinks.length,
      joinRequests: lorawan.joinRequests,
      busyViolations: lorawan.busyViolations,
      earliestRxOffsetMs: Math.min(0, ...lorawan.rxOffsets.map((o) => o.offsetMs)),
    },
  };
}

/** JSON with every non-ASCII character escaped, so one byte per character is exact. */
function reply(value: object): void {
  const text = JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  issueCommand(asciiBytes(text).buffer as ArrayBuffer);
}

function fail(error: unknown): void {
  const e = error as { message?: string; stack?: string };
  reply({ error: e?.message ?? String(error), stack: e?.stack ?? '' });
}

(globalThis as unknown as { handleCommand: (bytes: ArrayBuffer) => ArrayBuffer }).handleCommand = (bytes) => {
  const text = asciiText(new Uint8Array(bytes));
  const space = text.indexOf(' ');
  const verb = space < 0 ? text : text.slice(0, space);
  const argument = space < 0 ? '' : text.slice(space + 1);
  try {
    if (verb === 'setup') reply(setup(JSON.parse(argument) as Scenario));
    else if (verb === 'boot') {
      app = main();
      reply({ ok: true });
    } else if (verb === 'advance') host.clock.advance(Number(argument)).then(() => reply({ ok: true, nowMs: host.clock.now() }), fail);
    else if (verb === 'report') reply(report());
    else if (verb === 'summary') reply(summary());
    else if (verb === 'clock-probe') reply(probeClock(JSON.parse(argument) as number[]));
    else if (verb === 'digital-probe') reply(probeDigital(JSON.parse(argument) as { pin: number; activeLow?: boolean }));
    else reply({ error: `unknown command '${verb}'` });
  } catch (error) {
    fail(error);
  }
  return new ArrayBuffer(0);
};
