import type { PointModel } from './model.js';

/** An energy or water register: `start` plus ratePerHour, monotonic (never decreases). */
export function counterModel(params: { start: number; ratePerHour: number }): PointModel {
  const rate = Math.max(0, params.ratePerHour);
  return {
    valueAt(minutes) {
      return params.start + (rate * Math.max(0, minutes)) / 60;
    },
  };
}
