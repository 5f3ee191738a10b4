/** Imported by the harness right after main.ts: the "preloaded" modules are loaded, the device is running. */
import { endPreload } from './preload-rules.js';

endPreload();
// The lin simulation's heap breakdown (sim/heap-marks.ts); absent elsewhere.
(globalThis as { axonHeapMark?: (name: string) => void }).axonHeapMark?.('modules-end');
