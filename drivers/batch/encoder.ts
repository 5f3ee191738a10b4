/**
 * BatchEncoder: queues samples and cuts them into self-contained batch frames
 * no larger than the payload the uplink allows right now.
 *
 * Cutting is greedy and column-first: channels are taken in number order, each
 * with as much of its queued run as fits (a long run of one channel is where
 * the compression comes from); the channel that overflows contributes the
 * longest prefix that still fits, and the rest waits for the next frame. Sizes
 * are exact (every candidate is priced bit for bit), so no frame exceeds the
 * limit and none is needlessly short. Nothing is dropped: a sample that cannot
 * go into this flush (a payload limit too small for even one reading) stays
 * queued.
 *
 * Each flush stamps the queued samples first (stamps.ts): the configured step,
 * or a finer one when a channel was read more than once within a step, so
 * that no two readings of a channel, in this flush or an earlier one, share a
 * stamp. The stamp is the reading's identity at the platform.
 */
import type { Sample } from '../gateway/events.js';
import { findChannel, toFixed, type ChannelTable } from './channels.js';
import { BatchError } from './errors.js';
import { LIMITS, TIME_STEPS_S, type TimeStepS } from './format.js';
import { FRAME_HEADER_BITS, encodeBatchFrame, gapRange, presenceBits, timelineBits, valueColumnBits, type FrameContent } from './batch-frame.js';
import { eg0Bits } from './bits.js';
import { stampRuns, type StampRun } from './stamps.js';

export interface BatchEncoderOptions {
  /**
   * Time quantum of batch timestamps, seconds (default 10): readings are
   * stamped to the start of their step. The coarsest step a frame uses: a
   * flush holding two readings of one channel within a step uses a finer one.
   */
  timeStepS?: TimeStepS;
  /**
   * Unix ms before which an earlier run of the gateway may have stamped
   * readings (its start time): every stamp of this encoder comes after the
   * second before it, so a restart within one time step cannot reissue a
   * stamp of the previous run.
   */
  notBeforeMs?: number;
}

interface Queued {
  /** Unix ms of the reading. */
  t: number;
  /** Absolute step number of its stamp at the flush's step (set by #stamp). */
  step: number;
  fixed: number;
}

interface Take {
  channel: number;
  items: Queued[];
}

export class BatchEncoder {
  readonly table: ChannelTable;
  /** The configured time step: the coarsest a frame uses. */
  readonly stepS: TimeStepS;
  readonly #queues = new Map<number, Queued[]>();
  /** Per channel, the stamp (unix s) of its latest framed reading. */
  readonly #lastStamp = new Map<number, number>();
  /** Stamps of an earlier run may reach this second (notBeforeMs); undefined without one. */
  readonly #earlierRunS: number | undefined;
  #pending = 0;

  constructor(table: ChannelTable, options: BatchEncoderOptions = {}) {
    this.table = table;
    this.stepS = options.timeStepS ?? 10;
    if (!TIME_STEPS_S.includes(this.stepS)) {
      throw new BatchError('BATCH_STEP', `time step ${String(this.stepS)} s is not one the format can express`, { fix: `use one of ${TIME_STEPS_S.join(', ')} s` });
    }
    this.#earlierRunS = options.notBeforeMs === undefined ? undefined : Math.ceil(options.notBeforeMs / 1000) - 1;
  }

  /** Samples waiting for a frame. */
  get pending(): number {
    return this.#pending;
  }

  /** Queues one sample. Throws BatchError for a device point without a channel or a value/time the format cannot carry. */
  add(sample: Sample): void {
    const channel = findChannel(this.table, sample.device, sample.point);
    if (channel === undefined) {
      throw new BatchError('BATCH_UNKNOWN_CHANNEL', `no channel for ${sample.device}.${sample.point}`, {
        fix: 'rebuild the channel table from the current site (buildChannelTable with the previous table) and regenerate the codec',
      });
    }
    if (!Number.isFinite(sample.t) || sample.t < 0 || sample.t / 1000 >= LIMITS.unixSeconds) {
      throw new BatchError('BATCH_TIME', `sample time ${sample.t} ms is outside 1970…2106`, { where: `${sample.device}.${sample.point}` });
    }
    const item: Queued = { t: sample.t, step: 0, fixed: toFixed(channel, sample.value) };
    let queue = this.#queues.get(channel.index);
    if (queue === undefined) this.#queues.set(channel.index, (queue = []));
    // Samples mostly arrive in time order; keep each queue sorted (stable for equal times).
    let i = queue.length;
    while (i > 0 && queue[i - 1].t > item.t) i--;
    queue.splice(i, 0, item);
    this.#pending++;
  }

