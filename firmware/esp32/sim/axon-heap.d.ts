declare module 'axon-heap' {
  export interface HeapFigures {
    /** Chunk heap in use and its peak, bytes. */
    chunkBytes: number;
    chunkPeakBytes: number;
    /** Slots in use and their peak (count). */
    slots: number;
    slotPeak: number;
    /** Bytes per slot on this build. */
    slotBytes: number;
  }
  export function heapFigures(): HeapFigures;
}
declare module 'sim-settings' {
  import type { Scenario } from '../test-host/harness.js';
  export const SIM_SETTINGS: { hours: number; scenario: Scenario };
}
