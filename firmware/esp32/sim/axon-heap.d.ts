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
    /** The deepest the XS stack has been since the last reset, slots from its top (-1 unless built with mxInstrument). */
    stackPeakSlots: number;
  }
  export function heapFigures(): HeapFigures;
  /** A full garbage collection, then the peaks are set to what is live. */
  export function resetHeapPeaks(): void;
}
declare module 'sim-settings' {
  import type { Scenario } from '../test-host/scenario.js';
  export const SIM_SETTINGS: { hours: number; scenario: Scenario };
}
declare module 'axon-stdout' {
  /** Text to the lin app's stdout (stdout.c). */
  export function print(text: string): void;
}
declare module 'axon-flash' {
  import type { FlashFiles } from '../test-host/flash-files.js';
  /** The littlefs files in C buffers, outside the XS heap (flash.c). */
  export const nativeFlash: FlashFiles;
}
