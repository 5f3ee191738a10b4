/**
 * Moddable's own trace(), kept before the harness replaces the global with its
 * collector (the report's `trace` lines); imported first by sim-main.ts.
 */
export const print: (text: string) => void = trace;
