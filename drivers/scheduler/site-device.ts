/**
 * What a site file says about one device, resolved against its manifest: the
 * effective points, poll periods, priority and line. The bus-time planner and
 * the port scheduler both read devices through these helpers, so the plan
 * `axon plan` prints is the plan the gateway runs.
 */
import type { BusConfig, SiteDevice } from '../gateway/site.js';
import type { DeviceManifest, DevicePoint, ModbusPoint } from '../devices/manifest.js';
import { isModbusPoint } from '../devices/manifest.js';
import type { SerialLineSettings } from '../ports/byte-stream.js';

/** Priority of alarm-class devices when the site gives none (lower runs first). */
export const ALARM_PRIORITY = 0;
/** Priority of every other device when the site gives none. */
export const DEFAULT_PRIORITY = 10;
/** Slave turnaround the planner assumes when the bus gives none, ms (site.ts: default 10). */
export const DEFAULT_TURNAROUND_MS = 10;

/** The bus's serial line settings (8 data bits unless the site says otherwise). */
export function busLine(bus: BusConfig): SerialLineSettings {
  return { baud: bus.baud, dataBits: bus.dataBits ?? 8, parity: bus.parity, stopBits: bus.stopBits };
}

/** "9600 8N1" */
export function describeLine(line: SerialLineSettings): string {
  return `${line.baud} ${line.dataBits}${line.parity === 'none' ? 'N' : line.parity === 'even' ? 'E' : 'O'}${line.stopBits}`;
}

/**
 * The manifest as this site uses it: disabled points removed, min/max
 * overrides applied. The original manifest is left untouched (several devices
 * share one manifest object).
 */
export function effectiveManifest(manifest: DeviceManifest, device: SiteDevice): DeviceManifest {
  const overrides = device.points;
  if (overrides === undefined) return manifest;
  const points: DevicePoint[] = [];
  for (const point of manifest.points) {
    const override = overrides[point.id];
    if (override === undefined) {
      points.push(point);
      continue;
    }
    if (override.disabled === true) continue;
    const copy = { ...point };
    if (override.min !== undefined) copy.min = override.min;
    if (override.max !== undefined) copy.max = override.max;
    if (override.pollPeriodS !== undefined) copy.pollPeriodS = override.pollPeriodS;
    points.push(copy);
  }
  return { ...manifest, points };
}

export function devicePriority(device: SiteDevice, manifest: DeviceManifest): number {
  return device.priority ?? (manifest.alarmClass === true ? ALARM_PRIORITY : DEFAULT_PRIORITY);
}

/** Normal poll period, ms. */
export function devicePeriodMs(device: SiteDevice, manifest: DeviceManifest): number {
  return (device.pollPeriodS ?? manifest.pollPeriodS) * 1000;
}

/** The shortest period the device can be polled at: the adaptive one while its condition holds. */
export function fastestPeriodMs(device: SiteDevice, manifest: DeviceManifest): number {
  const normal = devicePeriodMs(device, manifest);
  return device.adaptive === undefined ? normal : Math.min(normal, device.adaptive.pollPeriodS * 1000);
}

/** Does a reading hold the adaptive condition (above and/or below, both when both are given)? */
export function adaptiveConditionHolds(adaptive: NonNullable<SiteDevice['adaptive']>, value: number | boolean): boolean {
  const x = typeof value === 'boolean' ? Number(value) : value;
  if (!Number.isFinite(x)) return false;
  if (adaptive.above !== undefined && !(x > adaptive.above)) return false;
  if (adaptive.below !== undefined && !(x < adaptive.below)) return false;
  return adaptive.above !== undefined || adaptive.below !== undefined;
}

/** Modbus points the device reads every poll (config points are read once and cached by the driver). */
export function polledModbusPoints(manifest: DeviceManifest): ModbusPoint[] {
  return manifest.points.filter(isModbusPoint).filter((p) => p.role !== 'config');
}

export function configModbusPoints(manifest: DeviceManifest): ModbusPoint[] {
  return manifest.points.filter(isModbusPoint).filter((p) => p.role === 'config');
}

/** Manifests by id (file name without .json). */
export type ManifestLookup = ReadonlyMap<string, DeviceManifest>;

/** The manifest a site device names; the site validator guarantees it exists, so a miss is a programming error. */
export function manifestFor(manifests: ManifestLookup, device: SiteDevice): DeviceManifest {
  const manifest = manifests.get(device.manifest);
  if (manifest === undefined) {
    throw new RangeError(`device '${device.id}' names manifest '${device.manifest}', which is not loaded; validate the site file first (sdk/site)`);
  }
  return effectiveManifest(manifest, device);
}
