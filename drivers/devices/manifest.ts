/**
 * Device manifest: the single description of a device from which Axon derives
 * its driver, its simulator, its uplink codec and its conformance test.
 * The JSON files live in manifests/devices/ and are validated against
 * manifests/schema/device.schema.json (sdk/manifest) before they reach the core;
 * the core trusts this shape.
 */
import type { Parity } from '../ports/byte-stream.js';

export type DeviceProtocol = 'modbus' | 'dlt645-2007' | 'dlt645-1997' | 'cjt188';

/** Register value types. `bool` reads a coil/discrete input or one bit of a register (`bit`). */
export type ValueType = 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'bits';

/**
 * Byte/word order, letters naming bytes most-significant first as sent:
 * ABCD big-endian (Modbus default), CDAB word-swapped, BADC byte-swapped,
 * DCBA little-endian. 16-bit types use AB or BA; 64-bit types extend the same
 * idea to four words (ABCD = big-endian words and bytes).
 */
export type ByteOrder = 'AB' | 'BA' | 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

export type PointRole = 'measurement' | 'alarm' | 'status' | 'config';

/** Simulation behaviour of one point (simulators/models). */
export type SimulationSpec =
  | { model: 'constant'; value: number }
  | { model: 'random-walk'; base: number; step: number; min: number; max: number }
  | { model: 'sine'; mean: number; amplitude: number; periodMinutes: number; noise?: number }
  | { model: 'storm'; dry: number; peak: number; startMinutes: number; riseMinutes: number; holdMinutes: number; fallMinutes: number; noise?: number }
  | { model: 'fire'; base: number; startMinutes: number; ratePerMinute: number; max: number; noise?: number }
  | { model: 'alarm'; startMinutes: number; durationMinutes: number }
  /** On while another point of the same device reads at or above `above`: a detector's alarm follows what it measures. */
  | { model: 'threshold'; point: string; above: number }
  | { model: 'pressure-drop'; base: number; low: number; startMinutes: number; durationMinutes: number; noise?: number }
  | { model: 'counter'; start: number; ratePerHour: number };

interface PointBase {
  /** Stable identifier (snake_case); uplink channels and alert rules refer to it. */
  id: string;
  name: string;
  /** Engineering unit after scaling, e.g. "cm", "°C", "%RH", "MPa", "kWh". */
  unit?: string;
  role?: PointRole;
  /** Plausible range; a reading outside is reported as invalid, not stored as data. */
  min?: number;
  max?: number;
  /** Overrides the device's poll period for this point. */
  pollPeriodS?: number;
  sim?: SimulationSpec;
}

export interface ModbusPoint extends PointBase {
  /** 1 coils, 2 discrete inputs, 3 holding registers, 4 input registers. */
  fc: 1 | 2 | 3 | 4;
  /** Zero-based protocol address (register or coil number as sent on the wire). */
  address: number;
  type: ValueType;
  /** Default ABCD for 32/64-bit values, AB for 16-bit. */
  order?: ByteOrder;
  /** For `bool` on registers: the bit index (0 = least significant). For `bits`: first bit. */
  bit?: number;
  /** For `bits`: how many bits to extract. */
  bitCount?: number;
  /** value = raw * scale + offset (after decimal places). Default 1 and 0. */
  scale?: number;
  offset?: number;
  /** Id of a `config` point whose value is the number of decimal places: value = raw / 10^d. */
  decimalsFrom?: string;
  /** The point may be written (FC05/06/16). */
  writable?: boolean;
}

export interface MeterPoint extends PointBase {
  /** Data identifier as 8 hex digits DI3..DI0 (DL/T 645-2007), 4 hex digits (DL/T 645-1997, CJ/T 188). */
  di: string;
  /** For multi-value identifiers (CJ/T 188 901F): which field of the decoded record. */
  field?: string;
}

export type DevicePoint = ModbusPoint | MeterPoint;

export interface LineDefaults {
  baud: number;
  parity: Parity;
  dataBits?: 7 | 8;
  stopBits: 1 | 2;
}

export interface DeviceManifest {
  $schema?: string;
  id: string;
  name: string;
  vendor: string;
  model?: string;
  /** Kind of device, used for defaults in rules and in the live view. */
  category: 'water-level' | 'temperature-humidity' | 'smoke-heat' | 'pressure' | 'energy-meter' | 'water-meter' | 'other';
  protocol: DeviceProtocol;
  description?: string;
  line: LineDefaults;
  /** Modbus unit id (1–247) or meter address used when a site file does not give one. */
  defaultAddress: number | string;
  pollPeriodS: number;
  /**
   * The poll periods a downlink may set for this device, seconds, inside the
   * gateway's own 1–86 400 (a smoke detector that must not be polled less
   * than once a minute says max 60). Absent: 1–86 400.
   */
  downlinkPollPeriodS?: { min?: number; max?: number };
  /** Alarm-class devices are polled first and their alarms bypass batching. */
  alarmClass?: boolean;
  /** Response timeout for this device, ms (default 1000). */
  timeoutMs?: number;
  points: DevicePoint[];
}

export function isModbusPoint(point: DevicePoint): point is ModbusPoint {
  return (point as ModbusPoint).fc !== undefined;
}
