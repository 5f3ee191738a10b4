/**
 * "The cloud" of the demo: an MQTT subscriber on the embedded broker that
 * decodes every uplink with sdk/codec, exactly as a platform would, so the
 * live view shows what arrived rather than what the gateway meant to send.
 */
import mqtt from 'mqtt';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import type { DecodedAlert } from '../../../drivers/batch/alert.js';
import { decodeUplink } from '../../../sdk/codec/decode-uplink.js';
import { topicScheme } from '../mqtt/topics.js';

export interface CloudView {
  messages: number;
  bytes: number;
  readings: number;
  frames: number;
  alerts: DecodedAlert[];
  lastStatus?: { t: number; dropped: number; queued: number };
  decodeErrors: number;
  close(): Promise<void>;
}

export async function startCloud(url: string, gatewayId: string, table: ChannelTable): Promise<CloudView> {
  const topics = topicScheme('axon', gatewayId);
  const client = await mqtt.connectAsync(url, { clientId: `axon-demo-cloud-${process.pid}`, clean: true });
  const view: CloudView = {
    messages: 0,
    bytes: 0,
    readings: 0,
    frames: 0,
    alerts: [],
    decodeErrors: 0,
    close: () => client.endAsync(true),
  };
  client.on('message', (_topic, payload) => {
    view.messages++;
    view.bytes += payload.length;
    try {
      const decoded = decodeUplink(new Uint8Array(payload), table);
      if (decoded.type === 'batch') {
        view.frames++;
        view.readings += decoded.readings.length;
      } else if (decoded.type === 'alert') view.alerts.push(decoded.alert);
      else view.lastStatus = decoded.status;
    } catch {
      view.decodeErrors++;
    }
  });
  await client.subscribeAsync(topics.upFilter, { qos: 1 });
  return view;
}
