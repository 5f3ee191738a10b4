/**
 * What `axon modbus write` may write, decided from the device manifest before
 * anything goes on the wire, and what a write changes, in the manifest's own
 * terms (point, engineering value, unit). Pure: no I/O, so the rules are tested
 * without a device.
 */
import type { DeviceManifest, ModbusPoint } from '../../../drivers/devices/manifest.js';
import { isModbusPoint } from '../../../drivers/devices/manifest.js';
import type { WriteFunction } from '../../../drivers/modbus/pdu.js';
import { decodePointValue, wordCount } from '../../../drivers/modbus/values.js';

/** FC05/FC15 write coils (table 1), FC06/FC16 holding registers (table 3). */
export function tableOf(fc: WriteFunction): 1 | 3 {
  return fc === 5 || fc === 15 ? 1 : 3;
}

/** Registers (or coils) a point occupies; a bool in a register occupies that one register. */
export function pointSize(point: ModbusPoint): number {
  return point.fc === 1 || point.fc === 2 ? 1 : wordCount(point.type);
}

export interface WriteCheck {
  /** Every manifest point the write touches, in address order. */
  points: ModbusPoint[];
  /** Why the manifest does not allow this write; empty when it does. */
  problems: string[];
}

const TABLE_NAMES = { 1: 'coil', 3: 'holding register' } as const;

/**
 * Allowed: every address written belongs only to points marked `"writable": true`
 * with role `config`, and every multi-register point touched is written whole
 * (half a float32 is a different number).
 */
export function checkWrite(manifest: DeviceManifest, fc: WriteFunction, address: number, count: number): WriteCheck {
  const table = tableOf(fc);
  const inTable = manifest.points.filter(isModbusPoint).filter((p) => p.fc === table);
  const touched = inTable.filter((p) => p.address < address + count && p.address + pointSize(p) > address);
  const problems: string[] = [];
  const kind = TABLE_NAMES[table];
  for (let a = address; a < address + count; a++) {
    if (!touched.some((p) => a >= p.address && a < p.address + pointSize(p))) {
      problems.push(`${kind} ${a} is not in the manifest's map`);
    }
  }
  for (const point of touched) {
    if (point.writable !== true || point.role !== 'config') {
      const role = point.role ?? 'measurement';
      const why = point.writable === true ? `a writable ${role} point, not a config register` : `a ${role} point the manifest does not mark writable`;
      problems.push(`${kind} ${point.address} is '${point.id}' (${point.name}), ${why}`);
    }
    const size = pointSize(point);
    if (point.address < address || point.address + size > address + count) {
      const last = point.address + size - 1;
      problems.push(`'${point.id}' occupies ${kind}s ${point.address}–${last} (${point.type}); write all ${size} with --fc 16 --address ${point.address} --value <${size} words>`);
    }
  }
  return { points: touched, problems };
}

/** The span of registers to read to show every touched point before and after. */
export function spanOf(points: readonly ModbusPoint[], address: number, count: number): { address: number; count: number } {
  let first = address;
  let end = address + count;
  for (const p of points) {
    first = Math.min(first, p.address);
    end = Math.max(end, p.address + pointSize(p));
  }
  return { address: first, count: end - first };
}

export interface PointChange {
  id: string;
  name: string;
  unit?: string;
  before: number | boolean;
  after: number | boolean;
}

/**
 * Each touched point's value before and after, from the words of `span` before
 * the write and the written words laid over them. `decimalsOf` gives a
 * decimalsFrom point's decimal places (read from the device by the caller).
 */
export function pointChanges(
  points: readonly ModbusPoint[],
  span: { address: number; words: readonly number[] },
  write: { address: number; words: readonly number[] },
  decimalsOf: (point: ModbusPoint) => number,
): PointChange[] {
  const after = [...span.words];
  write.words.forEach((word, i) => (after[write.address - span.address + i] = word));
  return points.map((point) => {
    const from = point.address - span.address;
    const size = pointSize(point);
    const decimals = decimalsOf(point);
    const change: PointChange = {
      id: point.id,
      name: point.name,
      before: decodePointValue(point, span.words.slice(from, from + size), decimals),
      after: decodePointValue(point, after.slice(from, from + size), decimals),
    };
    if (point.unit !== undefined) change.unit = point.unit;
    return change;
  });
}
