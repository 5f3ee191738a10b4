/**
 * ChirpStack-style MQTT integration messages: the topic and JSON body of each
 * network-server event, and the parsing of `command/down` requests. Field
 * names follow ChirpStack v4's JSON (deviceInfo, rxInfo[], txInfo with
 * modulation.lora, base64 `data`, decoded `object`), plus a top-level
 * `devEUI` that older integrations read. Keys and session state never appear.
 */
import type { NsEvent } from './events.js';
import type { UplinkRxInfo } from './types.js';

export const COMMAND_DOWN_FILTER = 'application/+/device/+/command/down';

export interface MqttMessage {
  topic: string;
  body: Record<string, unknown>;
}

const TOPIC_LEVEL = /^[^/+#]+$/;

export function eventTopic(application: string, devEui: string, event: string): string {
  if (!TOPIC_LEVEL.test(application)) throw new RangeError(`application name "${application}" must not contain '/', '+' or '#' (it is an MQTT topic level)`);
  return `application/${application}/device/${devEui}/event/${event}`;
}

/** The message for an event, or undefined when the event belongs to no device (e.g. an unknown DevAddr). */
export function toChirpStack(event: NsEvent): MqttMessage | undefined {
  if (event.device === undefined) return undefined;
  const config = event.device.config;
  const devEui = event.device.devEuiHex;
  const base = {
    time: new Date(event.timeMs).toISOString(),
    devEUI: devEui,
    deviceInfo: { applicationName: config.application, deviceName: config.name, devEui },
  };
  const topic = (name: string) => eventTopic(config.application, devEui, name);
  switch (event.type) {
    case 'up': {
      const body: Record<string, unknown> = {
        ...base,
        devAddr: devAddrText(event.devAddr),
        adr: event.adr,
        dr: event.dataRate,
        fCnt: event.fCnt,
        fPort: event.fPort,
        confirmed: event.confirmed,
        data: Buffer.from(event.payload).toString('base64'),
        rxInfo: [rxInfo(event.rx)],
        txInfo: txInfo(event.rx),
      };
      if (event.decoded !== undefined) body.object = event.decoded;
      if (event.decodeError !== undefined) body.objectError = event.decodeError;
      return { topic: topic('up'), body };
    }
    case 'join':
      return { topic: topic('join'), body: { ...base, devAddr: devAddrText(event.devAddr), rxInfo: [rxInfo(event.rx)], txInfo: txInfo(event.rx) } };
    case 'ack':
      return { topic: topic('ack'), body: { ...base, queueItemId: event.queueItemId, acknowledged: event.acknowledged, fCntDown: event.fCntDown } };
    case 'txack': {
      const body: Record<string, unknown> = { ...base, gatewayId: event.gatewayId, fCntDown: event.fCntDown, sent: event.window !== undefined };
      if (event.window !== undefined) body.txInfo = { window: event.window.window, frequency: event.window.frequency, power: event.window.powerDbm, modulation: lora(event.window.sf, event.window.bw) };
      if (event.errors.length > 0) body.errors = event.errors;
      return { topic: topic('txack'), body };
    }
    case 'status':
      return { topic: topic('status'), body: { ...base, margin: event.margin, externalPowerSource: event.battery === 0, batteryLevelUnavailable: event.battery === 255, batteryLevel: event.battery > 0 && event.battery < 255 ? Math.round((event.battery / 254) * 1000) / 10 : undefined } };
    case 'log':
      return { topic: topic('log'), body: { ...base, level: event.level, code: event.code, description: event.description } };
    default:
      return undefined;
  }
}

function devAddrText(devAddr: number): string {
  return devAddr.toString(16).padStart(8, '0');
}

function rxInfo(rx: UplinkRxInfo): Record<string, unknown> {
  const info: Record<string, unknown> = { gatewayId: rx.gatewayId, rssi: rx.rssi, snr: rx.snr, context: Buffer.from(uint32(rx.tmst)).toString('base64') };
  if (rx.channel !== undefined) info.channel = rx.channel;
  if (rx.rfChain !== undefined) info.rfChain = rx.rfChain;
  if (rx.time !== undefined) info.gwTime = rx.time;
  return info;
}

function txInfo(rx: UplinkRxInfo): Record<string, unknown> {
  return { frequency: rx.frequency, modulation: lora(rx.sf, rx.bw, rx.codeRate) };
}

function lora(sf: number, bw: number, codeRate = '4/5'): Record<string, unknown> {
  return { lora: { bandwidth: bw * 1000, spreadingFactor: sf, codeRate: `CR_${codeRate.replace('/', '_')}` } };
}

/** ChirpStack puts the gateway's context (here the concentrator timestamp) in rxInfo.context. */
function uint32(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export interface DownCommand {
  application: string;
  devEui: string;
  fPort: number;
  data: Uint8Array;
  confirmed: boolean;
  id?: string;
}

/** Parse `application/<app>/device/<devEUI>/command/down` with {fPort, data (base64), confirmed}; throws RangeError saying what is wrong. */
export function parseDownCommand(topic: string, payload: Uint8Array): DownCommand {
  const match = /^application\/([^/]+)\/device\/([0-9A-Fa-f]{16})\/command\/down$/.exec(topic);
  if (match === null) throw new RangeError(`topic ${topic} is not application/<app>/device/<16 hex digit DevEUI>/command/down`);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new RangeError('command/down body is not JSON; send {"fPort": 10, "data": "<base64>", "confirmed": false}');
  }
  if (typeof body !== 'object' || body === null) throw new RangeError('command/down body must be a JSON object');
  const { fPort, data, confirmed, id } = body as Record<string, unknown>;
  if (typeof fPort !== 'number' || !Number.isInteger(fPort) || fPort < 1 || fPort > 223) throw new RangeError(`fPort must be an integer 1–223, got ${JSON.stringify(fPort)}`);
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw new RangeError('data must be a base64 string');
  if (confirmed !== undefined && typeof confirmed !== 'boolean') throw new RangeError('confirmed must be true or false');
  const command: DownCommand = { application: match[1], devEui: match[2].toLowerCase(), fPort, data: new Uint8Array(Buffer.from(data, 'base64')), confirmed: confirmed === true };
  if (typeof id === 'string' && id !== '') command.id = id;
  return command;
}

