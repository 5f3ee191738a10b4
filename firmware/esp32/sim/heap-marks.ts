/**
 * Heap figures at named points while the simulation loads, for the breakdown
 * esp32:sim prints: the harness's preload-begin.ts and preload-end.ts call
 * `globalThis.axonHeapMark` (when it exists) around main.ts, the core and the
 * site config, so the difference is what instantiating the modules
 * manifest.json preloads costs in RAM when they are not preloaded. Imported
 * by sim-main.ts before the harness, so the hook is in place when those run.
 * Each mark collects garbage first (axon-heap's reset), so it counts what is live.
 */
import { heapFigures, resetHeapPeaks, type HeapFigures } from 'axon-heap';

export const heapMarks: Record<string, HeapFigures> = {};

export function markHeap(name: string): HeapFigures {
  resetHeapPeaks();
  return (heapMarks[name] = heapFigures());
}

(globalThis as unknown as { axonHeapMark: (name: string) => void }).axonHeapMark = (name) => {
  markHeap(name);
};
