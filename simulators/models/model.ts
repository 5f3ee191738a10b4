/** A point's simulated behaviour: its engineering value at a time. */
export interface PointModel {
  /** Value at `minutes` since the simulation started (alarm models return 0 or 1). */
  valueAt(minutes: number): number;
}
