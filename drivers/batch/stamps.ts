/**
 * Reading stamps: the time a batch gives each reading. The stamp is also the
 * reading's identity at the platform: (device, point, stamp) names one
 * reading, so the platform can drop a resent frame's copies by that key
 * (docs/store-and-forward.md) — which is only right if no two distinct
 * readings of one channel ever share a stamp.
 *
 * A stamp is the start of the reading's time step. The configured step (10 s
 * by default) is the coarsest a batch uses; when a channel was read more than
 * once within one step (polls every 2 s), the batch takes the coarsest finer
 * step of the format at which every channel's stamps are distinct. Finer
 * steps cost no bits when they are not needed, and few when they are (the
 * timeline's gaps grow by a bit or two; see docs/batch-format.md §4).
 *
 * Two readings of a channel can still fall into one second (a poll delayed
 * by a busy bus until just before the next, a period under a second); at
 * 1 s, the format's finest step, the later one is then stamped one step after
 * the earlier ("carried"). Carrying keeps every stamp distinct and in
 * reading order, at the price of moving that reading's stamp up to a second
 * past the reading.
 *
 * Stamps must also differ from those of frames already cut: each channel's
 * run starts after the channel's last framed stamp (`after`). A reading more
 * than CLOCK_SET_BACK_S before that stamp means the wall clock was set back
 * (NTP after a boot without a real-time clock); carrying it would pile hours
 * of readings onto consecutive seconds, so it is stamped as it is.
 */
import { TIME_STEPS_S, type TimeStepS } from './format.js';

/** A reading this far (s) before its channel's last framed stamp is taken as a clock set back, not as a repeat of that second. */
export const CLOCK_SET_BACK_S = 3600;

export interface StampRun {
  /** The channel's readings, unix ms, ascending by `t`. */
  readonly readings: ArrayLike<{ readonly t: number }>;
  /** The channel's latest stamp already framed (or issued before a restart), unix s: every stamp of the run comes after it. */
  readonly after?: number;
}

export interface Stamps {
  /** The step chosen. */
  stepS: TimeStepS;
  /** Per run, its readings' stamps: unix s, multiples of the step, strictly increasing, after the run's `after`. */
  stamps: number[][];
}

/** The steps a batch may use under the configured one, coarsest first. */
export function candidateSteps(configured: TimeStepS): TimeStepS[] {
  return TIME_STEPS_S.filter((s) => s <= configured).reverse();
}

/**
 * Stamps for every run: at the coarsest candidate step at which every run's
 * readings fall into distinct steps, each after the run's `after`; at the
 * finest step (1 s), with repeats carried, when there is none.
 */
export function stampRuns(configured: TimeStepS, runs: readonly StampRun[]): Stamps {
  const candidates = candidateSteps(configured);
  for (let c = 0; c < candidates.length - 1; c++) {
    const stamps = stampAll(runs, candidates[c]);
    if (stamps !== undefined) return { stepS: candidates[c], stamps };
  }
  const finest = candidates[candidates.length - 1];
  return { stepS: finest, stamps: runs.map((run) => stampRun(run, finest).stamps) };
}

/** Every run's stamps at `stepS`, or undefined as soon as one run needs a carry (the step is too coarse). */
function stampAll(runs: readonly StampRun[], stepS: TimeStepS): number[][] | undefined {
  const all: number[][] = [];
  for (const run of runs) {
    const stamped = stampRun(run, stepS);
    if (stamped.carried) return undefined;
    all.push(stamped.stamps);
  }
  return all;
}

/** A run's stamps at `stepS`: the start of each reading's step, or one step after the previous stamp when that is not earlier. */
function stampRun(run: StampRun, stepS: TimeStepS): { stamps: number[]; carried: boolean } {
  const stamps: number[] = [];
  let carried = false;
  let previous = effectiveAfter(run);
  for (let i = 0; i < run.readings.length; i++) {
    const natural = Math.floor(run.readings[i].t / (stepS * 1000)) * stepS;
    if (natural > previous) previous = natural;
    else {
      previous += stepS;
      carried = true;
    }
    stamps.push(previous);
  }
  return { stamps, carried };
}

function effectiveAfter(run: StampRun): number {
  if (run.after === undefined || run.readings.length === 0) return -Infinity;
  return Math.floor(run.readings[0].t / 1000) < run.after - CLOCK_SET_BACK_S ? -Infinity : run.after;
}
