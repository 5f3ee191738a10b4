/**
 * A full garbage collection, then the JS heap in use. Under
 * `node --expose-gc` (npm run soak) the global gc is used; otherwise (npm run
 * bench) V8 is asked to expose it at run time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export function forceGc(): number {
  collect ??= gcFunction();
  // Twice: the first pass can leave objects that only become unreachable after finalizers ran.
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
