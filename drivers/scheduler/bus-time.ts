/**
 * Bus-time planner: how long one poll cycle of a bus occupies the wire, and
 * whether the site's poll periods fit the baud rate. Pure: the same numbers on
 * the host (`axon plan`) and on the gateway.
 *
 * Model (DESIGN.md §3). One transaction costs
 *
 *     T = (request bytes + reply bytes) · b / baud  +  2 · t3.5  +  turnaround
 *
 * with b the bits per character of the line (8N1 → 10, 8E1 → 11), t3.5 the
 * Modbus inter-frame silence (3.5 characters, 1.75 ms above 19200 baud) and
 * the slave's turnaround as configured for the bus. For FC03/04 of N
 * registers the bytes are 8 + (5 + 2N), so T(N) = (13 + 2N)·b/baud + 2·t3.5;
 * FC01/02 replies carry ⌈N/8⌉ data bytes. Meters use their frame lengths:
 * DL/T 645 12 + data bytes (plus the FE wake-up preamble we send), CJ/T 188
 * 13 + data bytes. The same silences are kept around meter frames, because the
 * Modbus slaves sharing the line need them to find frame boundaries.
 *
 * Cycle: one poll of every device on the bus (each device's requests once;
 * config registers, which the driver reads once and caches, are listed but not
 * counted). Window: the shortest poll period of any device on the bus,
 * adaptive periods included. Utilisation = cycle / window: the fraction of the
 * tightest period that a full cycle needs. Above 100 % the fastest device must
 * miss its period whenever every device comes due together (at start-up and
 * whenever the periods line up), so the schedule does not fit the baud rate;
 * above 70 % there is little room for retries and timeouts. `load` is the
 * steady-state fraction of wire time used, Σ device cycle / device period.
 */
import type { BusConfig, SiteDevice, SiteFile } from '../gateway/site.js';
import type { DeviceManifest, DeviceProtocol, MeterPoint } from '../devices/manifest.js';
import { isModbusPoint } from '../devices/manifest.js';
import { planReads, type ReadRequest } from '../devices/read-plan.js';
import { bitsPerCharacter, characterTimeMs, type SerialLineSettings } from '../ports/byte-stream.js';
import { interFrameDelayMs } from '../modbus/rtu-master.js';
import { lookupDataId } from '../dlt645/data-ids.js';
import { DLT645_SHAPE, dataIdLength, versionOfDataId } from '../dlt645/frame.js';
import { frameLength } from '../dlt645/framing.js';
import { CJT188_SHAPE, CjtMeterType } from '../cjt188/frame.js';
import { recordLength } from '../cjt188/record.js';
import {
  busLine,
  configModbusPoints,
  DEFAULT_TURNAROUND_MS,
  describeLine,
  devicePeriodMs,
  fastestPeriodMs,
  manifestFor,
  polledModbusPoints,
  type ManifestLookup,
} from './site-device.js';

/** Above this utilisation the verdict is 'warn'. */
export const WARN_UTILISATION = 0.7;
/** Above this utilisation the verdict is 'reject'. */
export const REJECT_UTILISATION = 1;
/** FE wake-up bytes our clients send before each meter request (Dlt645Client and Cjt188Client defaults). */
export const DLT645_REQUEST_PREAMBLE = 4;
export const CJT188_REQUEST_PREAMBLE = 2;
/** Baud rates offered when a bus is too slow. */
export const STANDARD_BAUDS: readonly number[] = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

export type Verdict = 'ok' | 'warn' | 'reject';

export interface FrameBytes {
  request: number;
  reply: number;
}

/** Bytes of a Modbus RTU read of `count` registers (FC03/04) or bits (FC01/02). */
export function modbusReadBytes(fc: 1 | 2 | 3 | 4, count: number): FrameBytes {
  const data = fc === 1 || fc === 2 ? Math.ceil(count / 8) : 2 * count;
  return { request: 8, reply: 5 + data };
}

/** Bytes of a DL/T 645 read of one DI: request with our preamble, reply without (meters send 0–4 FE). */
export function dlt645ReadBytes(di: string): FrameBytes {
  const diBytes = dataIdLength(versionOfDataId(di));
  // Unknown DIs are refused by the driver; 4 value bytes is the common size.
  const valueBytes = lookupDataId(di)?.bytes ?? 4;
  return {
    request: DLT645_REQUEST_PREAMBLE + frameLength(DLT645_SHAPE, diBytes),
    reply: frameLength(DLT645_SHAPE, diBytes + valueBytes),
  };
}

/** Bytes of a CJ/T 188 read of the 901F record (DI + SER, then the record). */
export function cjt188ReadBytes(meterType: number = CjtMeterType.COLD_WATER): FrameBytes {
  return {
    request: CJT188_REQUEST_PREAMBLE + frameLength(CJT188_SHAPE, 3),
    reply: frameLength(CJT188_SHAPE, 3 + recordLength(meterType)),
  };
}

