import type { PointModel } from './model.js';

/** A contact or smoke alarm: 1 during [startMinutes, startMinutes + durationMinutes), else 0. */
export function alarmModel(params: { startMinutes: number; durationMinutes: number }): PointModel {
  return {
    valueAt(minutes) {
      return minutes >= params.startMinutes && minutes < params.startMinutes + params.durationMinutes ? 1 : 0;
    },
  };
}
