import type { PointModel } from './model.js';
import { latticeNoise, smoothStep } from './noise.js';

/**
 * Waterlogging during a storm: `dry` until startMinutes, an eased rise to `peak`
 * over riseMinutes, a hold, then an eased fall back to `dry`. Noise never takes
 * the reading below the dry level (a level sensor over a dry road reads its
 * floor, not negative water).
 */
export function stormModel(
  params: { dry: number; peak: number; startMinutes: number; riseMinutes: number; holdMinutes: number; fallMinutes: number; noise?: number },
  seed: number,
): PointModel {
  const noise = params.noise ?? 0;
  const { dry, peak, startMinutes, riseMinutes, holdMinutes, fallMinutes } = params;
  const holdStart = startMinutes + riseMinutes;
  const fallStart = holdStart + holdMinutes;
  const floor = Math.min(dry, peak);
  return {
    valueAt(minutes) {
      let level: number;
      if (minutes < holdStart) level = dry + (peak - dry) * smoothStep(riseMinutes > 0 ? (minutes - startMinutes) / riseMinutes : minutes >= startMinutes ? 1 : 0);
      else if (minutes < fallStart) level = peak;
      else level = peak + (dry - peak) * smoothStep(fallMinutes > 0 ? (minutes - fallStart) / fallMinutes : 1);
      return Math.max(floor, level + latticeNoise(seed, minutes, noise));
    },
  };
}
