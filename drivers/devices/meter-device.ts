/**
 * A metering device (DL/T 645 energy meter, CJ/T 188 water/heat/gas meter)
 * driven by its manifest: each point names a DI (and for multi-value records
 * such as CJ/T 188 901F, a field). readAll() polls every DI once and reports
 * each point separately, so one refused DI does not hide the others.
 */
import { AxonError } from '../errors.js';
import { Dlt645Client } from '../dlt645/client.js';
import { lookupDataId } from '../dlt645/data-ids.js';
import { normalizeDlt645Address } from '../dlt645/frame.js';
import { Cjt188Client } from '../cjt188/client.js';
import { CjtMeterType, normalizeCjt188Address } from '../cjt188/frame.js';
import { recordFieldNames, recordFieldValue } from '../cjt188/record.js';
import { isModbusPoint, type DeviceManifest, type MeterPoint } from './manifest.js';
import { pointReading, type PointReading } from './reading.js';

export type { PointReading } from './reading.js';

export interface MeterDeviceOptions {
  client: Dlt645Client | Cjt188Client;
  manifest: DeviceManifest;
  /** Meter address; defaults to the manifest's defaultAddress. */
  address?: string | number;
  /** CJ/T 188 meter type T (default 0x10 cold water; 0x20 heat, 0x30 gas). */
  meterType?: number;
}

/** The manifest cannot drive a meter (wrong protocol, point without a usable DI). Thrown by the constructor. */
export class MeterDeviceConfigError extends AxonError {
  static override readonly errorName: string = 'MeterDeviceConfigError';
  constructor(manifestId: string, message: string, fix: string, where?: string) {
    super('METER_DEVICE_CONFIG', message, { where: where ?? `manifest ${manifestId}`, fix });
  }
}

export class MeterDevice {
  readonly manifest: DeviceManifest;
  readonly address: string;
  readonly #client: Dlt645Client | Cjt188Client;
  readonly #points: MeterPoint[];
  readonly #meterType: number;

  constructor(options: MeterDeviceOptions) {
    const { manifest, client } = options;
    this.manifest = manifest;
    this.#client = client;
    // The manifest has no meter-type field; cold water is the common case and the standard's default.
    this.#meterType = options.meterType ?? CjtMeterType.COLD_WATER;
    const address = options.address ?? manifest.defaultAddress;
    const fail = (message: string, fix: string, where?: string) => new MeterDeviceConfigError(manifest.id, message, fix, where);

    if (manifest.protocol === 'cjt188') {
      if (!(client instanceof Cjt188Client)) throw fail('a cjt188 manifest needs a Cjt188Client', 'construct the device with a Cjt188Client on the meter bus');
      this.address = normalizeCjt188Address(address);
    } else if (manifest.protocol === 'dlt645-2007' || manifest.protocol === 'dlt645-1997') {
      if (!(client instanceof Dlt645Client)) throw fail(`a ${manifest.protocol} manifest needs a Dlt645Client`, 'construct the device with a Dlt645Client on the meter bus');
      this.address = normalizeDlt645Address(address);
    } else {
      throw fail(`protocol ${manifest.protocol} is not a meter protocol`, 'use the Modbus device driver for Modbus manifests');
    }

    this.#points = manifest.points.map((point) => {
      if (isModbusPoint(point)) throw fail('a meter manifest has a Modbus point', 'give every point a di (and a field for CJ/T 188 records)', `point ${point.id}`);
      this.#checkPoint(point, fail);
      return point;
    });
  }

  /** Read every point. Never rejects: failures are reported per point. */
  async readAll(): Promise<Record<string, PointReading>> {
    const readings: Record<string, PointReading> = {};
    const byDi = new Map<string, MeterPoint[]>();
    for (const point of this.#points) {
      const di = point.di.toUpperCase();
      const group = byDi.get(di);
      if (group === undefined) byDi.set(di, [point]);
      else group.push(point);
    }
    for (const [di, points] of byDi) {
      try {
        await this.#readDi(di, points, readings);
      } catch (error) {
        const failure = asError(error);
        for (const point of points) readings[point.id] = { ok: false, error: failure };
      }
    }
    return readings;
  }

  async #readDi(di: string, points: MeterPoint[], readings: Record<string, PointReading>): Promise<void> {
    const client = this.#client;
    if (client instanceof Dlt645Client) {
      const reading = await client.read(this.address, di);
      for (const point of points) readings[point.id] = this.#checked(point, reading.value, point.unit ?? reading.unit);
      return;
    }
    const reading = await client.readData(this.address, { di, meterType: this.#meterType });
    for (const point of points) {
      const field = reading.record === undefined ? undefined : recordFieldValue(reading.record, point.field ?? 'cumulative_flow');
      readings[point.id] = field === undefined
        ? { ok: false, error: new MeterDeviceConfigError(this.manifest.id, `the reply to DI ${di} has no field ${point.field ?? 'cumulative_flow'}`, 'check the point\'s field name', `point ${point.id}`) }
        : this.#checked(point, field.value, point.unit ?? field.unit);
    }
  }

  #checked(point: MeterPoint, value: number | boolean, unit: string | undefined): PointReading {
    return pointReading(point, value, `meter ${this.address} point ${point.id}`, unit);
  }

  #checkPoint(point: MeterPoint, fail: (message: string, fix: string, where?: string) => MeterDeviceConfigError): void {
    const where = `point ${point.id}`;
    const protocol = this.manifest.protocol;
    if (protocol === 'cjt188') {
      if (!/^[0-9a-fA-F]{4}$/.test(point.di)) throw fail(`DI ${point.di} is not 4 hex digits`, 'CJ/T 188 points read DI 901F', where);
      if (point.di.toUpperCase() !== '901F') throw fail(`DI ${point.di} has no decoder`, 'CJ/T 188 points read DI 901F with a field', where);
      const fields = [...recordFieldNames(this.#meterType), 'valve_open'];
      if (point.field !== undefined && !fields.includes(point.field)) {
        throw fail(`field ${point.field} is not in the 901F record`, `use one of ${fields.join(', ')}`, where);
      }
      return;
    }
    const digits = protocol === 'dlt645-2007' ? 8 : 4;
    const entry = lookupDataId(point.di);
    if (point.di.length !== digits || entry === undefined) {
      throw fail(`DI ${point.di} is not a known ${protocol} data identifier`,
        `use a ${digits}-digit DI from the built-in table (e.g. ${digits === 8 ? '00010000' : '9010'})`, where);
    }
  }
}

function asError(error: unknown): Error & { code?: string } {
  return error instanceof Error ? error : new AxonError('METER_UNKNOWN', String(error));
}
