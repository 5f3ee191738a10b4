/**
 * The generic Modbus device driver: everything it knows about a device comes
 * from the manifest, so a new transmitter is one JSON file, not new code.
 *
 * Reading follows the read plan (./read-plan.ts). A failed request fails only
 * the points it serves; the other requests still run, because one bad
 * register range must not blind the gateway to the rest of the device.
 *
 * Config points (role "config", e.g. the decimal-places register of Chinese
 * level transmitters) change only when someone reconfigures the device, so
 * they are read once and cached. The cache is dropped after any failed
 * request (the device may have been power-cycled or swapped), after a write to
 * a config point, and on refreshConfig().
 */
import { AxonError } from '../errors.js';
import type { ModbusClient, RequestOptions } from '../modbus/client.js';
import { decodePointValue, encodePointValue, pointBitMask } from '../modbus/values.js';
import type { DeviceManifest, ModbusPoint } from './manifest.js';
import { isModbusPoint } from './manifest.js';
import { planReads, pointSpan, type ReadPlanOptions, type ReadRequest } from './read-plan.js';
import { OutOfRangeError, pointReading, type PointReading } from './reading.js';

export interface ModbusDeviceOptions {
  client: ModbusClient;
  manifest: DeviceManifest;
  /** Modbus unit id of this device on its bus (1–255; 0 is broadcast and cannot be read). */
  unit: number;
  plan?: ReadPlanOptions;
  /** Response timeout per request, ms. Default: the manifest's timeoutMs, else the client's default. */
  timeoutMs?: number;
  /** Extra attempts per request. Default: the client's default. */
  retries?: number;
}

/** The largest decimal-places setting accepted from a device; beyond it the register is surely something else. */
const MAX_DECIMALS = 9;

function failed(error: unknown): PointReading {
  if (error instanceof Error) return { ok: false, error };
  return { ok: false, error: new AxonError('POINT_READ_FAILED', String(error)) };
}

export class ModbusDevice {
  readonly manifest: DeviceManifest;
  readonly unit: number;
  readonly #client: ModbusClient;
  readonly #requestOptions: RequestOptions;
  readonly #points = new Map<string, ModbusPoint>();
  readonly #requests: ReadRequest[];
  readonly #configRequests: ReadRequest[];
  /** Readings of the config points, present only while every one of them is valid. */
  #config: Record<string, PointReading> | undefined;

