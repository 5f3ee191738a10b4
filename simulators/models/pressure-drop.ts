import type { PointModel } from './model.js';
import { latticeNoise, smoothStep } from './noise.js';

/**
 * Hydrant or main pressure during a burst or a big draw: steady at `base`, a
 * quick fall to `low` at startMinutes (within two minutes, or a quarter of the
 * event if shorter), held, then a slower recovery starting at
 * startMinutes + durationMinutes (pumps take a few minutes to restore a main).
 */
export function pressureDropModel(
  params: { base: number; low: number; startMinutes: number; durationMinutes: number; noise?: number },
  seed: number,
): PointModel {
  const noise = params.noise ?? 0;
  const { base, low, startMinutes, durationMinutes } = params;
  const fallMinutes = Math.min(2, durationMinutes / 4);
  const recoverMinutes = Math.min(5, Math.max(durationMinutes / 2, 0.5));
  const recoverStart = startMinutes + durationMinutes;
  return {
    valueAt(minutes) {
      let level: number;
      if (minutes < recoverStart) level = base + (low - base) * smoothStep(fallMinutes > 0 ? (minutes - startMinutes) / fallMinutes : minutes >= startMinutes ? 1 : 0);
      else level = low + (base - low) * smoothStep((minutes - recoverStart) / recoverMinutes);
      // Pressure transmitters read gauge pressure: never below zero.
      return Math.max(0, level + latticeNoise(seed, minutes, noise));
    },
  };
}
