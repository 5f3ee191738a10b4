import type { PointModel } from './model.js';
import { hashUnit } from './prng.js';

const CHECKPOINT_EVERY = 256;

/**
 * A wandering reading (river level, pipe temperature): one step of up to ±step
 * per minute, reflected at min/max. Positions live on a per-minute lattice whose
 * steps are hashed from the seed, so the value at a time does not depend on how
 * often or in what order it was read; between lattice points it is interpolated.
 *
 * Walking from minute 0 each time would cost O(t); instead every 256th position
 * is kept as a checkpoint (about 2 KB per simulated year, fine on an ESP32) and
 * the last position read is cached, so steady polling costs O(1) per read.
 */
export function randomWalkModel(params: { base: number; step: number; min: number; max: number }, seed: number): PointModel {
  const { step, min, max } = params;
  const checkpoints: number[] = [clamp(params.base, min, max)];
  let lastMinute = 0;
  let lastValue = checkpoints[0];

  function next(value: number, minute: number): number {
    let v = value + step * (hashUnit(seed, minute) * 2 - 1);
    if (v > max) v = 2 * max - v;
    if (v < min) v = 2 * min - v;
    return clamp(v, min, max);
  }

  function positionAt(minute: number): number {
    if (minute <= 0) return checkpoints[0];
    let from: number;
    let value: number;
    if (lastMinute <= minute && minute - lastMinute < CHECKPOINT_EVERY) {
      from = lastMinute;
      value = lastValue;
    } else {
      const index = Math.min(Math.floor(minute / CHECKPOINT_EVERY), checkpoints.length - 1);
      from = index * CHECKPOINT_EVERY;
      value = checkpoints[index];
    }
    for (let m = from + 1; m <= minute; m++) {
      value = next(value, m);
      if (m % CHECKPOINT_EVERY === 0 && m / CHECKPOINT_EVERY === checkpoints.length) checkpoints.push(value);
    }
    lastMinute = minute;
    lastValue = value;
    return value;
  }

  return {
    valueAt(minutes) {
      const m = Math.floor(minutes);
      const a = positionAt(m);
      const f = minutes - m;
      if (f === 0) return a;
      const b = next(a, m + 1);
      return a + (b - a) * f;
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
