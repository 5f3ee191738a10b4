/**
 * Distinct readings stay distinct at the platform (issue 9 §5): devices
 * polled every 2 s under the default 10-second time step, an uplink that
 * loses acknowledgements (the far side has the frame, the gateway sends it
 * again), a restart within one time step and a data rate that drops while
 * frames wait. The documented de-duplication rule (docs/store-and-forward.md:
 * a reading is device, point and time; sdk/codec RepeatFilter) applied to
 * everything the far side decoded must keep every reading the gateway took
 * and remove every resent copy.
 */
import { test, type CoreAssertions } from '../../test/kit/core-test.js';
import { RepeatFilter, readingKey } from '../../sdk/codec/repeats.js';
import type { DecodedReading } from '../../sdk/codec/decode-uplink.js';
import { findChannel, quantize } from '../batch/channels.js';
import { toHex } from '../bytes.js';
import type { SiteFile } from './site.js';
import { MINUTE, Pipeline, demoSubset } from './test-support.js';

const DEVICES = ['underpass-longhua', 'pump-room-climate', 'smoke-pump-room'];
const POLL_S = 2;

/** The demo devices polled every 2 s (no adaptive period: its 60 s would be slower). */
function fastSite(): SiteFile {
  const site = demoSubset(DEVICES);
  for (const bus of site.buses) {
    for (const device of bus.devices) {
      device.pollPeriodS = POLL_S;
      delete device.adaptive;
    }
  }
  return site;
}

type Rig = Pipeline & { fast: SiteFile };

function rig(uplink: { ackLossRate: number; seed: number; maxPayloadBytes?: number }): Rig {
  const site = fastSite();
  return Object.assign(new Pipeline({ devices: DEVICES, uplink, gateway: { site } }), { fast: site });
}

/** Every reading the gateway took (valid and with a channel), from its poll events up to clock time `untilMs` (monotonic). */
function taken(p: Rig, untilMs: number): Array<{ device: string; point: string; t: number; value: number | boolean }> {
  const table = p.gateway.channelTable;
  const out: Array<{ device: string; point: string; t: number; value: number | boolean }> = [];
  for (const event of p.events) {
    if (event.kind !== 'poll' || event.atMs > untilMs) continue;
    for (const [point, reading] of Object.entries(event.poll.readings)) {
      const channel = findChannel(table, event.poll.device, point);
      if (!reading.ok || channel === undefined) continue;
      out.push({ device: event.poll.device, point, t: event.poll.t, value: quantize(channel, reading.value) });
    }
  }
  return out;
}

/** Everything decoded, in arrival order, with whether its frame's acknowledgement was lost (so it comes again). */
function decodedFrames(p: Rig): Array<{ readings: DecodedReading[]; ackLost: boolean; hex: string }> {
  return p.uplink.received.flatMap((m) => (m.decoded?.type === 'batch' ? [{ readings: m.decoded.readings, ackLost: m.ackLost === true, hex: toHex(m.payload) }] : []));
}

/**
 * The rule over everything decoded: what it keeps must be, per point and in
 * time order, exactly the values taken (none merged, none left out), and what
 * it removes exactly the copies a lost acknowledgement caused.
 */
function checkRule(t: CoreAssertions, p: Rig, untilMs: number): { kept: number; removed: number } {
  const frames = decodedFrames(p);
  const filter = new RepeatFilter();
  const kept = new Map<string, DecodedReading[]>();
  for (const frame of frames) {
    for (const r of frame.readings) {
      if (!filter.accept(r)) continue;
      const point = `${r.device}.${r.point}`;
      kept.set(point, [...(kept.get(point) ?? []), r]);
    }
  }
  const want = taken(p, untilMs);
  t.is(filter.kept, want.length, 'the rule keeps one reading per reading taken');
  const copies = frames.filter((f) => f.ackLost).reduce((n, f) => n + f.readings.length, 0);
  t.is(filter.removed, copies, 'and removes exactly the resent copies');
  const wantByPoint = new Map<string, typeof want>();
  for (const w of want) wantByPoint.set(`${w.device}.${w.point}`, [...(wantByPoint.get(`${w.device}.${w.point}`) ?? []), w]);
  for (const [point, list] of wantByPoint) {
    const got = (kept.get(point) ?? []).sort((a, b) => a.t - b.t);
    t.deepEqual(got.map((r) => r.value), list.map((w) => w.value), `${point}: the values taken, in order`);
    // Stamped at the start of a step of at most 10 s; a second carried at most past a repeat.
    t.true(got.every((r, i) => r.t > list[i].t - 10_000 && r.t < list[i].t + 2000), `${point}: stamps within a step of the reading`);
  }
  return { kept: filter.kept, removed: filter.removed };
}

