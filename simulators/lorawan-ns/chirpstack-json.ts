/**
 * ChirpStack v4's MQTT integration, exactly: the topic and JSON body of each
 * network-server event, and the parsing of `command/down` requests, so an
 * application written against the simulator runs unchanged against a real
 * ChirpStack. Bodies are integration.proto's messages (UplinkEvent, JoinEvent,
 * AckEvent, TxAckEvent, StatusEvent, LogEvent) in the protobuf JSON mapping as
 * ChirpStack writes it (pbjson): camelCase names, enums as their names,
 * bytes as base64, Timestamps as RFC 3339 UTC, Durations as "1s", and every
 * scalar field of the integration messages present even at its default; the
 * nested gw/common messages (rxInfo, txInfo, location) leave defaults out.
 * Topics are application/<applicationId>/device/<devEui>/event/<event>.
 * Keys and session state never appear.
 */
import type { NsEvent } from './events.js';
import { isUuid, nameUuid } from './identity.js';
import type { DeviceConfig, DeviceState, GatewayLocation, NamedId, NetworkConfig } from './registry.js';
import type { TxWindow, UplinkRxInfo } from './types.js';

export const COMMAND_DOWN_FILTER = 'application/+/device/+/command/down';

export interface MqttMessage {
  topic: string;
  body: Record<string, unknown>;
}

/** integration.proto's LogCode names; the simulator's own codes map onto them (the original goes in context.axon_code). */
const LOG_CODES: Record<string, string> = {
  UPLINK_CODEC: 'UPLINK_CODEC',
  DOWNLINK_CODEC: 'DOWNLINK_CODEC',
  DOWNLINK_GATEWAY: 'DOWNLINK_GATEWAY',
  UPLINK_MIC: 'UPLINK_MIC',
  UPLINK_REPLAY: 'UPLINK_F_CNT_RESET',
  JOIN_DEVNONCE: 'OTAA',
  DOWNLINK_TOO_LARGE: 'DOWNLINK_PAYLOAD_SIZE',
};

/** The ChirpStack identity of a device: defaults for what the registry left out. */
export function deviceIdentity(config: DeviceConfig): { applicationId: string; tenant: NamedId; deviceProfile: NamedId; tags: Record<string, string> } {
  const tenant = config.tenant ?? { id: nameUuid('tenant', 'axon'), name: 'axon' };
  const profileName = `${config.application} (Axon codec)`;
  return {
    applicationId: config.applicationId ?? nameUuid('application', config.application),
    tenant,
    deviceProfile: config.deviceProfile ?? { id: nameUuid('device-profile', profileName), name: profileName },
    tags: config.tags ?? {},
  };
}

export function eventTopic(applicationId: string, devEui: string, event: string): string {
  if (!isUuid(applicationId)) throw new RangeError(`application ID "${applicationId}" is not a UUID (ChirpStack v4 topics carry the application's UUID)`);
  return `application/${applicationId}/device/${devEui}/event/${event}`;
}

/** google.protobuf.Timestamp in JSON: RFC 3339 in UTC with "Z", fractional digits only when there is a fraction. */
export function protoTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function deviceInfo(device: DeviceState): Record<string, unknown> {
  const id = deviceIdentity(device.config);
  return {
    tenantId: id.tenant.id,
    tenantName: id.tenant.name,
    applicationId: id.applicationId,
    applicationName: device.config.application,
    deviceProfileId: id.deviceProfile.id,
    deviceProfileName: id.deviceProfile.name,
    deviceName: device.config.name,
    devEui: device.devEuiHex,
    deviceClassEnabled: 'CLASS_A',
    tags: { ...id.tags },
  };
}

