/**
 * The device registry file of `axon ns sim --devices <file>` (format in
 * docs/ns-sim.md): network settings, applications with their channel tables,
 * and OTAA or ABP devices with hex keys. Every mistake is reported with its
 * JSON path, because the file is written by hand.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromHex } from '../../drivers/bytes.js';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import { isChannelTable } from '../../drivers/gateway/site-channels.js';
import { AxonError } from '../../drivers/errors.js';
import { REGION_NAMES } from '../../drivers/lorawan/regions/index.js';
import type { RegionName } from '../../drivers/lorawan/regions/types.js';
import type { DeviceConfig, NetworkConfig } from './registry.js';

export class RegistryFileError extends AxonError {
  constructor(where: string, message: string, fix: string) {
    super('NS_REGISTRY', message, { where, fix });
  }
}

export interface ParsedRegistry {
  network: NetworkConfig;
  devices: DeviceConfig[];
}

export interface ParseRegistryOptions {
  /** Application of devices that name none (the CLI's --app). */
  defaultApplication: string;
  /** Channel-table file names are relative to this directory. */
  baseDir?: string;
}

type Json = Record<string, unknown>;

export function loadRegistryFile(file: string, options: Omit<ParseRegistryOptions, 'baseDir'>): ParsedRegistry {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RegistryFileError(file, `cannot read the device registry: ${(error as Error).message}`, 'give a JSON file as described in docs/ns-sim.md');
  }
  return parseRegistry(json, { ...options, baseDir: path.dirname(file) });
}

export function parseRegistry(json: unknown, options: ParseRegistryOptions): ParsedRegistry {
  const root = object(json, '$');
  const region = root.region ?? 'EU868';
  if (typeof region !== 'string' || !(REGION_NAMES as readonly string[]).includes(region)) {
    throw new RegistryFileError('$.region', `region ${JSON.stringify(region)} is not supported`, `use one of ${REGION_NAMES.join(', ')}`);
  }
  const network: NetworkConfig = {
    region: region as RegionName,
    netId: root.netId === undefined ? 0 : hexNumber(root.netId, '$.netId', 3),
    rx1DelayS: integer(root.rx1Delay ?? 1, '$.rx1Delay', 1, 15),
    rx1DrOffset: integer(root.rx1DrOffset ?? 0, '$.rx1DrOffset', 0, 7),
  };
  const tables = new Map<string, ChannelTable>();
  const applications = root.applications === undefined ? {} : object(root.applications, '$.applications');
  for (const [name, app] of Object.entries(applications)) {
    const channels = object(app, `$.applications.${name}`).channels;
    if (channels !== undefined) tables.set(name, channelTable(channels, `$.applications.${name}.channels`, options.baseDir));
  }
  if (!Array.isArray(root.devices)) throw new RegistryFileError('$.devices', 'devices must be an array', 'list the devices, e.g. [{"devEui": "…", "joinEui": "…", "appKey": "…"}]');
  const devices = root.devices.map((entry, i) => device(entry, `$.devices[${i}]`, tables, options));
  return { network, devices };
}

function device(entry: unknown, where: string, tables: ReadonlyMap<string, ChannelTable>, options: ParseRegistryOptions): DeviceConfig {
  const d = object(entry, where);
  const devEui = bytes(d.devEui, `${where}.devEui`, 8);
  const application = d.application ?? options.defaultApplication;
  if (typeof application !== 'string' || !/^[^/+#]+$/.test(application)) {
    throw new RegistryFileError(`${where}.application`, `application ${JSON.stringify(application)} is not a usable name`, "use letters, digits, '-' or '_' (it becomes an MQTT topic level)");
  }
  const name = typeof d.name === 'string' ? d.name : `device-${Buffer.from(devEui).toString('hex')}`;
  const channels = d.channels === undefined ? tables.get(application) : channelTable(d.channels, `${where}.channels`, options.baseDir);
  const common = { name, application, devEui, ...(channels === undefined ? {} : { channels }) };
  if (d.appKey !== undefined) {
    return { ...common, activation: 'otaa', joinEui: bytes(d.joinEui ?? '0000000000000000', `${where}.joinEui`, 8), appKey: bytes(d.appKey, `${where}.appKey`, 16) };
  }
  if (d.devAddr !== undefined) {
    const abp: DeviceConfig = {
      ...common,
      activation: 'abp',
      devAddr: hexNumber(d.devAddr, `${where}.devAddr`, 4),
      keys: { nwkSKey: bytes(d.nwkSKey, `${where}.nwkSKey`, 16), appSKey: bytes(d.appSKey, `${where}.appSKey`, 16) },
    };
    if (d.lastFCntUp !== undefined) abp.lastFCntUp = integer(d.lastFCntUp, `${where}.lastFCntUp`, 0, 0xffffffff);
    if (d.fCntDown !== undefined) abp.fCntDown = integer(d.fCntDown, `${where}.fCntDown`, 0, 0xffffffff);
    return abp;
  }
  throw new RegistryFileError(where, 'a device needs OTAA keys (appKey, joinEui) or ABP keys (devAddr, nwkSKey, appSKey)', 'add "appKey" for OTAA or "devAddr", "nwkSKey" and "appSKey" for ABP');
}

function channelTable(value: unknown, where: string, baseDir: string | undefined): ChannelTable {
  let table = value;
  if (typeof value === 'string') {
    const file = path.resolve(baseDir ?? '.', value);
    try {
      table = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new RegistryFileError(where, `cannot read channel table ${file}: ${(error as Error).message}`, 'give the channel table JSON the gateway uses (docs/batch-format.md §2), inline or as a file name');
    }
  }
  if (!isChannelTable(table)) {
    throw new RegistryFileError(where, 'not a channel table ({"format": 1, "channels": [...], "rules": [...]})', 'use the table the gateway uses: `axon codec --site <site file> --channels-out <file>` writes it');
  }
  return table;
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RegistryFileError(where, 'must be a JSON object', 'see docs/ns-sim.md for the registry format');
  return value as Json;
}

function bytes(value: unknown, where: string, length: number): Uint8Array {
  if (typeof value !== 'string') throw new RegistryFileError(where, `missing; expected ${length * 2} hex digits`, `add "${where.split('.').pop()}": "${'00'.repeat(length)}"-style hex`);
  let parsed: Uint8Array;
  try {
    parsed = fromHex(value);
  } catch (error) {
    throw new RegistryFileError(where, (error as Error).message, `write ${length * 2} hex digits`);
  }
  if (parsed.length !== length) throw new RegistryFileError(where, `${parsed.length} bytes, expected ${length}`, `write ${length * 2} hex digits, most significant first`);
  return parsed;
}

function hexNumber(value: unknown, where: string, length: number): number {
  return bytes(value, where, length).reduce((n, b) => n * 256 + b, 0);
}

function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RegistryFileError(where, `${JSON.stringify(value)} is not an integer in ${min}–${max}`, `use a whole number from ${min} to ${max}`);
  }
  return value;
}
