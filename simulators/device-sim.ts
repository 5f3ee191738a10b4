/**
 * A simulated field device: the register/coil images a real transmitter or
 * meter would expose, computed at read time from each point's simulation model
 * (manifest `sim`) and the clock. Protocol fronts (our RtuSlave, modbus-serial's
 * servers, the DL/T 645 and CJ/T 188 meter slaves) all sit on top of this, so one
 * manifest drives every wire.
 *
 * Runtime-neutral (runs in XS): time only through the Clock port.
 *
 * Address map: for each table (coils, discrete inputs, holding, input
 * registers) the device answers any range inside the span from its lowest to
 * its highest mapped address, reading unmapped gaps as 0 — real devices answer
 * that way, and the gateway coalesces near-contiguous registers across gaps.
 * Anything outside the span is exception 2 ILLEGAL_DATA_ADDRESS.
 */
import type { Clock } from '../drivers/ports/clock.js';
import type { DeviceManifest, DevicePoint, MeterPoint, ModbusPoint } from '../drivers/devices/manifest.js';
import { isModbusPoint } from '../drivers/devices/manifest.js';
import { decodePointValue, encodePointValue, pointBitMask, wordCount } from '../drivers/modbus/values.js';
import { createPointModel, type PointModel } from './models/index.js';
import { seedFromString } from './models/prng.js';

export const ILLEGAL_DATA_ADDRESS = 2;
export const ILLEGAL_DATA_VALUE = 3;

/** A read either yields values or the Modbus exception code the device answers with. */
export type ModbusExceptionResult = { exception: number };

export interface DeviceSimulatorOptions {
  manifest: DeviceManifest;
  clock: Clock;
  /** Seeds every point's noise; the same seed replays the same readings. Default 1. */
  seed?: number;
  /** Simulated minutes already elapsed when the simulator starts (jump into a scenario). Default 0. */
  startMinutes?: number;
  /** Simulated minutes per clock minute (60 plays an hour-long storm in a minute). Default 1. */
  speed?: number;
}

interface TableSpan {
  first: number;
  /** One past the last mapped address. */
  end: number;
}

export class DeviceSimulator {
  readonly manifest: DeviceManifest;
  readonly #clock: Clock;
  readonly #startMs: number;
  readonly #startMinutes: number;
  readonly #speed: number;
  readonly #models = new Map<string, PointModel>();
  readonly #overrides = new Map<string, number | boolean>();
  readonly #byId = new Map<string, DevicePoint>();
  readonly #tables = new Map<1 | 2 | 3 | 4, ModbusPoint[]>();
  readonly #spans = new Map<1 | 2 | 3 | 4, TableSpan>();

  constructor(options: DeviceSimulatorOptions) {
    this.manifest = options.manifest;
    this.#clock = options.clock;
    this.#startMs = options.clock.now();
    this.#startMinutes = options.startMinutes ?? 0;
    this.#speed = options.speed ?? 1;
    const seed = options.seed ?? 1;
    for (const point of options.manifest.points) {
      this.#byId.set(point.id, point);
      if (point.sim !== undefined && point.sim.model !== 'threshold') this.#models.set(point.id, createPointModel(point.sim, seedFromString(point.id, seed)));
      if (!isModbusPoint(point)) continue;
      const list = this.#tables.get(point.fc) ?? [];
      list.push(point);
      this.#tables.set(point.fc, list);
      const end = point.address + (point.fc <= 2 ? 1 : wordCount(point.type));
      const span = this.#spans.get(point.fc);
      if (span === undefined) this.#spans.set(point.fc, { first: point.address, end });
      else {
        span.first = Math.min(span.first, point.address);
        span.end = Math.max(span.end, end);
      }
    }
  }

  /** Simulated minutes since the start, as the models see them. */
  minutes(): number {
    return this.#startMinutes + ((this.#clock.now() - this.#startMs) / 60000) * this.#speed;
  }

