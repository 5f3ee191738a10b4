import type { PointModel } from './model.js';
import { latticeNoise } from './noise.js';

/** A daily-cycle style quantity (temperature, humidity): mean ± amplitude, plus smooth noise. */
export function sineModel(
  params: { mean: number; amplitude: number; periodMinutes: number; noise?: number },
  seed: number,
): PointModel {
  const noise = params.noise ?? 0;
  return {
    valueAt(minutes) {
      const phase = (2 * Math.PI * minutes) / params.periodMinutes;
      return params.mean + params.amplitude * Math.sin(phase) + latticeNoise(seed, minutes, noise);
    },
  };
}
