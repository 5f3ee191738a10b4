/**
 * The 901F "metering data" record that follows DI + SER in a read reply.
 * Water and gas meters send: current cumulative flow, settlement-day flow
 * (each 4 BCD bytes XXXXXX.XX + a unit code), real time, status. Heat meters
 * send heat, power, flow, temperatures and working hours before the time.
 *
 * Real time is 7 BCD bytes sent low byte first — seconds, minutes, hours,
 * day, month, then the year as two bytes, low pair first (2024 → 24 20).
 * Some meters send it in reading order (20 24 MM DD hh mm ss) instead; the
 * decoder accepts that when the standard order gives an impossible date.
 */
import { BcdDigitError, bcdByteValue, decodeBcd, encodeBcd, toBcdByte } from '../dlt645/bcd.js';
import { Cjt188ValueError, type Cjt188Context } from './errors.js';
import { meterFamily } from './frame.js';

/** Unit codes of CJ/T 188-2004. */
export const CJT188_UNITS: Readonly<Record<number, string>> = {
  0x01: 'J',
  0x02: 'Wh',
  0x05: 'kWh',
  0x08: 'MWh',
  0x0a: 'MWh×100',
  0x0b: 'kJ',
  0x0e: 'MJ',
  0x11: 'GJ',
  0x13: 'GJ×100',
  0x14: 'W',
  0x17: 'kW',
  0x1a: 'MW',
  0x29: 'L',
  0x2c: 'm³',
  0x32: 'L/h',
  0x35: 'm³/h',
};

export function cjt188UnitName(code: number): string {
  return CJT188_UNITS[code] ?? `unit 0x${code.toString(16).padStart(2, '0')}`;
}

interface FieldSpec {
  name: string;
  bytes: number;
  decimals: number;
  /** Unit code written by the encoder; present when a unit byte follows the value. */
  unitCode?: number;
  /** Fixed unit for fields without a unit byte. */
  unit?: string;
}

const WATER_FIELDS: readonly FieldSpec[] = [
  { name: 'cumulative_flow', bytes: 4, decimals: 2, unitCode: 0x2c },
  { name: 'settlement_flow', bytes: 4, decimals: 2, unitCode: 0x2c },
];

const HEAT_FIELDS: readonly FieldSpec[] = [
  { name: 'settlement_heat', bytes: 4, decimals: 2, unitCode: 0x05 },
  { name: 'current_heat', bytes: 4, decimals: 2, unitCode: 0x05 },
  { name: 'heat_power', bytes: 4, decimals: 2, unitCode: 0x17 },
  { name: 'flow_rate', bytes: 4, decimals: 4, unitCode: 0x35 },
  { name: 'cumulative_flow', bytes: 4, decimals: 2, unitCode: 0x2c },
  { name: 'supply_temperature', bytes: 3, decimals: 2, unit: '°C' },
  { name: 'return_temperature', bytes: 3, decimals: 2, unit: '°C' },
  { name: 'working_hours', bytes: 3, decimals: 0, unit: 'h' },
];

function fieldsFor(meterType: number): readonly FieldSpec[] {
  return meterFamily(meterType) === 'heat' ? HEAT_FIELDS : WATER_FIELDS;
}

const TIME_BYTES = 7;
const STATUS_BYTES = 2;

/** Bytes of a 901F record (after DI and SER) for a meter type. */
export function recordLength(meterType: number): number {
  let length = TIME_BYTES + STATUS_BYTES;
  for (const field of fieldsFor(meterType)) length += field.bytes + (field.unitCode !== undefined ? 1 : 0);
  return length;
}

/** Names of the numeric fields of a 901F record, plus the status-derived ones. */
export function recordFieldNames(meterType: number): string[] {
  return [...fieldsFor(meterType).map((f) => f.name), 'valve', 'battery_low', 'status'];
}

export interface Cjt188Quantity {
  value: number;
  unit: string;
  /** The unit byte as sent, when the field has one. */
  unitCode?: number;
}

export type ValveState = 'open' | 'closed' | 'abnormal' | 'reserved';

export interface Cjt188Status {
  /** Both status bytes as one number, first byte in the low 8 bits. */
  raw: number;
  /** Bits 0–1 of the first byte: 00 open, 01 closed, 11 abnormal. */
  valve: ValveState;
  /** Bit 2 of the first byte. */
  batteryLow: boolean;
}

export interface CivilTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface Cjt188Record {
  values: Record<string, Cjt188Quantity>;
  /** Meter's clock as YYYY-MM-DDThh:mm:ss (local time, no zone), or undefined when not a valid date. */
  time: string | undefined;
  /** Which byte order the time was read in. */
  timeOrder: 'low-byte-first' | 'reading-order' | undefined;
  status: Cjt188Status;
}

const VALVE_STATES: readonly ValveState[] = ['open', 'closed', 'reserved', 'abnormal'];
const VALVE_CODES: Record<ValveState, number> = { open: 0, closed: 1, reserved: 2, abnormal: 3 };

export function decodeCjt188Status(first: number, second: number): Cjt188Status {
  return { raw: first | (second << 8), valve: VALVE_STATES[first & 3], batteryLow: (first & 4) !== 0 };
}

