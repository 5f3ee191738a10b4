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
  readings: number;
  frames: number;
  alerts: DecodedAlert[];
  lastStatus?: { t: number; dropped: number; queued: number };
  decodeErrors: number;
  close(): Promise<void>;
}

export type CloudSource =
  | { kind: 'gateway-mqtt'; gatewayId: string }
  /** `application` is the ChirpStack application ID (a UUID), as in the topics. */
  | { kind: 'chirpstack'; application: string };

export async function startCloud(url: string, source: CloudSource, table: ChannelTable): Promise<CloudView> {
  const client = await mqtt.connectAsync(url, { clientId: `axon-demo-cloud-${process.pid}`, clean: true });
  const view: CloudView = {
    via: source.kind === 'chirpstack' ? 'LoRaWAN network server' : 'MQTT',
    messages: 0,
    bytes: 0,
    readings: 0,
    frames: 0,
    alerts: [],
    decodeErrors: 0,
    close: () => client.endAsync(true),
  };
  client.on('message', (_topic, message) => {
    view.messages++;
    try {
      const payload = source.kind === 'chirpstack' ? chirpStackData(message) : new Uint8Array(message);
      if (payload === undefined) return; // MAC-only frames carry no application data
      view.bytes += payload.length;
      const decoded = decodeUplinkOnNode(payload, table);
      if (decoded.type === 'batch') {
        view.frames++;
        view.readings += decoded.readings.length;
      } else if (decoded.type === 'status') view.lastStatus = decoded.status;
      else view.alerts.push(...alertsIn(decoded));
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
