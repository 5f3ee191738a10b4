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
import { isUuid, nameUuid } from './identity.js';
import { PayloadCodec } from './payload-codec.js';
import type { DeviceConfig, GatewayLocation, NamedId, NetworkConfig } from './registry.js';

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
  if (root.gateways !== undefined) network.gatewayLocations = gatewayLocations(root.gateways);
  const tenant = root.tenant === undefined ? undefined : namedId(root.tenant, '$.tenant', 'tenant');
  const apps = new Map<string, Application>();
  const applications = root.applications === undefined ? {} : object(root.applications, '$.applications');
  for (const [name, app] of Object.entries(applications)) apps.set(name, application(object(app, `$.applications.${name}`), `$.applications.${name}`, options.baseDir));
  if (!Array.isArray(root.devices)) throw new RegistryFileError('$.devices', 'devices must be an array', 'list the devices, e.g. [{"devEui": "…", "joinEui": "…", "appKey": "…"}]');
  const devices = root.devices.map((entry, i) => device(entry, `$.devices[${i}]`, apps, tenant, options));
  return { network, devices };
}

/** What an application entry gives its devices: ChirpStack identity, the channel table and the device profile's codec. */
interface Application {
  applicationId?: string;
  deviceProfile?: NamedId;
  tags?: Record<string, string>;
  channels?: ChannelTable;
  codec?: PayloadCodec;
}

function application(app: Json, where: string, baseDir: string | undefined): Application {
  const out: Application = {};
  if (app.id !== undefined) {
    if (typeof app.id !== 'string' || !isUuid(app.id)) throw new RegistryFileError(`${where}.id`, `${JSON.stringify(app.id)} is not a UUID`, 'give the ChirpStack application ID (a UUID), or leave it out for one derived from the name');
    out.applicationId = app.id.toLowerCase();
  }
  if (app.deviceProfile !== undefined) out.deviceProfile = namedId(app.deviceProfile, `${where}.deviceProfile`, 'device-profile');
  if (app.tags !== undefined) out.tags = tags(app.tags, `${where}.tags`);
  if (app.channels !== undefined) out.channels = channelTable(app.channels, `${where}.channels`, baseDir);
  if (app.codec !== undefined) out.codec = codecFile(app.codec, `${where}.codec`, baseDir);
  return out;
}

/** `{"name", "id"?}`; without an id, a name-based UUID of `kind` (identity.ts). */
function namedId(value: unknown, where: string, kind: 'tenant' | 'device-profile'): NamedId {
  const o = object(value, where);
  if (typeof o.name !== 'string' || o.name === '') throw new RegistryFileError(`${where}.name`, 'missing', 'give a name');
  if (o.id !== undefined && (typeof o.id !== 'string' || !isUuid(o.id))) throw new RegistryFileError(`${where}.id`, `${JSON.stringify(o.id)} is not a UUID`, 'give a UUID, or leave it out for one derived from the name');
  return { id: typeof o.id === 'string' ? o.id.toLowerCase() : nameUuid(kind, o.name), name: o.name };
}

function tags(value: unknown, where: string): Record<string, string> {
  const o = object(value, where);
  for (const [k, v] of Object.entries(o)) if (typeof v !== 'string') throw new RegistryFileError(`${where}.${k}`, 'tag values are strings', `write "${k}": "${String(v)}"`);
  return o as Record<string, string>;
}

function gatewayLocations(value: unknown): Record<string, GatewayLocation> {
  const out: Record<string, GatewayLocation> = {};
  for (const [id, entry] of Object.entries(object(value, '$.gateways'))) {
    const where = `$.gateways.${id}`;
    const g = object(entry, where);
    const coordinate = (key: 'latitude' | 'longitude' | 'altitude', limit: number): number => {
      const v = g[key] ?? 0;
      if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > limit) throw new RegistryFileError(`${where}.${key}`, `${JSON.stringify(v)} is not a ${key}`, `give degrees (altitude in metres) within ±${limit}`);
      return v;
    };
    out[id.toLowerCase()] = { latitude: coordinate('latitude', 90), longitude: coordinate('longitude', 180), altitude: coordinate('altitude', 100_000) };
  }
  return out;
}

function codecFile(value: unknown, where: string, baseDir: string | undefined): PayloadCodec {
  if (typeof value !== 'string') throw new RegistryFileError(where, 'must be the file name of a codec', 'write `axon codec --site <site> --out codec.js` and give "codec.js"');
  const file = path.resolve(baseDir ?? '.', value);
  try {
    return new PayloadCodec(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RegistryFileError(where, `cannot load codec ${file}: ${(error as Error).message}`, 'give a codec written by `axon codec` (a JavaScript file defining decodeUplink and encodeDownlink)');
  }
}

function device(entry: unknown, where: string, apps: ReadonlyMap<string, Application>, tenant: NamedId | undefined, options: ParseRegistryOptions): DeviceConfig {
  const d = object(entry, where);
  const devEui = bytes(d.devEui, `${where}.devEui`, 8);
  const application = d.application ?? options.defaultApplication;
  if (typeof application !== 'string' || !/^[^/+#]+$/.test(application)) {
    throw new RegistryFileError(`${where}.application`, `application ${JSON.stringify(application)} is not a usable name`, "use letters, digits, '-' or '_' (it becomes an MQTT topic level)");
  }
  const name = typeof d.name === 'string' ? d.name : `device-${Buffer.from(devEui).toString('hex')}`;
  const app = apps.get(application) ?? {};
  const channels = d.channels === undefined ? app.channels : channelTable(d.channels, `${where}.channels`, options.baseDir);
  const deviceTags = { ...(app.tags ?? {}), ...(d.tags === undefined ? {} : tags(d.tags, `${where}.tags`)) };
  const common = {
    name, application, devEui,
    ...(channels === undefined ? {} : { channels }),
    ...(app.codec === undefined ? {} : { codec: app.codec }),
    ...(app.applicationId === undefined ? {} : { applicationId: app.applicationId }),
    ...(app.deviceProfile === undefined ? {} : { deviceProfile: app.deviceProfile }),
    ...(tenant === undefined ? {} : { tenant }),
    tags: deviceTags,
  };
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
