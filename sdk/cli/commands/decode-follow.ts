/**
 * `axon decode uplink --follow <mqtt-url>`: the live form of the decoder. It
 * subscribes to the two places Axon uplinks appear on a broker — a network
 * server's ChirpStack-style `event/up` (base64 `data`) and a gateway's own MQTT
 * uplink topic (the raw payload) — and prints every reading, alert and status
 * as it arrives, one line each, until stopped. The topic filters use wildcards
 * for the application level, so the name-based topics of older `axon ns sim`
 * and ChirpStack v4's id-based ones both match.
 */
import mqtt from 'mqtt';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import { AxonError } from '../../../drivers/errors.js';
import { shownUrl } from '../../../firmware/rpi/mqtt/shown-url.js';
import { alertsIn, decodeUplink, type DecodedUplink } from '../../codec/decode-uplink.js';

/** ChirpStack (v3 and v4) uplink events: application/<app id or name>/device/<DevEUI>/event/up. */
export const CHIRPSTACK_UP_FILTER = 'application/+/device/+/event/up';

export function gatewayUpFilter(prefix: string): string {
  return `${prefix}/+/up/+`;
}

export interface FollowOptions {
  url: string;
  table: ChannelTable;
  /** Topic prefix of the gateways' own MQTT uplinks (docs/mqtt.md), default "axon". */
  prefix: string;
  json: boolean;
  out(line: string): void;
  err(line: string): void;
  /** Resolves when following should stop (Ctrl-C). */
  stop: Promise<unknown>;
  /** Give up connecting after this long (the broker is not there). */
  connectTimeoutMs?: number;
}

export interface FollowSummary {
  messages: number;
  readings: number;
  alerts: number;
  statuses: number;
  errors: number;
}

interface Message {
  /** Who sent it: the device EUI (network server) or the gateway id (MQTT uplink). */
  source: string;
  /** The application payload, or undefined for a frame without one (MAC only, FPort 0). */
  payload: Uint8Array | undefined;
}

/** The payload of a message on either topic shape; undefined when the topic is neither. */
export function messageOf(topic: string, body: Uint8Array, prefix: string): Message | undefined {
  const levels = topic.split('/');
  if (levels.length === 6 && levels[0] === 'application' && levels[2] === 'device' && levels[4] === 'event' && levels[5] === 'up') {
    const event = JSON.parse(new TextDecoder().decode(body)) as { fPort?: number; data?: string };
    const payload = event.fPort === undefined || event.fPort === 0 || typeof event.data !== 'string' ? undefined : new Uint8Array(Buffer.from(event.data, 'base64'));
    return { source: levels[3], payload };
  }
  if (levels.length === 4 && topic.startsWith(`${prefix}/`) && levels[2] === 'up') return { source: levels[1], payload: body };
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();


/** One line per reading, alert and status of a decoded message. */
export function linesOf(source: string, decoded: DecodedUplink, json: boolean): string[] {
  const line = (record: Record<string, unknown>, text: string) => (json ? JSON.stringify({ source, ...record }) : text);
  if (decoded.type === 'batch') {
    return decoded.readings.map((r) =>
      line({ type: 'reading', time: iso(r.t), device: r.device, point: r.point, value: r.value, unit: r.unit },
        `${iso(r.t)}  ${source}  ${r.device}.${r.point} = ${String(r.value)}${r.unit === '' ? '' : ' ' + r.unit}`));
  }
  if (decoded.type === 'status') {
    const { t, ...status } = decoded.status;
    return [line({ type: 'status', time: iso(t), ...status }, `${iso(t)}  ${source}  status: ${Object.entries(status).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`)];
  }
  return alertsIn(decoded).map((a) => {
    const value = a.value === undefined ? '' : ` value ${String(a.value)}`;
    const where = a.point === undefined ? a.device : `${a.device}.${a.point}`;
    return line({ type: 'alert', time: iso(a.t), rule: a.rule, device: a.device, point: a.point, level: a.level, state: a.state, value: a.value },
      `${iso(a.t)}  ${source}  ALERT ${a.state} ${a.level} ${a.rule} ${where}${value}`);
  });
}

/** Follow until `options.stop` resolves; the summary says what was seen. */
export async function followUplinks(options: FollowOptions): Promise<FollowSummary> {
  const summary: FollowSummary = { messages: 0, readings: 0, alerts: 0, statuses: 0, errors: 0 };
  const client = await connect(options);
  client.on('message', (topic, body) => {
    summary.messages++;
    let message: Message | undefined;
    try {
      message = messageOf(topic, new Uint8Array(body), options.prefix);
      if (message?.payload === undefined) return;
      const decoded = decodeUplink(message.payload, options.table);
      for (const warning of decoded.warnings) options.err(`warning: ${topic}: ${warning}`);
      if (decoded.type === 'batch') summary.readings += decoded.readings.length;
      else if (decoded.type === 'status') summary.statuses++;
      else summary.alerts += alertsIn(decoded).length;
      for (const text of linesOf(message.source, decoded, options.json)) options.out(text);
    } catch (error) {
      // Never drop a message silently: say which, and keep its bytes for `axon decode uplink <hex>`.
      summary.errors++;
      const hex = Buffer.from(message?.payload ?? body).toString('hex');
      options.err(`axon: ${topic}: cannot decode (${(error as Error).message}); payload ${hex}`);
    }
  });
  const filters = [CHIRPSTACK_UP_FILTER, gatewayUpFilter(options.prefix)];
  await client.subscribeAsync(filters, { qos: 1 });
  options.err(`following ${shownUrl(options.url)}: ${filters.join(', ')} (Ctrl-C to stop)`);
  await options.stop;
  await client.endAsync();
  return summary;
}

async function connect(options: FollowOptions): Promise<mqtt.MqttClient> {
  const timeoutMs = options.connectTimeoutMs ?? 30_000;
  const client = mqtt.connect(options.url, { clientId: `axon-decode-${process.pid}-${Date.now().toString(36)}`, clean: true, connectTimeout: timeoutMs, reconnectPeriod: 2000 });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    client.end(true);
    throw new AxonError('FOLLOW_CONNECT', `cannot subscribe at ${shownUrl(options.url)}: ${(error as Error).message}`, {
      where: shownUrl(options.url),
      fix: 'check the broker address and port (mqtt://host:1883, mqtts://host:8883) and that it runs; put credentials in the URL as mqtt://user:password@host',
    });
  }
  client.on('reconnect', () => options.err(`reconnecting to ${shownUrl(options.url)}…`));
  client.on('error', (error) => options.err(`axon: ${shownUrl(options.url)}: ${error.message}`));
  return client;
}
