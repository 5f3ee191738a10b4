/**
 * The live table of `npm start`, laid out for the terminal it is drawn on (an
 * 80×24 SSH session at least): status lines first, then every active alarm (one
 * row each: level, device, value and threshold), then as many devices as still
 * fit. Alarms come before devices so they never scroll off; labels are shortened
 * at word boundaries; every value carries its unit at the decimals of its point
 * (the resolution the uplink carries it at), so 0.1 cm sits beside 38.0 cm.
 * Pure: text in, lines out, so a test can draw it at any size.
 */
import type { DeviceManifest, DevicePoint } from '../../../drivers/devices/manifest.js';
import type { PointReading } from '../../../drivers/devices/reading.js';
import { pointEncoding } from '../../../drivers/batch/resolution.js';
import type { AlertRuleConfig } from '../../../drivers/rules/config.js';
import type { ActiveAlarm } from '../../../drivers/rules/engine.js';

export const RED = '\x1b[31m';
export const GREEN = '\x1b[32m';
export const YELLOW = '\x1b[33m';
export const DIM = '\x1b[2m';
export const BOLD = '\x1b[1m';
export const RESET = '\x1b[0m';

/** Characters a line takes on screen: ANSI escapes take none. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/**
 * `text` in at most `width` characters, shortened at a word boundary with "…"
 * (a word longer than the whole width is the only thing ever cut inside).
 */
export function fitWords(text: string, width: number): string {
  if ([...text].length <= width) return text;
  const words = text.split(' ');
  let out = '';
  for (const word of words) {
    const next = out === '' ? word : `${out} ${word}`;
    if ([...next].length + 1 > width) break;
    out = next;
  }
  if (out === '') return [...text].slice(0, Math.max(0, width - 1)).join('') + '…';
  return `${out.replace(/[\s,;:/·-]+$/, '')}…`;
}

/** A value as the view shows it: the point's decimals, its unit; alarms as ALARM/ok. */
export function formatPointValue(point: DevicePoint, reading: PointReading): string {
  if (!reading.ok) return `ERR ${reading.error.code ?? reading.error.name}`;
  if (typeof reading.value === 'boolean') return point.role === 'alarm' ? (reading.value ? 'ALARM' : 'ok') : reading.value ? 'on' : 'off';
  const text = reading.value.toFixed(pointEncoding(point).decimals);
  return point.unit === undefined || point.unit === '' ? text : `${text} ${point.unit}`;
}

export interface ScreenDevice {
  id: string;
  label: string;
  manifest: DeviceManifest | undefined;
  readings?: Record<string, PointReading>;
}

export interface ScreenInput {
  title: string;
  /** "day 1 01:40 · 60×" */
  clock: string;
  /** Status lines (uplink, cloud, store, backlog…), each drawn on one row. */
  status: string[];
  alarms: ActiveAlarm[];
  rules: readonly AlertRuleConfig[];
  devices: ScreenDevice[];
  /** Rows under the devices when there is room (the last alerts the cloud received). */
  footer: string[];
}

/** The screen as rows of at most `columns` visible characters, at most `rows` of them. */
export function renderScreen(input: ScreenInput, columns: number, rows: number, color: boolean): string[] {
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  const right = `${input.clock}  Ctrl-C stops`;
  lines.push(paint(BOLD, fitWords(input.title, columns - right.length - 2).padEnd(columns - right.length)) + right);
  for (const status of input.status) lines.push(fitWords(status, columns));

  // Alarms first, each on its own row; only if they outnumber the screen does a summary row stand for the rest.
  const alarmRows = input.alarms.map((alarm) => alarmRow(alarm, input, columns, paint));
  const roomForAlarms = Math.max(1, rows - lines.length - 1);
  lines.push(paint(BOLD, input.alarms.length === 0 ? 'ALARMS  none active' : `ALARMS  ${input.alarms.length} active`));
  if (alarmRows.length <= roomForAlarms) lines.push(...alarmRows);
  else {
    lines.push(...alarmRows.slice(0, roomForAlarms - 1));
    lines.push(`… ${alarmRows.length - roomForAlarms + 1} more alarms (npm start -- --plain lists each)`);
  }

  const roomForDevices = rows - lines.length - 1;
  if (roomForDevices >= 1) {
    lines.push(paint(BOLD, 'DEVICES'));
    const deviceRows = input.devices.map((device) => deviceRow(device, columns, paint));
    if (deviceRows.length <= roomForDevices) lines.push(...deviceRows);
    else {
      lines.push(...deviceRows.slice(0, roomForDevices - 1));
      lines.push(`… ${deviceRows.length - roomForDevices + 1} more devices (a taller terminal shows them)`);
    }
  }
  for (const extra of input.footer) {
    if (lines.length >= rows) break;
    lines.push(fitWords(extra, columns));
  }
  return lines.slice(0, rows);
}