/** Wire time of one transaction, ms: both frames, two t3.5 silences and the slave's turnaround. */
export function transactionWireMs(bytes: FrameBytes, line: SerialLineSettings, turnaroundMs = 0): number {
  return (bytes.request + bytes.reply) * characterTimeMs(line) + 2 * interFrameDelayMs(line) + turnaroundMs;
}

/** T(N) of DESIGN.md §3 for a Modbus read, ms. */
export function modbusReadWireMs(fc: 1 | 2 | 3 | 4, count: number, line: SerialLineSettings, turnaroundMs = 0): number {
  return transactionWireMs(modbusReadBytes(fc, count), line, turnaroundMs);
}

export interface PlannedRequest {
  bus: string;
  device: string;
  protocol: DeviceProtocol;
  /** 'poll': sent every poll of the device. 'config': read once and cached by the driver (not in the cycle). */
  kind: 'poll' | 'config';
  /** Modbus unit id or meter address. */
  unit: number | string;
  /** Modbus function code, register/bit address and count. */
  fc?: 1 | 2 | 3 | 4;
  address?: number;
  count?: number;
  /** Meter data identifier. */
  di?: string;
  points: string[];
  requestBytes: number;
  replyBytes: number;
  wireMs: number;
}

export interface BusPlan {
  bus: string;
  port: string;
  /** "9600 8N1" */
  line: string;
  bitsPerChar: number;
  turnaroundMs: number;
  requests: PlannedRequest[];
  /** Wire time of one poll of every device, ms. */
  cycleMs: number;
  /** Wire time of the one-off config reads, ms. */
  configMs: number;
  /** Shortest poll period on the bus (adaptive periods included), ms, and the device that has it. */
  windowMs: number;
  windowDevice: string;
  /** cycleMs / windowMs. */
  utilisation: number;
  /** Σ device cycle / device period at the fastest periods: the steady-state share of wire time. */
  load: number;
  verdict: Verdict;
  /** What the verdict means and, unless ok, what to change. */
  message: string;
}

export interface SitePlan {
  site: string;
  buses: BusPlan[];
  /** The worst verdict of any bus. */
  verdict: Verdict;
}

/** Per-device Modbus read plans, keyed by device id (lets a caller plan with the plans a scheduler runs). */
export type PlanOverrides = ReadonlyMap<string, readonly ReadRequest[]>;

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A meter reads each distinct DI once (MeterDevice groups points by DI, in manifest order). */
export function meterDataIds(manifest: DeviceManifest): string[] {
  const dis: string[] = [];
  for (const point of manifest.points) {
    if (isModbusPoint(point)) continue;
    const di = (point as MeterPoint).di.toUpperCase();
    if (!dis.includes(di)) dis.push(di);
  }
  return dis;
}

function deviceRequests(bus: BusConfig, device: SiteDevice, manifest: DeviceManifest, line: SerialLineSettings, turnaroundMs: number, plan: readonly ReadRequest[] | undefined): PlannedRequest[] {
  const base = { bus: bus.id, device: device.id, protocol: manifest.protocol, unit: device.address };
  const wire = (bytes: FrameBytes) => ({ requestBytes: bytes.request, replyBytes: bytes.reply, wireMs: round3(transactionWireMs(bytes, line, turnaroundMs)) });
  if (manifest.protocol === 'modbus') {
    const modbus = (kind: 'poll' | 'config') => (r: ReadRequest): PlannedRequest => ({
      ...base, kind, fc: r.fc, address: r.address, count: r.count, points: [...r.points], ...wire(modbusReadBytes(r.fc, r.count)),
    });
    const polled = plan ?? planReads(polledModbusPoints(manifest), bus.plan);
    return [...polled.map(modbus('poll')), ...planReads(configModbusPoints(manifest), bus.plan).map(modbus('config'))];
  }
  return meterDataIds(manifest).map((di) => ({
    ...base,
    kind: 'poll' as const,
    di,
    points: manifest.points.filter((p) => !isModbusPoint(p) && p.di.toUpperCase() === di).map((p) => p.id),
    ...wire(manifest.protocol === 'cjt188' ? cjt188ReadBytes() : dlt645ReadBytes(di)),
  }));
}

interface BusTotals {
  requests: PlannedRequest[];
  cycleMs: number;
  configMs: number;
  windowMs: number;
  windowDevice: string;
  load: number;
}

