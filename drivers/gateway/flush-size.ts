/**
 * When the gateway frames its queue before the flush period is up. One flush
 * goes into the log all at once, before the sender can take anything out, so a
 * flush larger than the free part of the log drops readings that were never
 * sent (issue 11: "6 readings dropped" at every 60 s flush at 200 polls/s with
 * the default 256 KB log). Flushing once the queue could fill a quarter of the
 * log keeps every flush small beside it, whatever the poll rate and period,
 * and it bounds the RAM the queue holds.
 */

/**
 * Bytes a reading may take in a frame, for sizing only: a 46-bit value in raw
 * mode with its share of the block header. Real readings take 1–2 bytes
 * (docs/batch-format.md §10), so a flush is far smaller than this allows.
 */
export const WORST_READING_BYTES = 8;

/** Queued readings at which the gateway flushes without waiting for the period. */
export function samplesPerEarlyFlush(storeCapacityBytes: number): number {
  return Math.max(256, Math.floor(storeCapacityBytes / 4 / WORST_READING_BYTES));
}