/** Readings of one point taken within one 10-second step: what the default step alone would have merged. */
function sharingDefaultStep(p: Rig, untilMs: number): number {
  const seen = new Set<string>();
  let shared = 0;
  for (const r of taken(p, untilMs)) {
    const key = `${r.device}.${r.point}@${Math.floor(r.t / 10_000)}`;
    if (seen.has(key)) shared++;
    seen.add(key);
  }
  return shared;
}

test('2 s polls, default settings, lost acks: the rule keeps every reading taken and removes every resent copy', async (t) => {
  const p = rig({ ackLossRate: 0.5, seed: 9 });
  p.gateway.start();
  await p.until(20 * MINUTE + 30_000);
  // Frame everything taken so far, then let the sender deliver all of it.
  p.uplink.ackLossRate = 0;
  p.gateway.flush();
  const cutMs = p.clock.now();
  await p.until(22 * MINUTE);
  t.is(p.gateway.stats().store.pendingReadings, 0, 'everything framed was delivered');

  t.true(sharingDefaultStep(p, cutMs) > 1000, 'many readings share a 10 s step with another of their point');
  const frames = decodedFrames(p);
  t.true(frames.filter((f) => f.ackLost).length >= 5, `acknowledgements were lost (${frames.filter((f) => f.ackLost).length} frames)`);
  const hexes = frames.map((f) => f.hex);
  t.true(hexes.some((hex, i) => hexes.indexOf(hex) !== i), 'the same frame arrived twice');
  const { kept, removed } = checkRule(t, p, cutMs);
  t.true(kept > 3000 && removed > 100, `${kept} kept, ${removed} removed`);
  t.deepEqual(p.errors(), []);
  await p.close();
});

test('a restart within one time step reissues no stamp: the rule keeps the readings on both sides', async (t) => {
  const p = rig({ ackLossRate: 0, seed: 1 });
  p.gateway.start();
  await p.until(MINUTE + 3100);
  const restartMs = p.clock.unixTimeMs();
  await p.reboot();
  await p.until(2 * MINUTE);
  p.gateway.flush();
  const cutMs = p.clock.now();
  await p.until(3 * MINUTE);
  const all = taken(p, cutMs);
  const step = (ms: number) => Math.floor(ms / 10_000);
  const straddling = all.filter((r) => r.t < restartMs && all.some((s) => s.t >= restartMs && s.device === r.device && s.point === r.point && step(s.t) === step(r.t)));
  t.true(straddling.length > 0, 'readings before and after the restart share a 10 s step');
  const { removed } = checkRule(t, p, cutMs);
  t.is(removed, 0, 'nothing was resent, so nothing is removed');
  await p.close();
});

test('frames re-cut for a lower data rate keep their readings’ identities: the rule removes the re-cut copies', async (t) => {
  const p = rig({ ackLossRate: 0, seed: 5, maxPayloadBytes: 242 });
  p.gateway.start();
  await p.until(5 * MINUTE - 100);
  // The flush at 5 min frames at 242 bytes; the first frame arrives but its acknowledgement is lost.
  p.uplink.ackLossRate = 1;
  await p.until(5 * MINUTE + 100);
  // Then the limit drops (ADR) while it waits for its retry, and acknowledgements come through again.
  p.uplink.maxPayload = 51;
  p.uplink.ackLossRate = 0;
  await p.until(7 * MINUTE);
  p.gateway.flush();
  const cutMs = p.clock.now();
  await p.until(9 * MINUTE);
  t.is(p.gateway.stats().store.pendingReadings, 0);
  const frames = decodedFrames(p);
  const big = frames.filter((f) => f.hex.length / 2 > 51);
  const bigKeys = new Set(big.flatMap((f) => f.readings.map(readingKey)));
  const recutCopies = frames.filter((f) => f.hex.length / 2 <= 51 && f.readings.some((r) => bigKeys.has(readingKey(r))));
  t.true(big.some((f) => f.ackLost) && recutCopies.length > 0, `a 242-byte frame whose ack was lost came again re-cut (${recutCopies.length} pieces)`);
  checkRule(t, p, cutMs);
  await p.close();
});