  /**
   * Frames for the queued samples, each at most `maxPayloadBytes` bytes and
   * decodable on its own, oldest run of each channel first; at most
   * `maxFrames` of them. Whatever is not framed stays queued.
   */
  flush(maxPayloadBytes: number, maxFrames = Infinity): Uint8Array[] {
    const frames: Uint8Array[] = [];
    if (this.#pending === 0 || maxFrames < 1) return frames;
    const stepS = this.#stamp();
    while (this.#pending > 0 && frames.length < maxFrames) {
      const takes = this.#select(maxPayloadBytes);
      if (takes.length === 0) break;
      frames.push(encodeBatchFrame(frameOf(takes, stepS)));
      for (const take of takes) {
        const queue = this.#queues.get(take.channel) as Queued[];
        queue.splice(0, take.items.length);
        if (queue.length === 0) this.#queues.delete(take.channel);
        this.#pending -= take.items.length;
        this.#lastStamp.set(take.channel, take.items[take.items.length - 1].step * stepS);
      }
    }
    return frames;
  }

  /** Chooses this flush's step and stamps every queued sample at it (stamps.ts); returns the step. */
  #stamp(): TimeStepS {
    const queues: Queued[][] = [];
    const runs: StampRun[] = [];
    for (const [channel, queue] of this.#queues) {
      queues.push(queue);
      runs.push({ readings: queue, after: this.#lastStamp.get(channel) ?? this.#earlierRunS });
    }
    const { stepS, stamps } = stampRuns(this.stepS, runs);
    for (let r = 0; r < queues.length; r++) {
      const queue = queues[r];
      for (let i = 0; i < queue.length; i++) queue[i].step = stamps[r][i] / stepS;
    }
    return stepS;
  }

  #select(maxBytes: number): Take[] {
    const channels = [...this.#queues.keys()].sort((a, b) => a - b);
    let oldest = Infinity;
    for (const queue of this.#queues.values()) oldest = Math.min(oldest, queue[0].step);
    const frame = new FramePricer();
    const fits = (channel: number, items: readonly Queued[], count: number) => frame.bytesWith(channel, items, count) <= maxBytes;
    for (const channel of channels) {
      const run = usableRun(this.#queues.get(channel) as Queued[], oldest);
      if (run.length === 0) continue;
      if (fits(channel, run, run.length)) {
        frame.add(channel, run);
        continue;
      }
      // Largest prefix that fits (size grows with the prefix, so bisect).
      let lo = 0;
      let hi = run.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (fits(channel, run, mid)) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) {
        frame.add(channel, run.slice(0, lo));
        break;
      }
      // Not even one reading of this channel fits beside the others; a later channel's may.
    }
    return frame.takes;
  }
}

/**
 * The frame #select is filling, priced exactly (the bit counts of
 * batch-frame.ts) without being built: a candidate's own columns are priced
 * once, and only the presence fields depend on the other takes, through the
 * frame's set of time steps. Building the FrameContent and running the writer
 * over a counter for every candidate made a flush cost thousands of compute
 * units per reading on the gateway.
 */
class FramePricer {
  readonly takes: Take[] = [];
  /** Distinct steps of the takes, ascending (the frame's time points). */
  #steps: number[] = [];
  /**
   * The takes' step sequences, consecutive equal ones merged: a device's
   * points are polled together and numbered together, so they share one
   * presence field's price, recomputed once per device when #steps grows.
   */
  readonly #shapes: { items: readonly Queued[]; takes: number; bits: number }[] = [];
  /** Channel gaps and value columns of the takes: they do not depend on the time points. */
  #columnBits = 0;
  /** Presence fields of the takes against #steps. */
  #presenceBits = 0;

  /** Bytes of the frame with the first `count` items of `channel`'s run added, Infinity beyond the time-point limit. */
  bytesWith(channel: number, items: readonly Queued[], count: number): number {
    const grows = newStepCount(this.#steps, items, count) > 0;
    const steps = grows ? mergeSteps(this.#steps, items, count) : this.#steps;
    if (steps.length > LIMITS.timePoints) return Infinity;
    let presence = this.#presenceBits;
    if (grows) {
      presence = 0;
      for (const shape of this.#shapes) presence += shape.takes * takePresenceBits(shape.items, shape.items.length, steps);
    }
    presence += takePresenceBits(items, count, steps);
    const previous = this.takes.length === 0 ? -1 : this.takes[this.takes.length - 1].channel;
    const bits =
      FRAME_HEADER_BITS +
      stepsTimelineBits(steps) +
      eg0Bits(this.takes.length) +
      this.#columnBits +
      eg0Bits(channel - previous - 1) +
      takeValueBits(items, count) +
      presence;
    return Math.ceil(bits / 8);
  }

  add(channel: number, items: Queued[]): void {
    const previous = this.takes.length === 0 ? -1 : this.takes[this.takes.length - 1].channel;
    this.#columnBits += eg0Bits(channel - previous - 1) + takeValueBits(items, items.length);
    this.takes.push({ channel, items });
    if (newStepCount(this.#steps, items, items.length) > 0) {
      this.#steps = mergeSteps(this.#steps, items, items.length);
      for (const shape of this.#shapes) shape.bits = takePresenceBits(shape.items, shape.items.length, this.#steps);
    }
    const last = this.#shapes[this.#shapes.length - 1];
    if (last !== undefined && sameSteps(last.items, items)) last.takes++;
    else this.#shapes.push({ items, takes: 1, bits: takePresenceBits(items, items.length, this.#steps) });
    this.#presenceBits = 0;
    for (const shape of this.#shapes) this.#presenceBits += shape.takes * shape.bits;
  }
}

function sameSteps(a: readonly Queued[], b: readonly Queued[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].step !== b[i].step) return false;
  return true;
}

/** How many of the first `count` items' steps (strictly increasing) are not in `steps` (ascending). */
function newStepCount(steps: readonly number[], items: readonly Queued[], count: number): number {
  let fresh = 0;
  let j = 0;
  for (let i = 0; i < count; i++) {
    const step = items[i].step;
    while (j < steps.length && steps[j] < step) j++;
    if (j === steps.length || steps[j] !== step) fresh++;
  }
  return fresh;
}

/** `steps` with the first `count` items' steps merged in, ascending and distinct. */
function mergeSteps(steps: readonly number[], items: readonly Queued[], count: number): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < count; i++) {
    const step = items[i].step;
    while (j < steps.length && steps[j] < step) out.push(steps[j++]);
    if (j < steps.length && steps[j] === step) j++;
    out.push(step);
  }
  while (j < steps.length) out.push(steps[j++]);
  return out;
}

function stepsTimelineBits(steps: readonly number[]): number {
  const gaps = gapRange(steps);
  return timelineBits(steps.length, gaps.min, gaps.max);
}

/** Presence bits of the first `count` items against the frame's time points `steps` (which hold all of theirs). */
function takePresenceBits(items: readonly Queued[], count: number, steps: readonly number[]): number {
  let j = 0;
  let first = 0;
  let previous = 0;
  let minGap = Infinity;
  let maxGap = -Infinity;
  for (let i = 0; i < count; i++) {
    const step = items[i].step;
    while (steps[j] !== step) j++;
    if (i === 0) {
      first = j;
    } else {
      const gap = j - previous - 1;
      if (gap < minGap) minGap = gap;
      if (gap > maxGap) maxGap = gap;
    }
    previous = j;
  }
  return presenceBits(steps.length, count, first, minGap, maxGap);
}

/** Value column bits of the first `count` items. */
function takeValueBits(items: readonly Queued[], count: number): number {
  const first = items[0].fixed;
  let min = first;
  let max = first;
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  for (let i = 1; i < count; i++) {
    const v = items[i].fixed;
    if (v < min) min = v;
    if (v > max) max = v;
    const d = v - items[i - 1].fixed;
    if (d < minDelta) minDelta = d;
    if (d > maxDelta) maxDelta = d;
  }
  return valueColumnBits(count, first, min, max, minDelta, maxDelta);
}

/** The queue's leading run that one frame can hold: strictly increasing steps, within the frame's span. */
function usableRun(queue: readonly Queued[], oldest: number): Queued[] {
  const run: Queued[] = [];
  for (const item of queue) {
    if (run.length > 0 && item.step === run[run.length - 1].step) break;
    if (item.step - oldest > LIMITS.spanSteps || run.length === LIMITS.timePoints) break;
    run.push(item);
  }
  return run;
}

function frameOf(takes: readonly Take[], stepS: TimeStepS): FrameContent {
  const stepSet = new Set<number>();
  for (const take of takes) for (const item of take.items) stepSet.add(item.step);
  const steps = [...stepSet].sort((a, b) => a - b);
  const base = steps[0];
  const position = new Map<number, number>();
  steps.forEach((step, i) => position.set(step, i));
  return {
    baseS: base * stepS,
    stepS,
    times: steps.map((step) => step - base),
    blocks: takes.map((take) => ({
      channel: take.channel,
      at: take.items.map((item) => position.get(item.step) as number),
      values: take.items.map((item) => item.fixed),
    })),
  };
}
