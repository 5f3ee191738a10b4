/**
 * Property and fuzz tests of the batch codec (fast-check, Node and XS):
 * random sample streams cut at every LoRaWAN payload limit decode back to the
 * inputs at channel resolution with nothing lost or duplicated, every reading
 * under a stamp of its own (its identity at the platform); alerts fit 11
 * bytes; random and mutated input never makes a decoder throw anything but a
 * BatchError (and, being bounded, never hangs: XS's metering limit would stop it).
 */
import fc from 'fast-check';

type FastCheck = typeof fc;
import { test } from '../../test/kit/core-test.js';
import type { Sample } from '../gateway/events.js';
import { BatchEncoder, BatchError, batchFrameSize, buildChannelTable, decodeAlert, decodeCborMessage, decodeMessage, encodeAlert, encodeBatchFrame, LIMITS as FORMAT_LIMITS, quantize, TIME_STEPS_S, toFixed, type Channel, type ChannelTable, type FrameContent } from './index.js';
import { fixtureManifests, fixtureSite } from './test-support.js';
import { BitWriter, eg0Bits, seriesBits, signedBits, writeEg0, writeSeries, writeSigned } from './bits.js';
import { decodeBatchFrame } from './batch-frame.js';
import { stampRuns } from './stamps.js';


const LIMITS = [11, 51, 53, 115, 125, 222, 242];
const T0 = Date.UTC(2026, 6, 15);
/** Keeps any single reading small enough for an 11-byte frame (see docs/batch-format.md §4). */
const MAX_UNITS = 2 ** 21;

const table = buildChannelTable(fixtureSite(), fixtureManifests());
const live = table.channels.filter((c) => c.retired !== true);

function valueArbitrary(fc: FastCheck, channel: Channel) {
  if (channel.kind === 'bool') return fc.boolean().map((v): number | boolean => v);
  const scale = 10 ** channel.decimals;
  const lo = Math.max(-MAX_UNITS, Math.ceil((channel.min ?? -1e6) * scale));
  const hi = Math.min(MAX_UNITS, Math.floor((channel.max ?? 1e6) * scale));
  // Off-grid values (±0.4 of a unit) check the rounding to the channel resolution.
  return fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: -4, max: 4 })).map(([units, tenth]): number | boolean => (units + tenth / 10) / scale);
}

function samplesArbitrary(fc: FastCheck, maxLength: number) {
  const one = fc.integer({ min: 0, max: live.length - 1 }).chain((i) =>
    fc.record({
      channel: fc.constant(live[i]),
      // 5-minute cycles over 6 hours, polls every 2 s for a minute, every 0.45 s for 9 s (faster than the
      // format's finest step), and arbitrary milliseconds: readings of one channel within a step included.
      t: fc.oneof(
        fc.integer({ min: 0, max: 72 }).map((k) => T0 + k * 300000 + 137),
        fc.integer({ min: 0, max: 30 }).map((k) => T0 + 3600000 + k * 2000 + 311),
        fc.integer({ min: 0, max: 20 }).map((k) => T0 + 7200000 + k * 450),
        fc.integer({ min: 0, max: 6 * 3600000 }).map((ms) => T0 + ms),
      ),
      value: valueArbitrary(fc, live[i]),
    }),
  );
  return fc.array(one, { minLength: 1, maxLength });
}

type Input = { channel: Channel; t: number; value: number | boolean };
type Decoded = { channel: number; t: number; value: number | boolean };

function decodeAll(frames: readonly Uint8Array[], table: ChannelTable): Decoded[] {
  const out: Decoded[] = [];
  for (const frame of frames) {
    const message = decodeMessage(frame, table);
    if (message.type !== 'batch') throw new Error('not a batch frame');
    for (const r of message.readings) out.push({ channel: r.channel, t: r.t, value: r.value });
  }
  return out;
}