function busTotals(bus: BusConfig, manifests: ManifestLookup, line: SerialLineSettings, turnaroundMs: number, plans: PlanOverrides | undefined): BusTotals {
  const requests: PlannedRequest[] = [];
  let cycleMs = 0;
  let configMs = 0;
  let windowMs = Infinity;
  let windowDevice = '';
  let load = 0;
  for (const device of bus.devices) {
    const manifest = manifestFor(manifests, device);
    const own = deviceRequests(bus, device, manifest, line, turnaroundMs, plans?.get(device.id));
    requests.push(...own);
    let deviceMs = 0;
    for (const r of own) {
      if (r.kind === 'poll') deviceMs += r.wireMs;
      else configMs += r.wireMs;
    }
    cycleMs += deviceMs;
    const period = fastestPeriodMs(device, manifest);
    load += deviceMs / period;
    if (period < windowMs) {
      windowMs = period;
      windowDevice = device.id;
    }
  }
  return { requests, cycleMs, configMs, windowMs, windowDevice, load };
}

function verdictOf(utilisation: number): Verdict {
  if (utilisation > REJECT_UTILISATION) return 'reject';
  if (utilisation > WARN_UTILISATION) return 'warn';
  return 'ok';
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
}

/** What to change when a bus is (nearly) full: a faster baud, longer periods, or fewer points. */
function advice(bus: BusConfig, manifests: ManifestLookup, totals: BusTotals, turnaroundMs: number, plans: PlanOverrides | undefined): string {
  const options: string[] = [];
  const faster = STANDARD_BAUDS.filter((baud) => baud > bus.baud).find((baud) => {
    const t = busTotals({ ...bus, baud }, manifests, busLine({ ...bus, baud }), turnaroundMs, plans);
    return t.cycleMs / t.windowMs <= WARN_UTILISATION;
  });
  options.push(faster === undefined
    ? `even ${STANDARD_BAUDS[STANDARD_BAUDS.length - 1]} baud does not bring the cycle under ${percent(WARN_UTILISATION)} of the window: split the devices over more buses`
    : `raise the bus (and every device on it) to ${faster} baud`);
  const periodS = Math.ceil(totals.cycleMs / WARN_UTILISATION / 1000);
  options.push(`lengthen the poll period of '${totals.windowDevice}' (now ${totals.windowMs / 1000} s${bus.devices.find((d) => d.id === totals.windowDevice)?.adaptive ? ', adaptive' : ''}) to at least ${periodS} s`);
  const largest = totals.requests.filter((r) => r.kind === 'poll').reduce((a, b) => (b.wireMs > a.wireMs ? b : a));
  options.push(`read fewer points (the longest request is '${largest.device}' ${largest.di === undefined ? `FC${String(largest.fc).padStart(2, '0')} ${largest.count} registers` : `DI ${largest.di}`}, ${largest.wireMs.toFixed(1)} ms; disable unused points in the site file)`);
  return options.join('; or ');
}

/** Plan one bus. `plans` substitutes the read plans a running scheduler actually uses. */
export function planBus(bus: BusConfig, manifests: ManifestLookup, plans?: PlanOverrides): BusPlan {
  const line = busLine(bus);
  const turnaroundMs = bus.turnaroundMs ?? DEFAULT_TURNAROUND_MS;
  const totals = busTotals(bus, manifests, line, turnaroundMs, plans);
  const utilisation = Number.isFinite(totals.windowMs) ? totals.cycleMs / totals.windowMs : 0;
  const verdict = verdictOf(utilisation);
  const summary = `cycle ${totals.cycleMs.toFixed(1)} ms is ${percent(utilisation)} of the shortest poll period (${totals.windowMs / 1000} s, '${totals.windowDevice}')`;
  const message = verdict === 'ok'
    ? `${summary}: fits`
    : `${summary}: ${verdict === 'reject' ? 'the schedule cannot fit the baud rate' : `over ${percent(WARN_UTILISATION)}, little room left for retries and timeouts`}. To fix: ${advice(bus, manifests, totals, turnaroundMs, plans)}`;
  return {
    bus: bus.id,
    port: bus.port,
    line: describeLine(line),
    bitsPerChar: bitsPerCharacter(line),
    turnaroundMs,
    requests: totals.requests,
    cycleMs: round3(totals.cycleMs),
    configMs: round3(totals.configMs),
    windowMs: totals.windowMs,
    windowDevice: totals.windowDevice,
    utilisation: Math.round(utilisation * 1e6) / 1e6,
    load: Math.round(totals.load * 1e6) / 1e6,
    verdict,
    message,
  };
}

const SEVERITY: Record<Verdict, number> = { ok: 0, warn: 1, reject: 2 };

export function planSite(site: SiteFile, manifests: ManifestLookup, plans?: PlanOverrides): SitePlan {
  const buses = site.buses.filter((bus) => bus.devices.length > 0).map((bus) => planBus(bus, manifests, plans));
  const verdict = buses.reduce<Verdict>((worst, b) => (SEVERITY[b.verdict] > SEVERITY[worst] ? b.verdict : worst), 'ok');
  return { site: site.id, buses, verdict };
}