/** The message for an event, or undefined when the event belongs to no device (e.g. an unknown DevAddr). */
export function toChirpStack(event: NsEvent, network: Pick<NetworkConfig, 'region' | 'gatewayLocations'>): MqttMessage | undefined {
  if (event.device === undefined) return undefined;
  const gatewayLocations = network.gatewayLocations ?? {};
  // ChirpStack's region configurations are named like "eu868" in its default set.
  const regionConfigId = network.region.toLowerCase();
  const device = event.device;
  const topic = (name: string) => eventTopic(deviceIdentity(device.config).applicationId, device.devEuiHex, name);
  const time = protoTimestamp(event.timeMs);
  switch (event.type) {
    case 'up': {
      const body: Record<string, unknown> = {
        deduplicationId: event.deduplicationId,
        time,
        deviceInfo: deviceInfo(device),
        devAddr: devAddrText(event.devAddr),
        adr: event.adr,
        dr: event.dataRate ?? 0,
        fCnt: event.fCnt,
        fPort: event.fPort ?? 0,
        confirmed: event.confirmed,
        data: Buffer.from(event.payload).toString('base64'),
        ...(event.object === undefined ? {} : { object: event.object }),
        rxInfo: [rxInfo(event.rx, event.uplinkId, event.timeMs, gatewayLocations[event.rx.gatewayId])],
        txInfo: { frequency: event.rx.frequency, modulation: lora(event.rx.sf, event.rx.bw, event.rx.codeRate) },
        regionConfigId,
      };
      return { topic: topic('up'), body };
    }
    case 'join':
      return { topic: topic('join'), body: { deduplicationId: event.deduplicationId, time, deviceInfo: deviceInfo(device), devAddr: devAddrText(event.devAddr), regionConfigId } };
    case 'ack':
      return { topic: topic('ack'), body: { deduplicationId: event.deduplicationId, time, deviceInfo: deviceInfo(device), queueItemId: event.queueItemId, acknowledged: event.acknowledged, fCntDown: event.fCntDown } };
    case 'txack':
      return {
        topic: topic('txack'),
        body: { downlinkId: event.downlinkId, time, deviceInfo: deviceInfo(device), queueItemId: event.queueItemId, fCntDown: event.fCntDown ?? 0, gatewayId: event.gatewayId, txInfo: downlinkTxInfo(event.window) },
      };
    case 'status': {
      const external = event.battery === 0;
      const unavailable = event.battery === 255;
      const level = external || unavailable ? 0 : Math.round((event.battery / 254) * 1000) / 10;
      return { topic: topic('status'), body: { deduplicationId: event.deduplicationId, time, deviceInfo: deviceInfo(device), margin: event.margin, externalPowerSource: external, batteryLevelUnavailable: unavailable, batteryLevel: level } };
    }
    case 'log': {
      const code = LOG_CODES[event.code] ?? 'UNKNOWN';
      const context = code === event.code ? { ...event.context } : { ...event.context, axon_code: event.code };
      return { topic: topic('log'), body: { time, deviceInfo: deviceInfo(device), level: event.level, code, description: event.description, context } };
    }
    default:
      return undefined;
  }
}

function devAddrText(devAddr: number): string {
  return devAddr.toString(16).padStart(8, '0');
}

/** gw.UplinkRxInfo: defaults (0, "", empty) left out, as ChirpStack's JSON does for gw messages. */
function rxInfo(rx: UplinkRxInfo, uplinkId: number, nsTimeMs: number, location: GatewayLocation | undefined): Record<string, unknown> {
  const info: Record<string, unknown> = { gatewayId: rx.gatewayId, uplinkId };
  if (rx.time !== undefined) info.gwTime = protoTimestamp(Date.parse(rx.time));
  info.nsTime = protoTimestamp(nsTimeMs);
  if (rx.rssi !== 0) info.rssi = rx.rssi;
  if (rx.snr !== 0) info.snr = rx.snr;
  if (rx.channel !== undefined && rx.channel !== 0) info.channel = rx.channel;
  if (rx.rfChain !== undefined && rx.rfChain !== 0) info.rfChain = rx.rfChain;
  // ChirpStack sets every rxInfo's location from the gateway's record (zero fields omitted).
  const where: Record<string, number> = {};
  for (const key of ['latitude', 'longitude', 'altitude'] as const) if ((location?.[key] ?? 0) !== 0) where[key] = location?.[key] as number;
  info.location = where;
  info.context = Buffer.from(uint32(rx.tmst)).toString('base64');
  info.crcStatus = 'CRC_OK';
  return info;
}

