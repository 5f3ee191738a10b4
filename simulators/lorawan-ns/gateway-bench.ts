/**
 * The whole chain on one virtual clock, for the gateway-over-LoRaWAN tests:
 *
 *   demo-site simulated devices → Gateway → LoraWanUplink → LoraWanMac (OTAA)
 *   → SimulatedLoraChannel → LoraNetworkServer (lora-packet side)
 *   → the reference ack service (simulators/ack-service), whose data-acks
 *     release the gateway's log (docs/app-ack.md)
 *
 * The network decodes with the channel table the gateway encodes with, as the
 * platform would. Every reception is logged as heard on the air (before the
 * server decides anything) and every server event with its clock time, so
 * tests can compare what was sent, what was heard and what was decoded.
 */
import { fromHex } from '../../drivers/bytes.js';
import { LoraWanMac, LoraWanUplink, type LoraWanMacOptions, type LoraWanUplinkOptions } from '../../drivers/lorawan/mac/index.js';
import { attachAckService, type AttachedAckService } from '../ack-service/in-process.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import type { Region, RegionName } from '../../drivers/lorawan/regions/types.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { Pipeline, type PipelineOptions } from '../../drivers/gateway/test-support.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { SimulatedLoraChannel, type SimulatedDeviceRadio } from '../radio/index.js';
import { dataRateOf } from './adr.js';
import type { NsEvent } from './events.js';
import { LoraNetworkServer, type NetworkServerOptions } from './network-server.js';
import { attachToRadioGateway } from './radio-gateway.js';
import { DeviceRegistry } from './registry.js';
import { parseRegistry } from './registry-file.js';

/** A frame as the network's gateway radio heard it, before the server. */
export interface OnAir {
  startMs: number;
  endMs: number;
  airtimeMs: number;
  freqHz: number;
  dataRate: number;
  phyBytes: number;
  /** MHDR MType: 0 join request, 2/4 (un)confirmed data up. */
  mType: number;
}

export interface GatewayOverNsOptions {
  region: RegionName;
  /** The simulated channel's seed. */
  seed: number;
  devEui: string;
  /** Device ↔ gateway path loss, dB (a function for a link that changes). */
  pathLossDb: number | (() => number);
  mac?: Partial<LoraWanMacOptions>;
  /** The uplink's delivery policy (default: data unconfirmed, acknowledged by the ack service). */
  delivery?: LoraWanUplinkOptions['delivery'];
  pipeline: Omit<PipelineOptions, 'clock' | 'uplinkPort'>;
  ns?: Pick<NetworkServerOptions, 'adr' | 'outages'>;
  /** Called for every frame heard, before the server sees it (e.g. to schedule an outage from the air). */
  onHeard?: (frame: OnAir) => void;
  /**
   * Build the device's MAC on the channel's front end (a host's radio module over a chip simulator);
   * it must use DEV_EUI/JOIN_EUI/APP_KEY as registered here. Default: the MAC straight on the front end.
   */
  macFor?: (front: SimulatedDeviceRadio, clock: VirtualClock) => LoraWanMac;
}

export interface GatewayOverNs {
  clock: VirtualClock;
  channel: SimulatedLoraChannel;
  region: Region;
  mac: LoraWanMac;
  uplink: LoraWanUplink;
  p: Pipeline;
  ns: LoraNetworkServer;
  onAir: OnAir[];
  /** Every server event with its clock time; `up` events of sequenced frames carry the ack service's duplicate verdict. */
  nsEvents: Array<NsEvent & { atMs: number; duplicate?: boolean }>;
  acks: AttachedAckService;
  /** Close the MAC and detach the server from the channel. */
  close(): void;
}

export const JOIN_EUI = '70b3d57ed0000000';
export const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';

export function gatewayOverNetworkServer(options: GatewayOverNsOptions): GatewayOverNs {
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 6, 15, 8) });
  const region = createRegion(options.region);
  const channel = new SimulatedLoraChannel(clock, { seed: options.seed });
  const radioGateway = channel.addGateway({ id: `gw-${options.region.toLowerCase()}` });
  const front = channel.createDeviceRadio({ id: 'axon-gw', pathLossDb: options.pathLossDb });
  const mac = options.macFor?.(front, clock) ?? new LoraWanMac({
    region,
    radio: front,
    clock,
    cipher: new NodeBlockCipher(),
    store: new MemoryKeyValueStore(),
    credentials: { activation: 'otaa', devEui: fromHex(options.devEui), joinEui: fromHex(JOIN_EUI), appKey: fromHex(APP_KEY) },
    adr: true,
    ...options.mac,
  });
  const uplink = new LoraWanUplink(mac, { delivery: options.delivery });
  const p = new Pipeline({ ...options.pipeline, clock, uplinkPort: uplink });

  const parsed = parseRegistry({
    region: options.region,
    netId: '000013',
    applications: { city: { channels: p.gateway.channelTable } },
    devices: [{ name: 'axon-gw', application: 'city', devEui: options.devEui, joinEui: JOIN_EUI, appKey: APP_KEY }],
  }, { defaultApplication: 'city' });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock, adr: true, ...options.ns });
  const onAir: OnAir[] = [];
  // Set before the server attaches, so every reception is logged whatever the server makes of it.
  radioGateway.onUplink = (u) => {
    const dataRate = dataRateOf(region, u.sf, u.bw);
    if (dataRate === undefined) throw new Error(`SF${u.sf}/${u.bw} kHz is no ${options.region} data rate`);
    const frame: OnAir = { startMs: u.startMs, endMs: u.endMs, airtimeMs: u.airtimeMs, freqHz: u.freqHz, dataRate, phyBytes: u.payload.length, mType: u.payload[0] >> 5 };
    onAir.push(frame);
    options.onHeard?.(frame);
  };
  const attachment = attachToRadioGateway(ns, radioGateway);
  // First, so its data-ack is queued before the server plans the uplink's windows and before the events below are logged.
  const acks = attachAckService(ns);
  const nsEvents: Array<NsEvent & { atMs: number; duplicate?: boolean }> = [];
  ns.onEvent((event) => nsEvents.push({ ...event, atMs: clock.now(), ...(event.type === 'up' ? { duplicate: acks.verdictOf(event)?.duplicate } : {}) }));
  return {
    clock, region, mac, uplink, p, ns, onAir, nsEvents, acks, channel,
    close() {
      mac.close();
      attachment.detach();
      acks.detach();
    },
  };
}
