/** Imported by the harness right after main.ts: the "preloaded" modules are loaded, the device is running. */
import { endPreload } from './preload-rules.js';

endPreload();
