/**
 * The firmware's only output: one line per call to Moddable's trace(), which
 * xsbug shows in a debug build (mcconfig -d). Kept to one function so nothing
 * else in the firmware touches the global.
 */
export function log(message: string): void {
  trace(`axon: ${message}\n`);
}
