/**
 * Demo-day workload for the batch codec: 24 h of a 12-device underpass-and-river
 * site (the demo site of `npm start` plus a third underpass gauge, a second
 * climate sensor and a second hydrant), every device sampled every 5 min, the
 * water-level devices every minute during a 2-hour rain spell. Values come
 * from the manifests' simulation models through DeviceSimulator on a
 * VirtualClock, so the series look like the field's (noisy levels, drifting
 * temperatures, climbing counters, idle alarm bits).
 *
 * Then both encoders send the same samples the same way — a flush every
 * `flushEveryMin`, cut into frames of at most `maxPayloadBytes` — and we count
 * bytes per reading including the 13 bytes of LoRaWAN framing per frame.
 * Runtime-neutral like every workload (manifests and the site come in as data).
 */
import { BatchEncoder } from '../../drivers/batch/encoder.js';
import { buildChannelTable, findChannel, quantize, type ChannelTable } from '../../drivers/batch/channels.js';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import type { Sample } from '../../drivers/gateway/events.js';
import type { SiteDevice, SiteFile } from '../../drivers/gateway/site.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { DeviceSimulator } from '../../simulators/device-sim.js';
import { packLppFrames, type LppReading } from '../lpp.js';

/** LoRaWAN PHY overhead per frame: MHDR 1 + FHDR 7 (no FOpts) + FPort 1 + MIC 4. */
export const LORAWAN_OVERHEAD_BYTES = 13;

const device = (id: string, label: string, manifest: string, address: number | string): SiteDevice => ({ id, label, manifest, address });

/** Used when manifests/sites/demo.json does not exist. */
export const DEMO_DAY_SITE: SiteFile = {
  id: 'demo-day',
  name: 'Xuhui underpass demo site (bench, 12 devices)',
  uplink: { kind: 'lorawan', region: 'EU868', activation: 'otaa', dataRate: 0 },
  buses: [
    {
      id: 'rs485-1', port: 'sim:rs485-1', baud: 9600, parity: 'none', stopBits: 1,
      devices: [
        device('underpass-a', 'Underpass A level', 'water-level-rs485', 1),
        device('underpass-b', 'Underpass B level', 'water-level-rs485', 2),
        device('underpass-c', 'Underpass C level', 'water-level-rs485', 8),
        device('river', 'River gauge', 'radar-level-gauge', 3),
        device('pump-climate', 'Pump room climate', 'temperature-humidity-rs485', 4),
        device('substation-climate', 'Substation climate', 'temperature-humidity-rs485', 9),
        device('pump-detector', 'Pump room detector', 'smoke-heat-detector', 5),
        device('hydrant-main', 'Hydrant main', 'hydrant-pressure', 6),
        device('hydrant-branch', 'Hydrant branch', 'hydrant-pressure', 10),
        device('pump-feeder', 'Pump feeder', 'energy-meter-sdm', 7),
      ],
    },
    { id: 'rs485-2', port: 'sim:rs485-2', baud: 2400, parity: 'even', stopBits: 1, devices: [device('site-meter', 'Site electricity meter', 'dlt645-meter', '000000000161')] },
    { id: 'rs485-3', port: 'sim:rs485-3', baud: 2400, parity: 'even', stopBits: 1, devices: [device('water-meter', 'Site water meter', 'cjt188-water-meter', '00000000000012')] },
  ],
};

export interface DemoDayOptions {
  manifests: Map<string, DeviceManifest>;
  site?: SiteFile;
  /** Unix ms of midnight of the demo day. */
  dayStartMs?: number;
  cycleMin?: number;
  /** The rain spell (1-min sampling of water-level devices); the manifests' storms start at minute 60. */
  rainStartMin?: number;
  rainMinutes?: number;
  rainCycleMin?: number;
  /** Devices on a bus are polled one after another, this far apart. */
  pollSpacingMs?: number;
}

export interface DemoDay {
  site: SiteFile;
  table: ChannelTable;
  samples: Sample[];
}