/** gw.DownlinkTxInfo of the window used: delay timing relative to the uplink, the concentrator counter as context. */
function downlinkTxInfo(window: TxWindow): Record<string, unknown> {
  const modulation = lora(window.sf, window.bw);
  (modulation.lora as Record<string, unknown>).polarizationInversion = true;
  return {
    frequency: window.frequency,
    power: window.powerDbm,
    modulation,
    timing: { delay: { delay: `${Math.round(window.delayMs / 1000)}s` } },
    context: Buffer.from(uint32(window.tmst)).toString('base64'),
  };
}

function lora(sf: number, bw: number, codeRate = '4/5'): Record<string, unknown> {
  return { lora: { bandwidth: bw * 1000, spreadingFactor: sf, codeRate: `CR_${codeRate.replace('/', '_')}` } };
}

/** The concentrator timestamp (Semtech `tmst`) as the 4 context bytes ChirpStack's gateway bridge gives. */
function uint32(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** integration.DownlinkCommand: `data` (bytes) or `object` (for the device profile's codec). */
export interface DownCommand {
  applicationId: string;
  devEui: string;
  /** UUID: the queue item's ID (a new one when the command gave none). */
  id?: string;
  fPort: number;
  confirmed: boolean;
  data?: Uint8Array;
  object?: Record<string, unknown>;
}

/** The same field under its JSON (lowerCamel) or proto (snake_case) name, as ChirpStack's parser accepts both. */
function field(body: Record<string, unknown>, camel: string, snake: string): unknown {
  return body[camel] ?? body[snake];
}

/**
 * Parse `application/<applicationId>/device/<devEui>/command/down` with a
 * DownlinkCommand body {devEui, confirmed, fPort, data | object, id?};
 * throws RangeError saying what is wrong (ChirpStack refuses the same).
 */
export function parseDownCommand(topic: string, payload: Uint8Array): DownCommand {
  const match = /^application\/([^/]+)\/device\/([0-9A-Fa-f]{16})\/command\/down$/.exec(topic);
  if (match === null) throw new RangeError(`topic ${topic} is not application/<application ID>/device/<16 hex digit DevEUI>/command/down`);
  if (!isUuid(match[1])) throw new RangeError(`"${match[1]}" in ${topic} is not an application ID: ChirpStack v4 topics carry the application's UUID (deviceInfo.applicationId of its events)`);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new RangeError('command/down body is not JSON; send {"devEui": "<DevEUI>", "confirmed": false, "fPort": 10, "data": "<base64>"} or {"devEui": …, "object": {…}}');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RangeError('command/down body must be a JSON object');
  const b = body as Record<string, unknown>;
  const devEui = field(b, 'devEui', 'dev_eui');
  if (typeof devEui !== 'string' || devEui.toLowerCase() !== match[2].toLowerCase()) {
    throw new RangeError(`Payload dev_eui ${JSON.stringify(devEui ?? '')} does not match topic dev_eui ${match[2]} (ChirpStack requires "devEui" in the body)`);
  }
  const fPortValue = field(b, 'fPort', 'f_port') ?? 0;
  const object = b.object;
  const data = b.data;
  if (typeof fPortValue !== 'number' || !Number.isInteger(fPortValue) || fPortValue < 0 || fPortValue > 223) throw new RangeError(`fPort must be an integer 1–223, got ${JSON.stringify(fPortValue)}`);
  if (object === undefined && fPortValue === 0) throw new RangeError('fPort must be 1–223 for a data downlink (0 carries MAC commands)');
  const confirmed = b.confirmed ?? false;
  if (typeof confirmed !== 'boolean') throw new RangeError('confirmed must be true or false');
  const command: DownCommand = { applicationId: match[1].toLowerCase(), devEui: match[2].toLowerCase(), fPort: fPortValue, confirmed };
  const id = b.id;
  if (id !== undefined && id !== '') {
    if (typeof id !== 'string' || !isUuid(id)) throw new RangeError(`id ${JSON.stringify(id)} is not a UUID (leave it out for a new one)`);
    command.id = id.toLowerCase();
  }
  if (object !== undefined && object !== null) {
    if (typeof object !== 'object' || Array.isArray(object)) throw new RangeError('object must be a JSON object (the codec\'s encodeDownlink data)');
    command.object = object as Record<string, unknown>;
    return command;
  }
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new RangeError('data must be a base64 string (or send "object" for the codec)');
  command.data = new Uint8Array(Buffer.from(data, 'base64'));
  return command;
}