  constructor(options: ModbusDeviceOptions) {
    const { manifest } = options;
    this.manifest = manifest;
    this.unit = options.unit;
    this.#client = options.client;
    if (!Number.isInteger(options.unit) || options.unit < 1 || options.unit > 255) {
      throw new AxonError('DEVICE_BAD_UNIT', `unit id ${options.unit} cannot be polled`, {
        where: `device ${manifest.id}`,
        fix: 'give the device a unit id from 1 to 247 (0 is broadcast)',
      });
    }
    if (manifest.protocol !== 'modbus') {
      throw new AxonError('DEVICE_PROTOCOL', `manifest '${manifest.id}' describes a ${manifest.protocol} device, not Modbus`, {
        fix: 'use the meter driver for DL/T 645 and CJ/T 188 devices',
      });
    }
    for (const point of manifest.points) {
      if (!isModbusPoint(point)) {
        throw new AxonError('DEVICE_PROTOCOL', `point '${point.id}' has no Modbus register (fc/address/type)`, { where: `device ${manifest.id}` });
      }
      this.#points.set(point.id, point);
    }
    for (const point of this.#points.values()) {
      const source = point.decimalsFrom === undefined ? undefined : this.#points.get(point.decimalsFrom);
      if (point.decimalsFrom !== undefined && source?.role !== 'config') {
        throw new AxonError('DEVICE_CONFIG', `point '${point.id}' takes its decimal places from '${point.decimalsFrom}', which is not a config point`, {
          where: `device ${manifest.id}`,
          fix: 'name a point with role "config" in decimalsFrom',
        });
      }
    }
    this.#requestOptions = {};
    const timeoutMs = options.timeoutMs ?? manifest.timeoutMs;
    if (timeoutMs !== undefined) this.#requestOptions.timeoutMs = timeoutMs;
    if (options.retries !== undefined) this.#requestOptions.retries = options.retries;
    const all = [...this.#points.values()];
    this.#requests = planReads(all.filter((p) => p.role !== 'config'), options.plan);
    this.#configRequests = planReads(all.filter((p) => p.role === 'config'), options.plan);
  }

  /** The requests one readAll() sends (config points excluded), in order. */
  get requests(): readonly ReadRequest[] {
    return this.#requests;
  }

  /** The requests that read the config points when the cache is empty. */
  get configRequests(): readonly ReadRequest[] {
    return this.#configRequests;
  }

  /** Cached config readings, or undefined when they will be read on the next poll. */
  get config(): Readonly<Record<string, PointReading>> | undefined {
    return this.#config;
  }

  /** Read the config points now (the caller knows the device was reconfigured). */
  async refreshConfig(): Promise<Record<string, PointReading>> {
    this.#config = undefined;
    return this.#loadConfig();
  }

  /** Read every non-config point. Never throws for device trouble: each reading carries its own error. */
  async readAll(): Promise<Record<string, PointReading>> {
    const config = this.#config ?? (await this.#loadConfig());
    const readings = await this.#runRequests(this.#requests, config);
    // Report in manifest order, which is what people compare against.
    const ordered: Record<string, PointReading> = {};
    for (const point of this.#points.values()) {
      const reading = readings[point.id];
      if (reading !== undefined) ordered[point.id] = reading;
    }
    return ordered;
  }

  /** Write an engineering value to a writable point: FC05 for coils, FC06 for one register, FC16 for more. */
  async write(pointId: string, value: number | boolean): Promise<void> {
    const point = this.#points.get(pointId);
    if (point === undefined) {
      throw new AxonError('POINT_UNKNOWN', `device '${this.manifest.id}' has no point '${pointId}'`, {
        fix: `use one of ${[...this.#points.keys()].join(', ')}`,
      });
    }
    if (point.writable !== true || point.fc === 2 || point.fc === 4) {
      throw new AxonError('POINT_NOT_WRITABLE', `point '${pointId}' is read-only`, {
        where: this.#where(point),
        fix: 'only coils (fc 1) and holding registers (fc 3) marked "writable": true in the manifest can be written',
      });
    }
    if (typeof value === 'number' && (!Number.isFinite(value) || (point.min !== undefined && value < point.min) || (point.max !== undefined && value > point.max))) {
      throw new OutOfRangeError(pointId, value, point, this.#where(point));
    }
    const options = this.#requestOptions;
    if (point.fc === 1) {
      await this.#client.writeSingleCoil(this.unit, point.address, typeof value === 'boolean' ? value : value !== 0, options);
    } else {
      const words = encodePointValue(point, value, await this.#decimalsForWrite(point));
      const mask = pointBitMask(point);
      if (mask !== 0xffff) {
        // The other bits of the register belong to other points: keep them.
        const [current] = await this.#client.readHoldingRegisters(this.unit, point.address, 1, options);
        await this.#client.writeSingleRegister(this.unit, point.address, (current & ~mask & 0xffff) | (words[0] & mask), options);
      } else if (words.length === 1) {
        await this.#client.writeSingleRegister(this.unit, point.address, words[0], options);
      } else {
        await this.#client.writeMultipleRegisters(this.unit, point.address, words, options);
      }
    }
    if (point.role === 'config') this.#config = undefined;
  }

  #where(point: ModbusPoint): string {
    return `device ${this.manifest.id} unit ${this.unit} point '${point.id}' FC${String(point.fc).padStart(2, '0')} address ${point.address}`;
  }

  async #loadConfig(): Promise<Record<string, PointReading>> {
    const readings = await this.#runRequests(this.#configRequests);
    const allValid = Object.values(readings).every((r) => r.ok);
    this.#config = allValid ? readings : undefined;
    return readings;
  }

  async #decimalsForWrite(point: ModbusPoint): Promise<number> {
    if (point.decimalsFrom === undefined) return 0;
    const config = this.#config ?? (await this.#loadConfig());
    const decimals = this.#decimals(point, config);
    if (typeof decimals !== 'number') throw decimals;
    return decimals;
  }

