/** Imported by the harness right before main.ts: what loads from here on is what manifest.json could preload. */
import { beginPreload } from './preload-rules.js';

// The lin simulation's heap breakdown (sim/heap-marks.ts); absent elsewhere.
(globalThis as { axonHeapMark?: (name: string) => void }).axonHeapMark?.('modules-begin');
beginPreload();