export async function generateDemoDay(options: DemoDayOptions): Promise<DemoDay> {
  const site = options.site ?? DEMO_DAY_SITE;
  const table = buildChannelTable(site, options.manifests);
  const dayStartMs = options.dayStartMs ?? Date.UTC(2026, 6, 15);
  const cycleMin = options.cycleMin ?? 5;
  const rainStart = options.rainStartMin ?? 60;
  const rainEnd = rainStart + (options.rainMinutes ?? 120);
  const rainCycle = options.rainCycleMin ?? 1;
  const spacing = options.pollSpacingMs ?? 150;
  const clock = new VirtualClock({ unixEpochMs: dayStartMs });
  const devices = site.buses.flatMap((bus) => bus.devices).map((d, i) => {
    const manifest = options.manifests.get(d.manifest) as DeviceManifest;
    const points = manifest.points.filter((p) => findChannel(table, d.id, p.id) !== undefined).map((p) => p.id);
    return { site: d, manifest, points, simulator: new DeviceSimulator({ manifest, clock, seed: i + 1 }), slot: i };
  });
  const samples: Sample[] = [];
  for (let minute = 0; minute < 24 * 60; minute++) {
    const raining = minute >= rainStart && minute < rainEnd;
    for (const d of devices) {
      const due = minute % cycleMin === 0 || (raining && d.manifest.category === 'water-level' && minute % rainCycle === 0);
      if (!due) continue;
      await clock.advanceTo(minute * 60000 + d.slot * spacing);
      for (const point of d.points) {
        samples.push({ device: d.site.id, point, t: clock.unixTimeMs(), value: d.simulator.valueOf(point) as number | boolean });
      }
    }
  }
  return { site, table, samples };
}

export interface FramingResult {
  frames: number;
  readings: number;
  payloadBytes: number;
  /** (payload bytes + 13 per frame) / readings. */
  bytesPerReading: number;
}

function result(frames: readonly Uint8Array[], readings: number): FramingResult {
  const payloadBytes = frames.reduce((sum, f) => sum + f.length, 0);
  return { frames: frames.length, readings, payloadBytes, bytesPerReading: (payloadBytes + frames.length * LORAWAN_OVERHEAD_BYTES) / readings };
}

/** Splits time-ordered samples at every flush boundary. */
function windows(samples: readonly Sample[], flushEveryMin: number): Sample[][] {
  const out: Sample[][] = [];
  const spanMs = flushEveryMin * 60000;
  for (const sample of samples) {
    const w = Math.floor(sample.t / spanMs);
    const last = out[out.length - 1];
    if (last !== undefined && Math.floor(last[0].t / spanMs) === w) last.push(sample);
    else out.push([sample]);
  }
  return out;
}

/** Our format: BatchEncoder (10 s time step) flushed every `flushEveryMin`. Also returns the frames for checking. */
export function frameBatch(day: DemoDay, maxPayloadBytes: number, flushEveryMin: number): FramingResult & { all: Uint8Array[] } {
  const encoder = new BatchEncoder(day.table, { timeStepS: 10 });
  const all: Uint8Array[] = [];
  for (const window of windows(day.samples, flushEveryMin)) {
    for (const sample of window) encoder.add(sample);
    all.push(...encoder.flush(maxPayloadBytes));
  }
  if (encoder.pending > 0) throw new Error(`${encoder.pending} samples left unframed at ${maxPayloadBytes} bytes`);
  return { ...result(all, day.samples.length), all };
}

/** Cayenne LPP with the same flushes, the same frame limit and the same 10 s time points. */
export function frameLpp(day: DemoDay, maxPayloadBytes: number, flushEveryMin: number): FramingResult {
  const all: Uint8Array[] = [];
  for (const window of windows(day.samples, flushEveryMin)) {
    const readings: LppReading[] = window.map((s) => {
      const channel = findChannel(day.table, s.device, s.point);
      if (channel === undefined) throw new Error(`no channel for ${s.device}.${s.point}`);
      return { channel, timeS: Math.floor(s.t / 10000) * 10, value: quantize(channel, s.value) };
    });
    all.push(...packLppFrames(readings, maxPayloadBytes));
  }
  return result(all, day.samples.length);
}
