/**
 * The demo's LoRaWAN path, as the demo site's uplink section describes it
 * (region, OTAA, start DR, ADR): our class A MAC behind LoraWanUplink, a
 * simulated LoRa channel in place of the air, and the network-server
 * simulator on the other side, which publishes ChirpStack v4 integration events to the
 * demo's MQTT broker. The cloud view subscribes there, as a platform behind
 * ChirpStack or TTS would.
 *
 * The cloud side answers too: the reference ack service (simulators/
 * ack-service) subscribes to the same broker and publishes the data-acks
 * that release the gateway's log (docs/app-ack.md).
 *
 * The radio world runs on the real clock: receive windows, airtime and duty
 * cycle are real seconds even when the site runs in time-lapse, so at high
 * --speed the link carries less than the sped-up site produces and the log
 * grows, as it would with a real radio.
 */
import { deviceIdentity } from '../../../simulators/lorawan-ns/chirpstack-json.js';
import { createHash } from 'node:crypto';
import type { ChannelTable } from '../../../drivers/batch/channels.js';
import { fromHex } from '../../../drivers/bytes.js';
import type { UplinkConfig } from '../../../drivers/gateway/site.js';
import { LoraWanMac, LoraWanUplink } from '../../../drivers/lorawan/mac/index.js';
import { createRegion } from '../../../drivers/lorawan/regions/index.js';
import type { Clock } from '../../../drivers/ports/clock.js';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';
import { MqttPublisher } from '../../../simulators/lorawan-ns/mqtt-publisher.js';
import { MqttAckService } from '../../../simulators/ack-service/mqtt-service.js';
import { LoraNetworkServer } from '../../../simulators/lorawan-ns/network-server.js';
import { attachToRadioGateway } from '../../../simulators/lorawan-ns/radio-gateway.js';
import { DeviceRegistry } from '../../../simulators/lorawan-ns/registry.js';
import { parseRegistry } from '../../../simulators/lorawan-ns/registry-file.js';
import { SimulatedLoraChannel } from '../../../simulators/radio/index.js';
import { NodeBlockCipher } from '../ports/node-cipher.js';

export type LoraWanUplinkConfig = Extract<UplinkConfig, { kind: 'lorawan' }>;

export interface LoraWanLinkOptions {
  config: LoraWanUplinkConfig;
  siteId: string;
  clock: Clock;
  /** The gateway's meta store: the MAC keeps its frame counters, DevNonce and session there ('lw.' keys). */
  store: KeyValueStore;
  /** The table the network decodes with (the gateway's). */
  table: ChannelTable;
  brokerUrl: string;
}

export interface LoraWanLink {
  uplink: LoraWanUplink;
  mac: LoraWanMac;
  ns: LoraNetworkServer;
  /** The ChirpStack application name (the site id). */
  application: string;
  /** Its ChirpStack application ID, the topic level of `application/<id>/device/+/event/up`. */
  applicationId: string;
  devEui: string;
  /** One line for the summary: DR, counters, retries, the network's side. */
  describe(): string;
  /** The same, short enough for a row of an 80-column live table. */
  brief(): string;
  close(): Promise<void>;
}

/** Demo keys derived from the site id: stable across runs, different per site, obviously not secret. */
function demoKeys(siteId: string): { devEui: string; joinEui: string; appKey: string } {
  const digest = createHash('sha256').update(`axon-demo:${siteId}`).digest('hex');
  return { devEui: `a0${digest.slice(0, 14)}`, joinEui: '70b3d57ed0000000', appKey: digest.slice(16, 48) };
}

export async function startLoraWanLink(options: LoraWanLinkOptions): Promise<LoraWanLink> {
  const { config, siteId, clock } = options;
  const region = createRegion(config.region);
  const keys = demoKeys(siteId);
  const application = siteId;
  const parsed = parseRegistry({
    region: config.region,
    netId: '000013',
    applications: { [application]: { channels: options.table } },
    devices: [{ name: siteId, application, ...keys }],
  }, { defaultApplication: application });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock, adr: config.adr ?? true });
  const publisher = await MqttPublisher.connect(ns, { url: options.brokerUrl });
  const applicationId = deviceIdentity(parsed.devices[0]).applicationId;
  const acks = await MqttAckService.connect({ url: options.brokerUrl, application: applicationId });
  const channel = new SimulatedLoraChannel(clock, { seed: 1 });
  const attachment = attachToRadioGateway(ns, channel.addGateway({ id: 'demo-gw' }));
  const mac = new LoraWanMac({
    region,
    radio: channel.createDeviceRadio({ id: siteId, pathLossDb: 115 }),
    clock,
    cipher: new NodeBlockCipher(),
    store: options.store,
    credentials: { activation: 'otaa', devEui: fromHex(keys.devEui), joinEui: fromHex(keys.joinEui), appKey: fromHex(keys.appKey) },
    dataRate: config.dataRate,
    adr: config.adr ?? true,
    // Node timers on a busy host fire tens of ms late; open receive windows 100 ms early and keep them open as long after.
    rxTiming: { marginMs: 100 },
  });
  const uplink = new LoraWanUplink(mac);
  return {
    uplink, mac, ns, application, applicationId, devEui: keys.devEui,
    describe() {
      const c = mac.counters;
      const devAddr = mac.devAddr;
      const joined = devAddr === undefined ? 'joining' : `DevAddr ${devAddr.toString(16).padStart(8, '0')}`;
      return `LoRaWAN ${region.name} ${joined} DR${mac.dataRate} FCnt ${mac.nextFCntUp ?? 0} · ${c.uplinks} frames on air (${c.retransmissions} retries), ${uplink.queued} waiting · network: ${ns.stats.uplinksAccepted} accepted, ${ns.stats.downlinksSent} downlinks (${acks.acksPublished} data-acks from the cloud)`;
    },
    brief() {
      const c = mac.counters;
      const joined = mac.devAddr === undefined ? 'joining' : `DR${mac.dataRate} FCnt ${mac.nextFCntUp ?? 0}`;
      return `LoRaWAN ${region.name} ${joined} · ${c.retransmissions} retries, ${uplink.queued} waiting · network accepted ${ns.stats.uplinksAccepted}, ${acks.acksPublished} data-acks`;
    },
    async close() {
      mac.close();
      attachment.detach();
      await acks.close();
      await publisher.close();
    },
  };
}
