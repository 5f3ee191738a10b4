import type { PointModel } from './model.js';
import { latticeNoise } from './noise.js';

/**
 * Heat detector near a fire: `base` until startMinutes, then a linear rise at
 * ratePerMinute (the rate-of-rise alarm's input) capped at `max`.
 */
export function fireModel(
  params: { base: number; startMinutes: number; ratePerMinute: number; max: number; noise?: number },
  seed: number,
): PointModel {
  const noise = params.noise ?? 0;
  return {
    valueAt(minutes) {
      const rise = minutes > params.startMinutes ? (minutes - params.startMinutes) * params.ratePerMinute : 0;
      const value = Math.min(params.max, params.base + rise) + latticeNoise(seed, minutes, noise);
      return Math.min(params.max, value);
    },
  };
}
