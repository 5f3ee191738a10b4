/** Imported by the harness right before main.ts: what loads from here on is what manifest.json could preload. */
import { beginPreload } from './preload-rules.js';

beginPreload();
