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
 * go into this flush (two readings of one channel in the same time step, or a
 * payload limit too small for even one reading) stays queued.
 */
import type { Sample } from '../gateway/events.js';
import { findChannel, toFixed, type ChannelTable } from './channels.js';
import { BatchError } from './errors.js';
import { LIMITS, TIME_STEPS_S, type TimeStepS } from './format.js';
import { batchFrameSize, encodeBatchFrame, type FrameContent } from './batch-frame.js';

export interface BatchEncoderOptions {
  /** Time quantum of batch timestamps, seconds (default 10): readings are stamped to the start of their step. */
  timeStepS?: TimeStepS;
}

interface Queued {
  /** Absolute step number: floor(t / step). */
  step: number;
  fixed: number;
}

interface Take {
  channel: number;
  items: Queued[];
}

export class BatchEncoder {
  readonly table: ChannelTable;
  readonly stepS: TimeStepS;
  readonly #queues = new Map<number, Queued[]>();
  #pending = 0;

  constructor(table: ChannelTable, options: BatchEncoderOptions = {}) {
    this.table = table;
    this.stepS = options.timeStepS ?? 10;
    if (!TIME_STEPS_S.includes(this.stepS)) {
      throw new BatchError('BATCH_STEP', `time step ${String(this.stepS)} s is not one the format can express`, { fix: `use one of ${TIME_STEPS_S.join(', ')} s` });
    }
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
    const item: Queued = { step: Math.floor(sample.t / (this.stepS * 1000)), fixed: toFixed(channel, sample.value) };
    let queue = this.#queues.get(channel.index);
    if (queue === undefined) this.#queues.set(channel.index, (queue = []));
    // Samples mostly arrive in time order; keep each queue sorted (stable for equal steps).
    let i = queue.length;
    while (i > 0 && queue[i - 1].step > item.step) i--;
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
    while (this.#pending > 0 && frames.length < maxFrames) {
      const takes = this.#select(maxPayloadBytes);
      if (takes.length === 0) break;
      frames.push(encodeBatchFrame(frameOf(takes, this.stepS)));
      for (const take of takes) {
        const queue = this.#queues.get(take.channel) as Queued[];
        queue.splice(0, take.items.length);
        if (queue.length === 0) this.#queues.delete(take.channel);
        this.#pending -= take.items.length;
      }
    }
    return frames;
  }

  #select(maxBytes: number): Take[] {
    const channels = [...this.#queues.keys()].sort((a, b) => a - b);
    let oldest = Infinity;
    for (const queue of this.#queues.values()) oldest = Math.min(oldest, queue[0].step);
    const takes: Take[] = [];
    const fits = (candidate: Take) => {
      const content = frameOf([...takes, candidate], this.stepS);
      return content.times.length <= LIMITS.timePoints && batchFrameSize(content) <= maxBytes;
    };
    for (const channel of channels) {
      const run = usableRun(this.#queues.get(channel) as Queued[], oldest);
      if (fits({ channel, items: run })) {
        takes.push({ channel, items: run });
        continue;
      }
      // Largest prefix that fits (size grows with the prefix, so bisect).
      let lo = 0;
      let hi = run.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (fits({ channel, items: run.slice(0, mid) })) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) {
        takes.push({ channel, items: run.slice(0, lo) });
        break;
      }
      // Not even one reading of this channel fits beside the others; a later channel's may.
    }
    return takes;
  }
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