  /** The decimal places for `point`, or the error that makes them unknown. */
  #decimals(point: ModbusPoint, config: Record<string, PointReading>): number | Error {
    if (point.decimalsFrom === undefined) return 0;
    const source = config[point.decimalsFrom];
    if (source === undefined || !source.ok) {
      return new AxonError('POINT_CONFIG_UNAVAILABLE', `decimal places for '${point.id}' are unknown: config point '${point.decimalsFrom}' could not be read`, {
        where: this.#where(point),
        fix: 'fix the read error of the config point; it is retried on the next poll',
        cause: source?.ok === false ? source.error : undefined,
      });
    }
    const value = source.value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DECIMALS) {
      return new AxonError('POINT_DECIMALS_INVALID', `config point '${point.decimalsFrom}' holds ${String(value)}, not a number of decimal places (0–${MAX_DECIMALS})`, {
        where: this.#where(point),
        fix: 'check the address of the decimal-places register in the manifest',
      });
    }
    return value;
  }

  /**
   * Run `requests` in order and decode their points. `config` supplies decimal
   * places; while loading config itself it is omitted and the readings being
   * made are used, so a range register can take its decimals from the
   * decimal-places register read in the same pass.
   */
  async #runRequests(requests: readonly ReadRequest[], config?: Record<string, PointReading>): Promise<Record<string, PointReading>> {
    const readings: Record<string, PointReading> = {};
    const received: Array<{ point: ModbusPoint; request: ReadRequest; words: ArrayLike<number> }> = [];
    for (const request of requests) {
      let words: ArrayLike<number>;
      try {
        words = await this.#read(request);
      } catch (error) {
        for (const id of request.points) readings[id] = failed(error);
        this.#config = undefined;
        continue;
      }
      for (const id of request.points) received.push({ point: this.#points.get(id) as ModbusPoint, request, words });
    }
    const lookup = config ?? readings;
    // Points that need decimal places last, so their source is already decoded.
    for (const { point, request, words } of received) if (point.decimalsFrom === undefined) readings[point.id] = this.#decode(point, request, words, lookup);
    for (const { point, request, words } of received) if (point.decimalsFrom !== undefined) readings[point.id] = this.#decode(point, request, words, lookup);
    return readings;
  }

  async #read(request: ReadRequest): Promise<ArrayLike<number>> {
    const { address, count } = request;
    const options = this.#requestOptions;
    switch (request.fc) {
      case 1:
        return (await this.#client.readCoils(this.unit, address, count, options)).map((on) => (on ? 1 : 0));
      case 2:
        return (await this.#client.readDiscreteInputs(this.unit, address, count, options)).map((on) => (on ? 1 : 0));
      case 3:
        return this.#client.readHoldingRegisters(this.unit, address, count, options);
      case 4:
        return this.#client.readInputRegisters(this.unit, address, count, options);
    }
  }

  #decode(point: ModbusPoint, request: ReadRequest, words: ArrayLike<number>, config: Record<string, PointReading>): PointReading {
    const decimals = this.#decimals(point, config);
    if (typeof decimals !== 'number') return failed(decimals);
    const start = point.address - request.address;
    const span = pointSpan(point);
    const own: number[] = [];
    for (let i = 0; i < span; i++) own.push(words[start + i]);
    let value: number | boolean;
    try {
      value = decodePointValue(point, own, decimals);
    } catch (error) {
      return failed(error);
    }
    const reading = pointReading(point, value);
    // The location only matters in an error: build its string for the rare invalid reading, not for every one.
    return reading.ok ? reading : pointReading(point, value, this.#where(point));
  }
}
