/**
 * `npm start -- --broker <url>`: everything published on the demo's embedded
 * broker (the gateway's MQTT uplinks, the network server's ChirpStack-style
 * events, the ack service's downlinks, statuses) is published again, same topic,
 * QoS and retain flag, on an external broker, so a dashboard, Node-RED or
 * `axon decode uplink --follow` elsewhere sees the demo live. One way only: the
 * external broker cannot command the demo gateway.
 */
import type { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { shownUrl } from '../mqtt/shown-url.js';

export interface BrokerMirror {
  /** The external broker's URL with any password hidden, for the screen. */
  shownUrl: string;
  /** Messages published on the external broker (PUBACK received for QoS 1). */
  readonly published: number;
  readonly failed: number;
  close(): Promise<void>;
}


/** Connect to `url` (fails if the broker does not answer within `timeoutMs`) and mirror `broker` onto it. */
export async function mirrorBroker(broker: Aedes, url: string, timeoutMs = 30_000): Promise<BrokerMirror> {
  const shown = shownUrl(url);
  let client: mqtt.MqttClient;
  try {
    client = await mqtt.connectAsync(url, { clientId: `axon-demo-mirror-${process.pid}`, clean: true, connectTimeout: timeoutMs, reconnectPeriod: 2000 });
  } catch (error) {
    throw new Error(`--broker ${shown}: cannot connect (${(error as Error).message}); check the address and that the broker runs, credentials go in the URL as mqtt://user:password@host:port`);
  }
  const counts = { published: 0, failed: 0 };
  client.on('error', () => undefined); // counted per publish; reconnects by itself
  const onPublish = (packet: { topic: string; payload: Buffer | string; qos: 0 | 1 | 2; retain: boolean }, from: unknown) => {
    // Broker-internal messages ($SYS, will handling) have no client.
    if (from === null || from === undefined || packet.topic.startsWith('$')) return;
    client.publish(packet.topic, packet.payload, { qos: packet.qos, retain: packet.retain }, (error) => {
      if (error === undefined || error === null) counts.published++;
      else counts.failed++;
    });
  };
  broker.on('publish', onPublish);
  return {
    shownUrl: shown,
    get published() {
      return counts.published;
    },
    get failed() {
      return counts.failed;
    },
    async close() {
      broker.off('publish', onPublish);
      await client.endAsync();
    },
  };
}
