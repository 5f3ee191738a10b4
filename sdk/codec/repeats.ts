/**
 * The platform's de-duplication rule for readings (docs/store-and-forward.md,
 * "Removing repeats"): a reading is named by (device, point, time). The
 * gateway never gives two distinct readings of one point the same time
 * (drivers/batch/stamps.ts), and a frame sent again — its acknowledgement was
 * lost, or the gateway restarted before the acknowledgement was durable —
 * carries the same readings under the same times, even when it was re-cut
 * for a lower data rate. So the first reading with a key is kept and every
 * later one is a resent copy. A database does the same with a unique index on
 * (device, point, time). Runtime-neutral.
 */

/** The identity of a decoded reading: device, point and time (unix ms). */
export function readingKey(reading: { device: string; point: string; t: number }): string {
  return `${reading.device}\u0000${reading.point}\u0000${reading.t}`;
}

/** Applies the rule to a stream of decoded readings: accept() is true for the first reading with its key, false for a copy. */
export class RepeatFilter {
  readonly #seen = new Set<string>();
  /** Readings accepted (distinct). */
  kept = 0;
  /** Readings refused as copies of one already accepted. */
  removed = 0;

  accept(reading: { device: string; point: string; t: number }): boolean {
    const key = readingKey(reading);
    if (this.#seen.has(key)) {
      this.removed++;
      return false;
    }
    this.#seen.add(key);
    this.kept++;
    return true;
  }
}
