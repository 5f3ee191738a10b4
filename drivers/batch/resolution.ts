/**
 * Fixed-point resolution of a channel, derived from its manifest point. The
 * batch format carries integers; a channel's `decimals` says what one unit is
 * worth (decimals 1 → 0.1). Finer than the sensor is wasted bits, coarser
 * loses data, so the rule follows what the device can actually resolve:
 *
 *  1. bool points are bits;
 *  2. integer registers with a fixed scale/offset keep exactly their own
 *     resolution (int16 × 0.1 °C → 0.1);
 *  3. floats, meter data identifiers and registers whose decimals come from a
 *     config register use the engineering unit's customary resolution below
 *     (level cm 0.1, pressure MPa 0.001, energy kWh 0.01, …);
 *  4. anything else: 0.001.
 */
import type { DevicePoint } from '../devices/manifest.js';
import { isModbusPoint } from '../devices/manifest.js';

export type ChannelKind = 'number' | 'bool';

/** Decimal places per unit: the resolution is 10^-decimals. */
const UNIT_DECIMALS: Readonly<Record<string, number>> = {
  mm: 0, cm: 1, m: 3, km: 3,
  Pa: 0, hPa: 1, kPa: 1, MPa: 3, bar: 3,
  '°C': 1, '°F': 1, K: 1, '%RH': 1, '%': 1,
  Wh: 0, kWh: 2, MWh: 3, W: 0, kW: 3, V: 1, kV: 3, A: 2, mA: 1, Hz: 2, var: 0, kvar: 3,
  'm³': 2, 'm³/h': 2, L: 0, 'L/s': 2, 'mm/h': 1,
  dB: 0, '%/m': 2, lx: 0, ppm: 0, s: 0,
};

const DEFAULT_DECIMALS = 3;
const INTEGER_TYPES = new Set(['int16', 'uint16', 'int32', 'uint32', 'bits']);

export function unitDecimals(unit: string | undefined): number {
  return unit !== undefined && UNIT_DECIMALS[unit] !== undefined ? UNIT_DECIMALS[unit] : DEFAULT_DECIMALS;
}

export function pointEncoding(point: DevicePoint): { kind: ChannelKind; decimals: number } {
  if (isModbusPoint(point)) {
    if (point.type === 'bool') return { kind: 'bool', decimals: 0 };
    if (INTEGER_TYPES.has(point.type) && point.decimalsFrom === undefined) {
      return { kind: 'number', decimals: decimalsOfAffine(point.scale ?? 1, point.offset ?? 0) };
    }
  }
  return { kind: 'number', decimals: unitDecimals(point.unit) };
}

/** Fewest decimals d (0–6) that represent raw × scale + offset exactly for every integer raw. */
function decimalsOfAffine(scale: number, offset: number): number {
  for (let d = 0; d < 6; d++) {
    const f = 10 ** d;
    if (isNearInteger(scale * f) && isNearInteger(offset * f)) return d;
  }
  return 6;
}

function isNearInteger(x: number): boolean {
  return Math.abs(x - Math.round(x)) < 1e-9 * Math.max(1, Math.abs(x));
}