/** Decode the record bytes (after DI and SER). Throws Cjt188ValueError when it is too short or not BCD. */
export function decodeCjt188Record(meterType: number, bytes: Uint8Array, ctx: Cjt188Context = {}): Cjt188Record {
  const needed = recordLength(meterType);
  if (bytes.length < needed) {
    throw new Cjt188ValueError(ctx, `901F record of ${bytes.length} bytes is shorter than the ${needed} a ${meterFamily(meterType)} meter sends`, bytes);
  }
  const values: Record<string, Cjt188Quantity> = {};
  let offset = 0;
  try {
    for (const field of fieldsFor(meterType)) {
      const value = decodeBcd(bytes, offset, { bytes: field.bytes, decimals: field.decimals, signed: false });
      offset += field.bytes;
      if (field.unitCode !== undefined) {
        const unitCode = bytes[offset++];
        values[field.name] = { value, unit: cjt188UnitName(unitCode), unitCode };
      } else {
        values[field.name] = { value, unit: field.unit ?? '' };
      }
    }
  } catch (error) {
    if (error instanceof BcdDigitError) throw new Cjt188ValueError(ctx, `901F record field at byte ${offset} is not BCD`, bytes);
    throw error;
  }
  const time = decodeMeterTime(bytes.subarray(offset, offset + TIME_BYTES));
  offset += TIME_BYTES;
  return {
    values,
    time: time === undefined ? undefined : formatCivilTime(time.time),
    timeOrder: time?.order,
    status: decodeCjt188Status(bytes[offset], bytes[offset + 1]),
  };
}

export interface RecordSource {
  /** Field value by name (see recordFieldNames); undefined reads as 0. */
  value(field: string): number | undefined;
  time: CivilTime;
}

/** Encode a 901F record for a meter type (used by the meter simulator and tests). */
export function encodeCjt188Record(meterType: number, source: RecordSource): Uint8Array {
  const out = new Uint8Array(recordLength(meterType));
  let offset = 0;
  for (const field of fieldsFor(meterType)) {
    out.set(encodeBcd(source.value(field.name) ?? 0, { bytes: field.bytes, decimals: field.decimals, signed: false }), offset);
    offset += field.bytes;
    if (field.unitCode !== undefined) out[offset++] = field.unitCode;
  }
  out.set(encodeMeterTime(source.time), offset);
  offset += TIME_BYTES;
  const valve = source.value('valve') ?? 0;
  const batteryLow = (source.value('battery_low') ?? 0) !== 0;
  out[offset] = (valve & 3) | (batteryLow ? 4 : 0);
  out[offset + 1] = 0;
  return out;
}

/** Numeric value of a record field for device points: quantities, valve code (0 open, 1 closed, 3 abnormal), battery_low, raw status. */
export function recordFieldValue(record: Cjt188Record, field: string): { value: number | boolean; unit?: string } | undefined {
  const quantity = record.values[field];
  if (quantity !== undefined) return { value: quantity.value, unit: quantity.unit };
  if (field === 'valve') return { value: VALVE_CODES[record.status.valve] };
  if (field === 'valve_open') return { value: record.status.valve === 'open' };
  if (field === 'battery_low') return { value: record.status.batteryLow };
  if (field === 'status') return { value: record.status.raw };
  return undefined;
}

export function encodeMeterTime(time: CivilTime): Uint8Array {
  const fields = [time.second, time.minute, time.hour, time.day, time.month, time.year % 100, Math.floor(time.year / 100)];
  return Uint8Array.from(fields, (n) => toBcdByte(Math.max(0, Math.min(99, Math.floor(n)))));
}

function decodeMeterTime(bytes: Uint8Array): { time: CivilTime; order: 'low-byte-first' | 'reading-order' } | undefined {
  const digits = Array.from(bytes, (b) => bcdByteValue(b));
  if (digits.some((d) => d === undefined)) return undefined;
  const d = digits as number[];
  const standard: CivilTime = { second: d[0], minute: d[1], hour: d[2], day: d[3], month: d[4], year: d[6] * 100 + d[5] };
  const reading: CivilTime = { year: d[0] * 100 + d[1], month: d[2], day: d[3], hour: d[4], minute: d[5], second: d[6] };
  // The standard order wins unless it is impossible or its century is implausible and the other is not.
  const standardOk = isValidCivilTime(standard);
  const readingOk = isValidCivilTime(reading);
  if (standardOk && (plausibleCentury(standard.year) || !readingOk || !plausibleCentury(reading.year))) return { time: standard, order: 'low-byte-first' };
  if (readingOk) return { time: reading, order: 'reading-order' };
  return undefined;
}

function plausibleCentury(year: number): boolean {
  return year >= 1990 && year <= 2199;
}

export function isValidCivilTime(t: CivilTime): boolean {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.hour > 23 || t.minute > 59 || t.second > 59) return false;
  const leap = (t.year % 4 === 0 && t.year % 100 !== 0) || t.year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][t.month - 1];
  return t.day <= daysInMonth;
}

export function formatCivilTime(t: CivilTime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(t.second)}`;
}

/** Civil time at `unixMs` shifted by `offsetMinutes` (meters keep local time; China is UTC+8). */
export function civilTimeFromUnixMs(unixMs: number, offsetMinutes: number): CivilTime {
  const date = new Date(unixMs + offsetMinutes * 60000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}
