/** The outcome of reading one device point, shared by every device driver. */
import { AxonError } from '../errors.js';

export type PointReading = { ok: true; value: number | boolean; unit?: string } | { ok: false; error: Error & { code?: string } };

/** A reading outside the point's plausible range (or not a number at all): reported, never stored as data. */
export class OutOfRangeError extends AxonError {
  static override readonly errorName: string = 'OutOfRangeError';
  readonly pointId: string;
  readonly value: number;
  readonly min: number | undefined;
  readonly max: number | undefined;

  constructor(pointId: string, value: number, limits: { min?: number; max?: number; unit?: string }, where?: string) {
    const { min, max } = limits;
    const range = `${min ?? '−∞'}..${max ?? '+∞'}${limits.unit === undefined ? '' : ' ' + limits.unit}`;
    const what = Number.isFinite(value) ? `${value} is outside the plausible range ${range}` : `${value} is not a usable number`;
    super('POINT_OUT_OF_RANGE', `point '${pointId}': ${what}`, {
      where,
      fix: 'check the device and its wiring; if the value is real, widen min/max in the manifest (and check scale, decimal places, byte order or DI)',
    });
    this.pointId = pointId;
    this.value = value;
    this.min = min;
    this.max = max;
  }
}

/**
 * Turn a decoded value into a reading: invalid when it is not finite or lies
 * outside the point's min/max. `unit` defaults to the point's own.
 */
export function pointReading(
  point: { id: string; min?: number; max?: number; unit?: string },
  value: number | boolean,
  where?: string,
  unit: string | undefined = point.unit,
): PointReading {
  if (typeof value === 'number' && (!Number.isFinite(value) || (point.min !== undefined && value < point.min) || (point.max !== undefined && value > point.max))) {
    return { ok: false, error: new OutOfRangeError(point.id, value, point, where) };
  }
  return unit === undefined || unit === '' ? { ok: true, value } : { ok: true, value, unit };
}