/** Channels of which two inputs fall into one step of `stepS` seconds. */
function collidesAt(inputs: readonly Input[], stepS: number): boolean {
  const seen = new Set<string>();
  for (const s of inputs) {
    const key = `${s.channel.index}@${Math.floor(s.t / (stepS * 1000))}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/**
 * What a flush must decode to, per channel: every input once, in time order,
 * at channel resolution, each under a stamp of its own (strictly increasing),
 * no later than a step before the reading and — when stamps were carried past
 * a repeat second — at most a second per earlier reading of the channel after it.
 * Returns a description of the first difference, or undefined.
 */
function identityProblem(inputs: readonly Input[], decoded: readonly Decoded[], stepS: number): string | undefined {
  const byChannel = new Map<number, { inputs: Input[]; decoded: Decoded[] }>();
  const entry = (channel: number) => byChannel.get(channel) ?? byChannel.set(channel, { inputs: [], decoded: [] }).get(channel)!;
  for (const s of inputs) entry(s.channel.index).inputs.push(s);
  for (const r of decoded) entry(r.channel).decoded.push(r);
  for (const [channel, e] of byChannel) {
    const want = [...e.inputs].sort((a, b) => a.t - b.t);
    const got = [...e.decoded].sort((a, b) => a.t - b.t);
    if (want.length !== got.length) return `channel ${channel}: ${want.length} inputs, ${got.length} decoded`;
    for (let i = 0; i < want.length; i++) {
      if (got[i].value !== quantize(want[i].channel, want[i].value)) return `channel ${channel} reading ${i}: ${String(got[i].value)} for ${String(want[i].value)}`;
      if (i > 0 && got[i].t <= got[i - 1].t) return `channel ${channel}: two readings stamped ${got[i].t}`;
      if (got[i].t <= want[i].t - stepS * 1000 || got[i].t >= want[i].t + 1000 * (i + 1)) return `channel ${channel} reading ${i} at ${want[i].t} stamped ${got[i].t}`;
    }
  }
  return undefined;
}

test('property: at every payload limit, frames fit and decode to exactly the inputs, each reading under a stamp of its own', async (t) => {
  for (const limit of LIMITS) {
    fc.assert(
      fc.property(samplesArbitrary(fc, limit === 11 ? 12 : 40), fc.constantFrom(...TIME_STEPS_S), (inputs, stepS) => {
        const encoder = new BatchEncoder(table, { timeStepS: stepS });
        const samples: Sample[] = inputs.map((s) => ({ device: s.channel.device, point: s.channel.point, t: s.t, value: s.value }));
        for (const sample of samples) encoder.add(sample);
        const frames = encoder.flush(limit);
        if (encoder.pending !== 0) return false;
        if (frames.some((f) => f.length > limit)) return false;
        const decoded = decodeAll(frames, table);
        const problem = identityProblem(inputs, decoded, stepS);
        if (problem !== undefined) throw new Error(problem);
        // One step per flush: the configured one unless two readings of a channel share one of its steps, else the coarsest that parts them.
        const steps = new Set(frames.map((f) => decodeBatchFrame(f).stepS));
        if (steps.size !== 1) return false;
        const [used] = steps;
        if (TIME_STEPS_S.some((s) => s > used && s <= stepS && !collidesAt(inputs, s))) return false;
        if (used !== TIME_STEPS_S[0] && collidesAt(inputs, used)) return false;
        // Slower than the step, stamps are what they always were: the start of the configured step.
        if (!collidesAt(inputs, stepS)) {
          const stepMs = stepS * 1000;
          const want = inputs.map((s) => `${s.channel.index}@${Math.floor(s.t / stepMs) * stepMs}`).sort();
          if (decoded.map((r) => `${r.channel}@${r.t}`).sort().join() !== want.join()) return false;
        }
        return true;
      }),
      { numRuns: limit === 11 ? 15 : 25 },
    );
  }
  t.pass();
});

test('property: flushing in several rounds (as an uplink does) loses and duplicates nothing, and never reissues a stamp', async (t) => {
  fc.assert(
    fc.property(samplesArbitrary(fc, 60), fc.array(fc.constantFrom(...LIMITS), { minLength: 1, maxLength: 6 }), (inputs, limits) => {
      const encoder = new BatchEncoder(table);
      for (const s of inputs) encoder.add({ device: s.channel.device, point: s.channel.point, t: s.t, value: s.value });
      const frames: Uint8Array[] = [];
      for (const limit of limits) frames.push(...encoder.flush(limit, 2));
      frames.push(...encoder.flush(242));
      const problem = identityProblem(inputs, decodeAll(frames, table), 10);
      if (problem !== undefined) throw new Error(problem);
      return encoder.pending === 0;
    }),
    { numRuns: 30 },
  );
  t.pass();
});

test('property: readings added between flushes get stamps after those already framed', async (t) => {
  // Three channels polled fast, so their runs straddle the flushes: every 2 s, every 0.45 s, or at arbitrary moments of a minute.
  const few = live.slice(0, 3);
  const one = fc.integer({ min: 0, max: few.length - 1 }).chain((i) =>
    fc.record({
      channel: fc.constant(few[i]),
      t: fc.oneof(fc.integer({ min: 0, max: 30 }).map((k) => T0 + k * 2000 + 311), fc.integer({ min: 0, max: 40 }).map((k) => T0 + k * 450), fc.integer({ min: 0, max: 60000 }).map((ms) => T0 + ms)),
      value: valueArbitrary(fc, few[i]),
    }),
  );
  fc.assert(
    fc.property(fc.array(one, { minLength: 1, maxLength: 60 }), fc.uniqueArray(fc.nat({ max: 60 }), { maxLength: 6 }), fc.constantFrom(11, 51, 242), (inputs, cuts, limit) => {
      // One encoder over a stream in time order, flushed at arbitrary points: as the gateway's flush period does.
      const ordered = [...inputs].sort((a, b) => a.t - b.t);
      const encoder = new BatchEncoder(table);
      const frames: Uint8Array[] = [];
      ordered.forEach((s, i) => {
        if (cuts.includes(i)) frames.push(...encoder.flush(limit));
        encoder.add({ device: s.channel.device, point: s.channel.point, t: s.t, value: s.value });
      });
      frames.push(...encoder.flush(242));
      const problem = identityProblem(ordered, decodeAll(frames, table), 10);
      if (problem !== undefined) throw new Error(problem);
      return encoder.pending === 0;
    }),
    { numRuns: 60 },
  );
  t.pass();
});

/** Any well-formed frame content: ascending time points and channels, each block present at an ascending subset. */
function frameContentArbitrary(fc: FastCheck) {
  const value = fc.oneof(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -(2 ** 46), max: 2 ** 46 }));
  return fc
    .record({
      gaps: fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 100000 })), { maxLength: 40 }),
      channels: fc.uniqueArray(fc.integer({ min: 0, max: 4095 }), { minLength: 1, maxLength: 12 }),
    })
    .chain(({ gaps, channels }) => {
      const times = [0];
      for (const gap of gaps) times.push(times[times.length - 1] + gap);
      const block = (channel: number) =>
        fc.subarray(times.map((_, i) => i), { minLength: 1 }).chain((at) => fc.array(value, { minLength: at.length, maxLength: at.length }).map((values) => ({ channel, at, values })));
      return fc.tuple(...[...channels].sort((a, b) => a - b).map(block)).map((blocks): FrameContent => ({ baseS: 1_800_000_000, stepS: 10, times, blocks }));
    });
}

/** Bits a writer call puts out, measured on a real BitWriter. */
function written(write: (w: BitWriter) => void): number {
  const writer = new BitWriter();
  write(writer);
  return writer.bitLength;
}

test('property: eg0Bits, signedBits and seriesBits are what the writers write', async (t) => {
  const wide = fc.oneof(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -(2 ** 48), max: 2 ** 48 }));
  fc.assert(
    fc.property(fc.nat({ max: 2 ** 30 }), wide, fc.array(wide, { minLength: 1, maxLength: 30 }), (count, value, values) => {
      const min = Math.min(...values);
      const max = Math.max(...values);
      return (
        eg0Bits(count) === written((w) => writeEg0(w, count)) &&
        signedBits(value) === written((w) => writeSigned(w, value)) &&
        seriesBits(min, max, values.length) === written((w) => writeSeries(w, values))
      );
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: batchFrameSize is the length encodeBatchFrame writes', async (t) => {
  fc.assert(
    fc.property(frameContentArbitrary(fc), (content) => batchFrameSize(content) === encodeBatchFrame(content).length),
    { numRuns: 300 },
  );
  t.pass();
});

/**
 * The cutting BatchEncoder is specified to do (greedy by channel, bisecting
 * the prefix of the channel that overflows), written the plain way: every
 * candidate frame built and priced with batchFrameSize. The encoder prices
 * candidates incrementally; its frames must be exactly these. Stamps come
 * from stamps.ts, as in the encoder: the properties above check them.
 */
function referenceFlush(inputs: readonly Input[], configuredS: FrameContent['stepS'], maxBytes: number): Uint8Array[] {
  const byChannel = new Map<number, Input[]>();
  for (const s of inputs) byChannel.set(s.channel.index, [...(byChannel.get(s.channel.index) ?? []), s]);
  const runs = [...byChannel.values()].map((list) => list.sort((a, b) => a.t - b.t));
  const { stepS, stamps } = stampRuns(configuredS, runs.map((list) => ({ readings: list })));
  const queues = new Map<number, { step: number; fixed: number }[]>();
  runs.forEach((list, r) => queues.set(list[0].channel.index, list.map((s, i) => ({ step: stamps[r][i] / stepS, fixed: toFixed(s.channel, s.value) }))));
  type Take = { channel: number; items: { step: number; fixed: number }[] };
  const contentOf = (takes: readonly Take[]): FrameContent => {
    const steps = [...new Set(takes.flatMap((take) => take.items.map((item) => item.step)))].sort((a, b) => a - b);
    return {
      baseS: steps[0] * stepS,
      stepS: stepS as FrameContent['stepS'],
      times: steps.map((step) => step - steps[0]),
      blocks: takes.map((take) => ({ channel: take.channel, at: take.items.map((item) => steps.indexOf(item.step)), values: take.items.map((item) => item.fixed) })),
    };
  };
  const fits = (takes: readonly Take[]) => {
    const content = contentOf(takes);
    return content.times.length <= FORMAT_LIMITS.timePoints && batchFrameSize(content) <= maxBytes;
  };
  const frames: Uint8Array[] = [];
  while (queues.size > 0) {
    const oldest = Math.min(...[...queues.values()].map((queue) => queue[0].step));
    const takes: Take[] = [];
    for (const channel of [...queues.keys()].sort((a, b) => a - b)) {
      const run: Take['items'] = [];
      for (const item of queues.get(channel) ?? []) {
        if ((run.length > 0 && item.step === run[run.length - 1].step) || item.step - oldest > FORMAT_LIMITS.spanSteps || run.length === FORMAT_LIMITS.timePoints) break;
        run.push(item);
      }
      const fitsWith = (n: number) => fits([...takes, { channel, items: run.slice(0, n) }]);
      if (fitsWith(run.length)) {
        takes.push({ channel, items: run });
        continue;
      }
      let lo = 0;
      let hi = run.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (fitsWith(mid)) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) {
        takes.push({ channel, items: run.slice(0, lo) });
        break;
      }
    }
    if (takes.length === 0) break;
    frames.push(encodeBatchFrame(contentOf(takes)));
    for (const take of takes) {
      const queue = queues.get(take.channel) ?? [];
      queue.splice(0, take.items.length);
      if (queue.length === 0) queues.delete(take.channel);
    }
  }
  return frames;
}

test('property: the encoder cuts exactly the frames the plain greedy cutting makes', async (t) => {
  fc.assert(
    fc.property(samplesArbitrary(fc, 60), fc.constantFrom(...LIMITS), fc.constantFrom(...TIME_STEPS_S), (inputs, limit, stepS) => {
      const encoder = new BatchEncoder(table, { timeStepS: stepS });
      for (const s of inputs) encoder.add({ device: s.channel.device, point: s.channel.point, t: s.t, value: s.value });
      const frames = encoder.flush(limit);
      const expected = referenceFlush(inputs, stepS, limit);
      return frames.length === expected.length && frames.every((f, i) => f.join() === expected[i].join());
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('property: every alert fits 11 bytes (US915 DR0) and round-trips', async (t) => {
  const rules = table.rules;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: rules.length - 1 }),
      fc.constantFrom('warning' as const, 'critical' as const),
      fc.constantFrom('raised' as const, 'cleared' as const, 'acknowledged' as const),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      fc.integer({ min: 0, max: 999 }),
      fc.oneof(fc.constant(undefined), fc.boolean(), fc.integer({ min: -2e6, max: 2e6 }).map((n) => n / 1000)),
      (ruleIndex, level, state, seconds, ms, value) => {
        const rule = rules[ruleIndex];
        const event = { rule: rule.id, device: rule.device, point: rule.point, level, state, t: seconds * 1000 + ms, value, message: 'x' };
        const bytes = encodeAlert(event, table);
        const decoded = decodeAlert(bytes, table);
        const channel = rule.point === undefined ? undefined : table.channels.find((c) => c.device === rule.device && c.point === rule.point);
        const expectedValue = typeof value === 'number' && channel?.kind === 'number' ? quantize(channel, value) : value;
        return bytes.length <= 11 && decoded.rule === rule.id && decoded.level === level && decoded.state === state && decoded.t === seconds * 1000 && decoded.value === expectedValue;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

/** Fails the property on anything thrown that is not our own error. */
function onlyBatchErrors(fn: () => unknown): boolean {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof BatchError)) throw error;
    if (error.message.length < 10) throw new Error(`unclear message: ${error.message}`);
  }
  return true;
}

test('fuzz: random payloads only ever raise BatchError', async (t) => {
  const header = fc.constantFrom(0x11, 0x12, 0x13, 0x11, 0x11);
  fc.assert(
    fc.property(header, fc.uint8Array({ maxLength: 64 }), fc.boolean(), (first, rest, raw) => {
      const bytes = raw ? rest : Uint8Array.from([first, ...rest]);
      return onlyBatchErrors(() => decodeMessage(bytes, table)) && onlyBatchErrors(() => decodeMessage(bytes, table, { warn: () => undefined })) && onlyBatchErrors(() => decodeCborMessage(bytes, table));
    }),
    { numRuns: 400 },
  );
  t.pass();
});

test('fuzz: mutated real frames decode or raise BatchError, never anything else', async (t) => {
  const mutation = fc.record({ bit: fc.nat(), kind: fc.constantFrom('flip', 'truncate', 'extend', 'flip3') });
  fc.assert(
    fc.property(samplesArbitrary(fc, 20), fc.constantFrom(51, 242), fc.array(mutation, { minLength: 1, maxLength: 3 }), (inputs, limit, mutations) => {
      const encoder = new BatchEncoder(table);
      for (const s of inputs) encoder.add({ device: s.channel.device, point: s.channel.point, t: s.t, value: s.value });
      for (const frame of encoder.flush(limit)) {
        let bytes = frame.slice();
        for (const m of mutations) {
          const bit = m.bit % (bytes.length * 8);
          if (m.kind === 'truncate') bytes = bytes.slice(0, bit >> 3);
          else if (m.kind === 'extend') bytes = Uint8Array.from([...bytes, bit & 0xff]);
          else for (let k = 0; k < (m.kind === 'flip3' ? 3 : 1) && bytes.length > 0; k++) bytes[((bit >> 3) + k) % bytes.length] ^= 1 << (bit & 7);
        }
        onlyBatchErrors(() => decodeMessage(bytes, table));
      }
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass();
});
