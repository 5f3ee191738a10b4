/**
 * Cayenne LPP, the comparison baseline for the batch format (bench only: the
 * gateway never sends LPP). Each value is channel (1 byte) + type (1 byte) +
 * data; a time point is a unix-time record (channel, type 133, 4 bytes).
 * Sizes and multipliers per DESIGN.md §5; what LPP has no type for uses the
 * 2-byte signed analog input (0.01), or a 4-byte generic record when the value
 * does not fit in 2 bytes (e.g. a water meter's cumulative m³).
 */
import type { Channel } from '../drivers/batch/channels.js';

export interface LppType {
  name: string;
  type: number;
  size: number;
  /** Wire value = round(value × multiplier). */
  multiplier: number;
  signed: boolean;
}

const t = (name: string, type: number, size: number, multiplier: number, signed: boolean): LppType => ({ name, type, size, multiplier, signed });

export const LPP_TYPES = {
  digitalInput: t('digital input', 0, 1, 1, false),
  analogInput: t('analog input', 2, 2, 100, true),
  generic: t('generic sensor', 100, 4, 100, true),
  temperature: t('temperature', 103, 2, 10, true),
  humidity: t('humidity', 104, 1, 2, false),
  barometer: t('barometer', 115, 2, 10, false),
  voltage: t('voltage', 116, 2, 100, false),
  current: t('current', 117, 2, 1000, false),
  power: t('power', 128, 2, 1, false),
  powerFromKw: t('power', 128, 2, 1000, false),
  distance: t('distance', 130, 4, 1000, false),
  energy: t('energy', 131, 4, 1000, false),
  unixTime: t('unix time', 133, 4, 1, false),
} as const;

const BY_UNIT: Readonly<Record<string, LppType>> = {
  '°C': LPP_TYPES.temperature,
  '%RH': LPP_TYPES.humidity,
  hPa: LPP_TYPES.barometer,
  V: LPP_TYPES.voltage,
  A: LPP_TYPES.current,
  W: LPP_TYPES.power,
  kWh: LPP_TYPES.energy,
};

const TYPE_BY_CODE = new Map<number, LppType>([LPP_TYPES.digitalInput, LPP_TYPES.analogInput, LPP_TYPES.generic, LPP_TYPES.temperature, LPP_TYPES.humidity, LPP_TYPES.barometer, LPP_TYPES.voltage, LPP_TYPES.current, LPP_TYPES.power, LPP_TYPES.distance, LPP_TYPES.energy, LPP_TYPES.unixTime].map((type) => [type.type, type]));
const TIME_RECORD_BYTES = 2 + LPP_TYPES.unixTime.size;

/** The LPP record type a channel's value goes out as; `value` decides between 2-byte analog and 4-byte generic. */
export function lppTypeFor(channel: Pick<Channel, 'kind' | 'unit' | 'point'>, value: number | boolean): LppType {
  if (channel.kind === 'bool' || typeof value === 'boolean') return LPP_TYPES.digitalInput;
  if (channel.point === 'distance' && channel.unit === 'm') return LPP_TYPES.distance;
  if (channel.unit === 'kW') return LPP_TYPES.powerFromKw;
  const byUnit = BY_UNIT[channel.unit];
  if (byUnit !== undefined) return byUnit;
  return fits(LPP_TYPES.analogInput, value) ? LPP_TYPES.analogInput : LPP_TYPES.generic;
}

function wireValue(type: LppType, value: number): number {
  return Math.round(value * type.multiplier);
}

function fits(type: LppType, value: number): boolean {
  const v = wireValue(type, value);
  const span = 2 ** (8 * type.size);
  return type.signed ? v >= -span / 2 && v < span / 2 : v >= 0 && v < span;
}

/** One LPP record. */
export function lppRecord(channel: number, type: LppType, value: number | boolean): Uint8Array {
  const out = new Uint8Array(2 + type.size);
  out[0] = channel;
  out[1] = type.type;
  let v = typeof value === 'boolean' ? Number(value) : wireValue(type, value);
  if (v < 0) v += 2 ** (8 * type.size);
  for (let i = type.size - 1; i >= 0; i--) {
    out[2 + i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

export interface LppValue {
  channel: number;
  type: string;
  value: number;
}

export function decodeLpp(bytes: Uint8Array): LppValue[] {
  const out: LppValue[] = [];
  let i = 0;
  while (i < bytes.length) {
    const type = TYPE_BY_CODE.get(bytes[i + 1]);
    if (type === undefined || i + 2 + type.size > bytes.length) throw new Error(`LPP: bad record at byte ${i}`);
    let v = 0;
    for (let k = 0; k < type.size; k++) v = v * 256 + bytes[i + 2 + k];
    if (type.signed && v >= 2 ** (8 * type.size - 1)) v -= 2 ** (8 * type.size);
    out.push({ channel: bytes[i], type: type.name, value: v / type.multiplier });
    i += 2 + type.size;
  }
  return out;
}

export interface LppReading {
  channel: Pick<Channel, 'index' | 'kind' | 'unit' | 'point'>;
  /** Time point, unix seconds (already quantised like the batch encoder's). */
  timeS: number;
  value: number | boolean;
}

/**
 * Frames of at most `maxPayloadBytes`: readings in time order, a unix-time
 * record before the first reading of each time point in a frame (repeated at
 * the top of a frame that continues a time point, so every frame stands alone).
 */
export function packLppFrames(readings: readonly LppReading[], maxPayloadBytes: number): Uint8Array[] {
  if (maxPayloadBytes < TIME_RECORD_BYTES + 6) throw new RangeError(`LPP frames need at least ${TIME_RECORD_BYTES + 6} bytes (a time record and a 4-byte value)`);
  const sorted = [...readings].sort((a, b) => a.timeS - b.timeS || a.channel.index - b.channel.index);
  const frames: Uint8Array[] = [];
  let parts: Uint8Array[] = [];
  let size = 0;
  let frameTime: number | undefined;
  const close = () => {
    if (parts.length > 0) frames.push(concat(parts, size));
    parts = [];
    size = 0;
    frameTime = undefined;
  };
  for (const reading of sorted) {
    const record = lppRecord(reading.channel.index, lppTypeFor(reading.channel, reading.value), reading.value);
    const needed = record.length + (reading.timeS === frameTime ? 0 : TIME_RECORD_BYTES);
    if (size + needed > maxPayloadBytes) close();
    if (frameTime !== reading.timeS) {
      const stamp = lppRecord(0xff, LPP_TYPES.unixTime, reading.timeS);
      parts.push(stamp);
      size += stamp.length;
      frameTime = reading.timeS;
    }
    parts.push(record);
    size += record.length;
  }
  close();
  return frames;
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
