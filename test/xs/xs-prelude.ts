/**
 * Loaded first in every XS test bundle. fast-check captures `setTimeout` and
 * `clearTimeout` when it loads (for time-limited runs we never use); XS has no
 * such globals, so give it stand-ins that fail loudly if anything calls them.
 * Core code cannot lean on these: test/purity forbids host timers in drivers/.
 */
const g = globalThis as Record<string, unknown>;
for (const name of ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval']) {
  if (g[name] === undefined) {
    g[name] = () => {
      throw new Error(`${name} is not available inside XS: core code takes time from the Clock port`);
    };
  }
}
export {};
