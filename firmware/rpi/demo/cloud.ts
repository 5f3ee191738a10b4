/**
 * "The cloud" of the demo: an MQTT subscriber on the embedded broker that
 * decodes every uplink with sdk/codec (CBOR via cbor-x), exactly as a platform would, so the
 * live view shows what arrived rather than what the gateway meant to send.
 * Two sources: the gateway's own MQTT topics (uplink kind mqtt), or the
 * network server's ChirpStack v4 `event/up` messages on
 * application/<application ID>/device/+/event/up, whose base64 `data` is the
 * application payload (uplink kind lorawan).
 */
import mqtt from 'mqtt';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import type { DecodedAlert } from '../../../drivers/batch/alert.js';
import { alertsIn } from '../../../sdk/codec/decode-uplink.js';
import { decodeUplinkOnNode } from '../../../sdk/codec/hosts/cbor-x.js';
import { topicScheme } from '../mqtt/topics.js';

export interface CloudView {
  /** Where the cloud listens: 'MQTT' or 'LoRaWAN network server'. */
  via: string;
  messages: number;
  bytes: number;
  /** Distinct readings (device, point, time) and the data frames that brought at least one new. */
  readings: number;
  frames: number;
  /** Distinct alerts (rule, state, time), in arrival order. */
  alerts: DecodedAlert[];
  /**
   * Copies of readings and alerts already received: delivery is at least once,
   * so a frame the gateway resends after a lost acknowledgement arrives twice.
   * A platform keeps one; so does this view, and it says how many it set aside.
   */
  repeatedReadings: number;
  repeatedAlerts: number;
  lastStatus?: { t: number; dropped: number; queued: number };
  decodeErrors: number;
  close(): Promise<void>;
}

export type CloudSource =
  | { kind: 'gateway-mqtt'; gatewayId: string }
  /** `application` is the ChirpStack application ID (a UUID), as in the topics. */
  | { kind: 'chirpstack'; application: string };

/** Keys seen lately; resends come within minutes, so the oldest keys are forgotten past `capacity`. */
class RecentKeys {
  readonly #keys = new Set<string>();
  constructor(readonly capacity: number) {}
  /** True when `key` is new. */
  add(key: string): boolean {
    if (this.#keys.has(key)) return false;
    this.#keys.add(key);
    if (this.#keys.size > this.capacity) this.#keys.delete(this.#keys.values().next().value as string);
    return true;
  }
}

export async function startCloud(url: string, source: CloudSource, table: ChannelTable): Promise<CloudView> {
  const client = await mqtt.connectAsync(url, { clientId: `axon-demo-cloud-${process.pid}`, clean: true });
  const view: CloudView = {
    via: source.kind === 'chirpstack' ? 'LoRaWAN network server' : 'MQTT',
    messages: 0,
    bytes: 0,
    readings: 0,
    frames: 0,
    alerts: [],
    repeatedReadings: 0,
    repeatedAlerts: 0,
    decodeErrors: 0,
    close: () => client.endAsync(true),
  };
  const seen = new RecentKeys(50_000);
  client.on('message', (_topic, message) => {
    view.messages++;
    try {
      const payload = source.kind === 'chirpstack' ? chirpStackData(message) : new Uint8Array(message);
      if (payload === undefined) return; // MAC-only frames carry no application data
      view.bytes += payload.length;
      const decoded = decodeUplinkOnNode(payload, table);
      if (decoded.type === 'batch') {
        const fresh = decoded.readings.filter((r) => seen.add(`r ${r.device} ${r.point} ${r.t}`));
        view.repeatedReadings += decoded.readings.length - fresh.length;
        view.readings += fresh.length;
        if (fresh.length > 0) view.frames++;
      } else if (decoded.type === 'status') view.lastStatus = decoded.status;
      else {
        for (const alert of alertsIn(decoded)) {
          if (seen.add(`a ${alert.rule} ${alert.level} ${alert.state} ${alert.t}`)) view.alerts.push(alert);
          else view.repeatedAlerts++;
        }
      }
    } catch {
      view.decodeErrors++;
    }
  });
  const filter = source.kind === 'chirpstack' ? `application/${source.application}/device/+/event/up` : topicScheme('axon', source.gatewayId).upFilter;
  await client.subscribeAsync(filter, { qos: 1 });
  return view;
}

/** The application payload of a ChirpStack `event/up` body, or undefined for a frame without one. */
function chirpStackData(message: Buffer): Uint8Array | undefined {
  const body = JSON.parse(message.toString('utf8')) as { fPort?: number; data?: string };
  if (body.fPort === undefined || body.fPort === 0 || typeof body.data !== 'string') return undefined;
  return new Uint8Array(Buffer.from(body.data, 'base64'));
}
