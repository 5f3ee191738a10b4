/**
 * The run over simulated time, in fixed buckets (5 minutes for short runs,
 * longer for long ones, so a report holds at most a couple of hundred buckets
 * whatever the fleet): readings taken and how many of those the network
 * decoded, frames on the air, alerts raised. Counts are integers added bucket
 * by bucket, so the timelines of cells merge into exactly the one-process
 * timeline. A reading counts in the bucket it was taken in, both when taken
 * and when decoded (however late), so a bucket's delivery is the share of its
 * readings that arrived.
 */
const MINUTE = 60_000;
/** Bucket widths to choose from, minutes: the finest that keeps a run within MAX_BUCKETS. */
const WIDTHS = [5, 15, 60, 360, 1440];
const MAX_BUCKETS = 200;

export interface TimelineJson {
  bucketMinutes: number;
  /** Readings taken (gateways' polls queued for batches, end devices' report readings) per bucket. */
  taken: number[];
  /** Of those, decoded by the network server (first copy), by the bucket they were taken in. */
  decoded: number[];
  /** Frames heard by any base station, by the bucket they started in. */
  uplinks: number[];
  /** Alerts raised (gateways' rules and end devices' alarms), by the bucket they were raised in. */
  alertsRaised: number[];
}

/** The bucket width for a run of `totalMinutes` (operation and drain). */
export function bucketMinutesFor(totalMinutes: number): number {
  return WIDTHS.find((w) => Math.ceil(totalMinutes / w) <= MAX_BUCKETS) ?? WIDTHS[WIDTHS.length - 1];
}

export class Timeline {
  readonly bucketMinutes: number;
  readonly #taken: number[];
  readonly #decoded: number[];
  readonly #uplinks: number[];
  readonly #alertsRaised: number[];

  constructor(totalMinutes: number) {
    this.bucketMinutes = bucketMinutesFor(totalMinutes);
    const n = Math.max(1, Math.ceil(totalMinutes / this.bucketMinutes));
    this.#taken = new Array<number>(n).fill(0);
    this.#decoded = new Array<number>(n).fill(0);
    this.#uplinks = new Array<number>(n).fill(0);
    this.#alertsRaised = new Array<number>(n).fill(0);
  }

  /** The bucket of a time in ms since the start of the run (clamped: closing the run may stamp a little past its end). */
  #bucket(ms: number): number {
    const b = Math.floor(ms / (this.bucketMinutes * MINUTE));
    return b < 0 ? 0 : b >= this.#taken.length ? this.#taken.length - 1 : b;
  }

  taken(ms: number, n = 1): void {
    this.#taken[this.#bucket(ms)] += n;
  }

  decoded(ms: number): void {
    this.#decoded[this.#bucket(ms)]++;
  }

  uplink(ms: number): void {
    this.#uplinks[this.#bucket(ms)]++;
  }

  alertRaised(ms: number): void {
    this.#alertsRaised[this.#bucket(ms)]++;
  }

  toJSON(): TimelineJson {
    return { bucketMinutes: this.bucketMinutes, taken: [...this.#taken], decoded: [...this.#decoded], uplinks: [...this.#uplinks], alertsRaised: [...this.#alertsRaised] };
  }
}

/** Bucket-by-bucket sums of the timelines of one run's cells (all have the same buckets). */
export function mergeTimelines(timelines: readonly TimelineJson[]): TimelineJson {
  if (timelines.length === 0) return { bucketMinutes: WIDTHS[0], taken: [], decoded: [], uplinks: [], alertsRaised: [] };
  const first = timelines[0];
  const sum = (pick: (t: TimelineJson) => number[]) => {
    const out = new Array<number>(pick(first).length).fill(0);
    for (const t of timelines) {
      if (t.bucketMinutes !== first.bucketMinutes || pick(t).length !== out.length) throw new RangeError(`timelines of different shapes cannot merge (${t.bucketMinutes} min × ${pick(t).length} vs ${first.bucketMinutes} min × ${out.length})`);
      pick(t).forEach((n, i) => (out[i] += n));
    }
    return out;
  };
  return { bucketMinutes: first.bucketMinutes, taken: sum((t) => t.taken), decoded: sum((t) => t.decoded), uplinks: sum((t) => t.uplinks), alertsRaised: sum((t) => t.alertsRaised) };
}
