/**
 * The whole simulator as `axon ns sim` runs it: core + Semtech UDP endpoint +
 * MQTT publisher, with an embedded aedes broker when no broker URL is given.
 * close() releases everything in the reverse order.
 */
import type { Clock } from '../../drivers/ports/clock.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../firmware/rpi/mqtt/embedded-broker.js';
import { NodeClock } from '../../firmware/rpi/ports/node-clock.js';
import type { AdrOptions } from './adr.js';
import { MqttPublisher } from './mqtt-publisher.js';
import { LoraNetworkServer, type Outage } from './network-server.js';
import { DeviceRegistry } from './registry.js';
import type { ParsedRegistry } from './registry-file.js';
import { SemtechUdpServer } from './semtech-udp.js';

export interface NsSimOptions {
  registry: ParsedRegistry;
  /** Semtech UDP port (default 1700; 0 picks a free one). */
  udpPort?: number;
  udpHost?: string;
  /** Publish to this broker; without it an embedded aedes broker is started. */
  mqttUrl?: string;
  /** Port of the embedded broker (default 0: a free one). */
  brokerPort?: number;
  clock?: Clock;
  adr?: boolean | AdrOptions;
  prefer?: 'rx1' | 'rx2';
  outages?: Outage[];
  /** Problems with no device topic (bad command/down, failed publishes). */
  onProblem?: (message: string) => void;
}

export interface RunningNsSim {
  ns: LoraNetworkServer;
  udp: SemtechUdpServer;
  mqtt: MqttPublisher;
  mqttUrl: string;
  /** Set when the simulator started its own broker. */
  broker: EmbeddedBroker | undefined;
  close(): Promise<void>;
}

export async function startNsSim(options: NsSimOptions): Promise<RunningNsSim> {
  const clock = options.clock ?? new NodeClock();
  const ns = new LoraNetworkServer({
    registry: new DeviceRegistry(options.registry.devices),
    network: options.registry.network,
    clock,
    ...(options.adr === undefined ? {} : { adr: options.adr }),
    ...(options.prefer === undefined ? {} : { prefer: options.prefer }),
    ...(options.outages === undefined ? {} : { outages: options.outages }),
  });
  const broker = options.mqttUrl === undefined ? await startEmbeddedBroker({ port: options.brokerPort ?? 0 }) : undefined;
  const mqttUrl = options.mqttUrl ?? (broker as EmbeddedBroker).url;
  let mqtt: MqttPublisher | undefined;
  try {
    mqtt = await MqttPublisher.connect(ns, { url: mqttUrl, ...(options.onProblem === undefined ? {} : { onProblem: options.onProblem }) });
    const udp = await SemtechUdpServer.start(ns, { port: options.udpPort ?? 1700, ...(options.udpHost === undefined ? {} : { host: options.udpHost }) });
    const publisher = mqtt;
    return {
      ns, udp, mqtt: publisher, mqttUrl, broker,
      async close() {
        await udp.close();
        await publisher.close();
        await broker?.close();
      },
    };
  } catch (error) {
    await mqtt?.close();
    await broker?.close();
    throw error;
  }
}