  /** FC03/FC04: `count` registers from `address`, or the exception a device would answer. */
  readRegisters(fc: 3 | 4, address: number, count: number): number[] | ModbusExceptionResult {
    if (!Number.isInteger(count) || count < 1 || count > 125) return { exception: ILLEGAL_DATA_VALUE };
    if (!this.#inSpan(fc, address, count)) return { exception: ILLEGAL_DATA_ADDRESS };
    const image = new Array<number>(count).fill(0);
    const points = this.#tables.get(fc) ?? [];
    // Whole-register values first, then bool/bits fields OR-ed into their registers.
    for (const pass of [false, true]) {
      for (const point of points) {
        if (isBitField(point) !== pass) continue;
        const words = this.#encode(point);
        for (let i = 0; i < words.length; i++) {
          const index = point.address + i - address;
          if (index < 0 || index >= count) continue;
          image[index] = pass ? image[index] | words[i] : words[i];
        }
      }
    }
    return image;
  }

  /** FC01/FC02: `count` coils or discrete inputs from `address`. */
  readBits(fc: 1 | 2, address: number, count: number): boolean[] | ModbusExceptionResult {
    if (!Number.isInteger(count) || count < 1 || count > 2000) return { exception: ILLEGAL_DATA_VALUE };
    if (!this.#inSpan(fc, address, count)) return { exception: ILLEGAL_DATA_ADDRESS };
    const bits = new Array<boolean>(count).fill(false);
    for (const point of this.#tables.get(fc) ?? []) {
      const index = point.address - address;
      if (index >= 0 && index < count) bits[index] = this.#encode(point)[0] !== 0;
    }
    return bits;
  }

  /** FC06. Undefined on success. */
  writeRegister(address: number, value: number): ModbusExceptionResult | undefined {
    return this.writeRegisters(address, [value]);
  }

  /**
   * FC16. Every register written must belong to a writable holding-register
   * point (exception 2 otherwise, and nothing is changed). A point whose words
   * are all or partly written takes the value its new words decode to, and keeps
   * it: writes override the simulation model, as a configured device would.
   */
  writeRegisters(address: number, values: readonly number[]): ModbusExceptionResult | undefined {
    if (values.length < 1 || values.length > 123) return { exception: ILLEGAL_DATA_VALUE };
    const points = (this.#tables.get(3) ?? []).filter((p) => p.writable === true);
    for (let i = 0; i < values.length; i++) {
      const a = address + i;
      if (!points.some((p) => a >= p.address && a < p.address + wordCount(p.type))) return { exception: ILLEGAL_DATA_ADDRESS };
    }
    const updates: Array<[ModbusPoint, number | boolean]> = [];
    for (const point of points) {
      const size = wordCount(point.type);
      if (point.address + size <= address || point.address >= address + values.length) continue;
      const words = this.#encode(point);
      for (let i = 0; i < size; i++) {
        const index = point.address + i - address;
        if (index < 0 || index >= values.length) continue;
        // A bit field only takes its own bits from the written word.
        words[i] = isBitField(point) ? values[index] & pointBitMask(point) : values[index] & 0xffff;
      }
      updates.push([point, decodePointValue(point, words, this.#decimals(point))]);
    }
    // Decode everything against the old state first, then commit, so a write that
    // covers both a value and its decimals register is read consistently.
    for (const [point, value] of updates) this.#overrides.set(point.id, value);
    return undefined;
  }

  /** FC05. */
  writeCoil(address: number, value: boolean): ModbusExceptionResult | undefined {
    return this.writeCoils(address, [value]);
  }

  /** FC15. */
  writeCoils(address: number, values: readonly boolean[]): ModbusExceptionResult | undefined {
    if (values.length < 1 || values.length > 1968) return { exception: ILLEGAL_DATA_VALUE };
    const points = (this.#tables.get(1) ?? []).filter((p) => p.writable === true);
    const targets: ModbusPoint[] = [];
    for (let i = 0; i < values.length; i++) {
      const point = points.find((p) => p.address === address + i);
      if (point === undefined) return { exception: ILLEGAL_DATA_ADDRESS };
      targets.push(point);
    }
    targets.forEach((point, i) => this.#overrides.set(point.id, values[i]));
    return undefined;
  }

  /**
   * Current value of every point as the wire carries it (rounded to the
   * register's resolution), keyed by point id: what a correct master must read.
   * bool points are booleans; everything else is a number.
   */
  pointValues(): Record<string, number | boolean> {
    const out: Record<string, number | boolean> = {};
    for (const point of this.manifest.points) out[point.id] = this.valueOf(point.id) as number | boolean;
    return out;
  }

  /** One point's current value (wire resolution for Modbus points); undefined for an unknown id. */
  valueOf(id: string): number | boolean | undefined {
    const point = this.#byId.get(id);
    if (point === undefined) return undefined;
    if (!isModbusPoint(point)) return this.#engineering(point);
    const decimals = this.#decimals(point);
    return decodePointValue(point, this.#encode(point), decimals);
  }

  /** Meter points answering a data identifier (DL/T 645, CJ/T 188), with their current values. */
  valuesForDi(di: string): Array<{ point: MeterPoint; value: number }> {
    const wanted = di.toUpperCase();
    const out: Array<{ point: MeterPoint; value: number }> = [];
    for (const point of this.manifest.points) {
      if (isModbusPoint(point) || point.di.toUpperCase() !== wanted) continue;
      out.push({ point, value: this.#engineering(point) as number });
    }
    return out;
  }

  /** Force a point to a value (the live view's "trigger alarm", tests). Overrides the model until cleared. */
  setValue(id: string, value: number | boolean): void {
    if (!this.#byId.has(id)) throw new RangeError(`no point "${id}" in device ${this.manifest.id}`);
    this.#overrides.set(id, value);
  }

  /** Return a point to its simulation model. */
  clearValue(id: string): void {
    this.#overrides.delete(id);
  }

  #inSpan(fc: 1 | 2 | 3 | 4, address: number, count: number): boolean {
    const span = this.#spans.get(fc);
    return span !== undefined && Number.isInteger(address) && address >= span.first && address + count <= span.end;
  }

  /** Engineering value before quantisation: an override, the model, or 0 for points without `sim`. */
  #engineering(point: DevicePoint): number | boolean {
    const forced = this.#overrides.get(point.id);
    if (forced !== undefined) return forced;
    if (point.sim?.model === 'threshold') return this.#thresholdAlarm(point.sim);
    const model = this.#models.get(point.id);
    const value = model === undefined ? 0 : model.valueAt(this.minutes());
    if (isModbusPoint(point) && point.type === 'bool') return value !== 0;
    return value;
  }

  /**
   * A detector's alarm is what it measures crossing its level, at the same
   * instant: on while the watched point reads at or above `above`. The validator
   * allows only a numeric, model-driven point here, so this never recurses twice.
   */
  #thresholdAlarm(spec: { point: string; above: number }): boolean {
    // What a master reads (wire resolution), so the bit and the value on the wire agree.
    const value = this.valueOf(spec.point);
    return typeof value === 'number' && value >= spec.above;
  }

  #decimals(point: ModbusPoint): number {
    if (point.decimalsFrom === undefined) return 0;
    const source = this.#byId.get(point.decimalsFrom);
    if (source === undefined || source.id === point.id) return 0;
    const value = this.#engineering(source);
    const d = Math.round(typeof value === 'boolean' ? Number(value) : value);
    // Transmitters support 0–3 decimal places; keep silly values from blowing up 10^d.
    return Math.min(6, Math.max(0, d));
  }

  #encode(point: ModbusPoint): number[] {
    return encodePointValue(point, this.#engineering(point), this.#decimals(point));
  }
}

function isBitField(point: ModbusPoint): boolean {
  return point.type === 'bits' || (point.type === 'bool' && point.bit !== undefined);
}