const LEVEL_WIDTH = 9;
const LABEL_WIDTH = 26;

function alarmRow(alarm: ActiveAlarm, input: ScreenInput, columns: number, paint: (code: string, text: string) => string): string {
  const device = input.devices.find((d) => d.id === alarm.device);
  const rule = input.rules.find((r) => r.id === alarm.rule);
  const point = alarm.point === undefined ? undefined : device?.manifest?.points.find((p) => p.id === alarm.point);
  const reading = alarm.point === undefined ? undefined : device?.readings?.[alarm.point];
  const value = point === undefined || reading === undefined ? '' : `${alarm.point} ${formatPointValue(point, reading)}`;
  const current = reading?.ok === true && typeof reading.value === 'number' ? reading.value : undefined;
  const threshold = rule === undefined ? '' : thresholdText(rule, alarm, point, current);
  const level = alarm.level.toUpperCase().padEnd(LEVEL_WIDTH);
  const label = fitWords(device?.label ?? alarm.device, LABEL_WIDTH).padEnd(LABEL_WIDTH);
  const tail = fitWords(`${value}${threshold === '' ? '' : `  ${threshold}`}${alarm.acknowledged ? '  (ack)' : ''}`, columns - LEVEL_WIDTH - LABEL_WIDTH - 1);
  return paint(alarm.level === 'critical' ? RED : YELLOW, level) + `${label} ${tail}`;
}

/** The level this alarm is about, in the point's unit and decimals: "> 25.0 cm", "< 0.100 MPa", "on", "no reply for 3 polls". */
export function thresholdText(rule: AlertRuleConfig, alarm: ActiveAlarm, point: DevicePoint | undefined, value?: number): string {
  const unit = point?.unit === undefined ? '' : ` ${point.unit}`;
  const number = (value: number) => (point === undefined ? String(value) : value.toFixed(pointEncoding(point).decimals));
  switch (rule.kind) {
    case 'threshold': {
      // A level may have a low and a high threshold (a pressure warning below 0.14 and above 1.0): show the one crossed.
      const candidates = rule.levels.filter((l) => l.level === alarm.level);
      const crossed = value === undefined ? undefined : candidates.find((l) => (l.above !== undefined && value > l.above) || (l.below !== undefined && value < l.below));
      const level = crossed ?? candidates[0] ?? rule.levels[0];
      if (level === undefined) return '';
      return level.above !== undefined ? `> ${number(level.above)}${unit}` : level.below !== undefined ? `< ${number(level.below)}${unit}` : '';
    }
    case 'rate-of-rise':
      return `rise > ${rule.perMinute}${unit}/min`;
    case 'boolean':
      return `alarm when ${rule.when === false ? 'off' : 'on'}`;
    case 'offline':
      return `no reply for ${rule.periods ?? 3} polls`;
    default:
      return '';
  }
}

function deviceRow(device: ScreenDevice, columns: number, paint: (code: string, text: string) => string): string {
  const label = fitWords(device.label, LABEL_WIDTH).padEnd(LABEL_WIDTH);
  if (device.readings === undefined) return `${label} ${paint(DIM, 'not polled yet')}`;
  const width = columns - LABEL_WIDTH - 1;
  const parts: string[] = [];
  let used = 0;
  const points = (device.manifest?.points ?? []).filter((p) => p.role !== 'config' && device.readings?.[p.id] !== undefined);
  for (const [i, point] of points.entries()) {
    const reading = device.readings[point.id];
    const text = `${point.id} ${formatPointValue(point, reading)}`;
    const more = i < points.length - 1 ? 2 : 0; // room for " …" if later values do not fit
    if (used + (parts.length > 0 ? 2 : 0) + text.length + more > width && i < points.length - 1) {
      parts.push('…');
      break;
    }
    if (used + (parts.length > 0 ? 2 : 0) + text.length > width) {
      parts.push('…');
      break;
    }
    const bad = !reading.ok || (point.role === 'alarm' && reading.value === true);
    parts.push(paint(bad ? RED : GREEN, text));
    used += (parts.length > 1 ? 2 : 0) + text.length;
  }
  return `${label} ${parts.join('  ')}`;
}
