/**
 * Batch format vs Cayenne LPP on a simulated demo day (bench/workloads/demo-day.ts):
 * bytes per reading including 13 bytes of LoRaWAN framing per frame, both
 * formats flushed every 30 minutes and cut at the same maximum payload —
 * 51 bytes (EU868 DR0–2, AS923 DR0–1: the worst common case) and 242 bytes
 * (EU868 DR4–7). Before measuring, every batch frame is decoded and checked
 * against the samples at channel resolution: a size figure for a lossy
 * encoder would be worthless.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMessage } from '../../drivers/batch/decode.js';
import { findChannel, quantize } from '../../drivers/batch/channels.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { loadManifestDirectory } from '../../sdk/manifest/validate.js';
import { frameBatch, frameLpp, generateDemoDay, type DemoDay } from '../workloads/demo-day.js';
import type { Suite } from './common.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FLUSH_EVERY_MIN = 30;
const PAYLOADS = [51, 242] as const;

function checkLossless(day: DemoDay, frames: readonly Uint8Array[]): void {
  const key = (channel: number, t: number, value: unknown) => `${channel}@${t}=${String(value)}`;
  const want = day.samples.map((s) => {
    const channel = findChannel(day.table, s.device, s.point);
    if (channel === undefined) throw new Error(`no channel for ${s.device}.${s.point}`);
    return key(channel.index, Math.floor(s.t / 10000) * 10000, quantize(channel, s.value));
  });
  const got: string[] = [];
  for (const frame of frames) {
    const m = decodeMessage(frame, day.table);
    if (m.type !== 'batch') throw new Error('a batch flush produced a non-batch message');
    for (const r of m.readings) got.push(key(r.channel, r.t, r.value));
  }
  if (want.sort().join('\n') !== got.sort().join('\n')) throw new Error('batch frames do not decode to the demo-day samples');
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export const batchSuite: Suite = {
  name: 'batch',
  async run(context) {
    const manifests = new Map(loadManifestDirectory(path.join(root, 'manifests/devices')).map((m) => [m.id, m]));
    const sitePath = path.join(root, 'manifests/sites/demo.json');
    const site = existsSync(sitePath) ? (JSON.parse(readFileSync(sitePath, 'utf8')) as SiteFile) : undefined;
    const day = await generateDemoDay({ manifests, site });
    const devices = day.site.buses.reduce((n, b) => n + b.devices.length, 0);
    context.log(`bench: demo day: ${day.samples.length} readings from ${devices} devices, ${day.table.channels.length} channels (${site ? 'manifests/sites/demo.json' : 'built-in 12-device site'})`);
    const workload = `24 h of ${day.site.id} (${devices} devices, ${day.table.channels.length} channels, ${day.samples.length} readings: 5-min sampling, 1-min for water-level devices during a 2-h rain spell), flushed every ${FLUSH_EVERY_MIN} min`;
    const batch = PAYLOADS.map((max) => frameBatch(day, max, FLUSH_EVERY_MIN));
    batch.forEach((b) => checkLossless(day, b.all));
    const lpp = PAYLOADS.map((max) => frameLpp(day, max, FLUSH_EVERY_MIN));
    const cadences = [15, 60].map((every) => ({ every, batch: frameBatch(day, 51, every).bytesPerReading, lpp: frameLpp(day, 51, every).bytesPerReading }));
    const extras = (r: { frames: number; payloadBytes: number; readings: number }, i: number) => ({
      max_payload_bytes: PAYLOADS[i],
      frames: r.frames,
      payload_bytes: r.payloadBytes,
      readings: r.readings,
    });
    const [b51, b242] = batch;
    const [l51, l242] = lpp;
    const common = { lorawan_overhead_bytes_per_frame: 13, flush_every_min: FLUSH_EVERY_MIN, workload };
    context.emit({ metric: 'batch.bytes_per_reading', value: round(b51.bytesPerReading), unit: 'B/reading', ...extras(b51, 0), data_rate: 'EU868 DR0 (51-byte max payload)', at_242: round(b242.bytesPerReading), frames_at_242: b242.frames, ...common });
    context.emit({ metric: 'lpp.bytes_per_reading', value: round(l51.bytesPerReading), unit: 'B/reading', ...extras(l51, 0), data_rate: 'EU868 DR0 (51-byte max payload)', at_242: round(l242.bytesPerReading), frames_at_242: l242.frames, ...common });
    context.emit({
      metric: 'batch.lpp_ratio',
      value: round(b51.bytesPerReading / l51.bytesPerReading),
      unit: 'ratio',
      at_242: round(b242.bytesPerReading / l242.bytesPerReading),
      target: 0.25,
      flush_15min_at_51: round(cadences[0].batch / cadences[0].lpp),
      flush_60min_at_51: round(cadences[1].batch / cadences[1].lpp),
      note: 'batch.bytes_per_reading / lpp.bytes_per_reading at 51 bytes (at_242: at 242 bytes); both include 13 bytes LoRaWAN framing per frame',
    });
  },
};
