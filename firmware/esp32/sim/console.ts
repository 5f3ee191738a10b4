/**
 * Where the simulation's own lines go: the process's stdout (stdout.c), which
 * tools/run-mcsim.ts reads. The harness replaces the global trace() with its
 * collector (the report's `trace` lines).
 */
export { print } from 'axon-stdout';
