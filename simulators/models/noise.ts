import { hashUnit } from './prng.js';

/**
 * Smooth value noise in [-amplitude, +amplitude]: random values on a lattice of
 * `spacingMinutes`, joined with a cosine ease. Readings taken seconds apart are
 * close (a real sensor does not jump between polls) and the value at a given time
 * is fixed by the seed alone, never by the polling history.
 */
export function latticeNoise(seed: number, minutes: number, amplitude: number, spacingMinutes = 1): number {
  if (amplitude === 0) return 0;
  const x = minutes / spacingMinutes;
  const n = Math.floor(x);
  const f = x - n;
  const a = hashUnit(seed, n) * 2 - 1;
  const b = hashUnit(seed, n + 1) * 2 - 1;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  return amplitude * (a + (b - a) * w);
}

/** Cosine ease from 0 to 1 over [0, 1]; clamps outside. Storm and pressure ramps use it. */
export function smoothStep(fraction: number): number {
  if (fraction <= 0) return 0;
  if (fraction >= 1) return 1;
  return (1 - Math.cos(Math.PI * fraction)) / 2;
}
