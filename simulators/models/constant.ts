import type { PointModel } from './model.js';

/** A fixed value: configuration registers, a unit code, a healthy status word. */
export function constantModel(params: { value: number }): PointModel {
  return { valueAt: () => params.value };
}
