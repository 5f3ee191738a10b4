/**
 * PSM timers for AT+CPSMS. The network takes them as 8-bit strings in the
 * 3GPP TS 24.008 formats: bits 8–6 pick a unit, bits 5–1 a multiplier 0–31.
 *   T3412 extended (periodic TAU, "GPRS Timer 3"): 10 min, 1 h, 10 h, 2 s, 30 s, 1 min, 320 h
 *   T3324 (active time, "GPRS Timer 2"):           2 s, 1 min, 6 min (decihour)
 * "111xxxxx" means deactivated in both. The network may grant other values
 * than requested; read them back with AT+CEREG=4 / AT+CEREG?.
 */
import { NbIotError } from './errors.js';

export interface TimerUnit {
  bits: number;
  seconds: number;
}

/** T3412 extended units by their 3-bit code, in the order tried (finest first). */
const T3412_UNITS: readonly TimerUnit[] = [
  { bits: 0b011, seconds: 2 },
  { bits: 0b100, seconds: 30 },
  { bits: 0b101, seconds: 60 },
  { bits: 0b000, seconds: 600 },
  { bits: 0b001, seconds: 3600 },
  { bits: 0b010, seconds: 36000 },
  { bits: 0b110, seconds: 1152000 },
];

const T3324_UNITS: readonly TimerUnit[] = [
  { bits: 0b000, seconds: 2 },
  { bits: 0b001, seconds: 60 },
  { bits: 0b010, seconds: 360 },
];

export interface EncodedTimer {
  /** Eight '0'/'1' characters, as AT+CPSMS wants them. */
  bits: string;
  /** The period the bits actually stand for (the requested one rounded up to what the encoding can say). */
  seconds: number;
}

export const TIMER_DEACTIVATED = '11100000';

/** Encode a periodic-TAU period (T3412 extended). Rounds up to the nearest representable value. */
export function encodeT3412(seconds: number): EncodedTimer {
  return encodeTimer(seconds, T3412_UNITS, 'T3412 (periodic TAU)');
}

/** Encode an active time (T3324). Rounds up to the nearest representable value; 0 means "sleep at once". */
export function encodeT3324(seconds: number): EncodedTimer {
  return encodeTimer(seconds, T3324_UNITS, 'T3324 (active time)');
}

export function decodeT3412(bits: string): number | 'deactivated' {
  return decodeTimer(bits, T3412_UNITS, 'T3412');
}

export function decodeT3324(bits: string): number | 'deactivated' {
  return decodeTimer(bits, T3324_UNITS, 'T3324');
}

/**
 * Among all units, the smallest representable value ≥ the request wins; on a
 * tie the finer unit, so the network sees the least surprising encoding.
 */
function encodeTimer(seconds: number, units: readonly TimerUnit[], what: string): EncodedTimer {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new NbIotError('NBIOT_BAD_ARGUMENT', `${what} of ${seconds} s is not a valid duration`, { fix: 'give a whole number of seconds ≥ 0' });
  }
  let best: { unit: TimerUnit; multiplier: number } | undefined;
  for (const unit of units) {
    const multiplier = Math.ceil(seconds / unit.seconds);
    if (multiplier > 31) continue;
    if (best === undefined || multiplier * unit.seconds < best.multiplier * best.unit.seconds) best = { unit, multiplier };
  }
  if (best === undefined) {
    const max = Math.max(...units.map((u) => u.seconds * 31));
    throw new NbIotError('NBIOT_BAD_ARGUMENT', `${what} of ${seconds} s is longer than the encoding allows (${max} s)`, { fix: `use at most ${max} s` });
  }
  return { bits: bits8((best.unit.bits << 5) | best.multiplier), seconds: best.multiplier * best.unit.seconds };
}

function decodeTimer(bits: string, units: readonly TimerUnit[], what: string): number | 'deactivated' {
  if (!/^[01]{8}$/.test(bits)) {
    throw new NbIotError('NBIOT_BAD_ARGUMENT', `${what} value "${bits}" is not 8 binary digits`, { fix: 'pass the string exactly as AT+CPSMS? or +CEREG shows it' });
  }
  const value = parseInt(bits, 2);
  const code = value >> 5;
  if (code === 0b111) return 'deactivated';
  const unit = units.find((u) => u.bits === code);
  if (unit === undefined) {
    throw new NbIotError('NBIOT_BAD_ARGUMENT', `${what} value "${bits}" uses unit code ${code.toString(2).padStart(3, '0')}, which is not defined`, {});
  }
  return (value & 31) * unit.seconds;
}

function bits8(value: number): string {
  return value.toString(2).padStart(8, '0');
}

/** The AT+CPSMS command enabling PSM with the given timers (or disabling it). */
export function cpsmsCommand(settings: { enabled: false } | { enabled: true; periodicTauSeconds: number; activeTimeSeconds: number }): string {
  if (!settings.enabled) return 'AT+CPSMS=0';
  return `AT+CPSMS=1,,,${encodeT3412(settings.periodicTauSeconds).bits},${encodeT3324(settings.activeTimeSeconds).bits}`;
}
