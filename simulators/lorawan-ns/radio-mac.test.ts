/**
 * In-process, in virtual time: the device-side MAC (drivers/lorawan/mac,
 * LoraWanUplink) ↔ the simulated LoRa channel (simulators/radio) ↔ this
 * network server. OTAA join, a batch frame, a confirmed alert with its ACK,
 * and an application downlink — the MAC's receive windows must meet the
 * downlinks the server schedules on the channel.
 */
import test from 'ava';
import { PortableAes128 } from '../../drivers/crypto/aes128.js';
import { fromHex } from '../../drivers/bytes.js';
import { LoraWanMac, LoraWanUplink } from '../../drivers/lorawan/mac/index.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import { MemoryKeyValueStore } from '../../drivers/ports/storage.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { SimulatedLoraChannel } from '../radio/index.js';
import type { NsEvent } from './events.js';
import { LoraNetworkServer } from './network-server.js';
import { attachToRadioGateway, DownlinkRouter } from './radio-gateway.js';
import { DeviceRegistry } from './registry.js';
import { parseRegistry } from './registry-file.js';
import { examplePayloads, exampleTable, OTAA, registryJson } from './test-support.js';

test('device MAC ↔ simulated channel ↔ network server: OTAA join, data, confirmed alert with ACK, downlink', async (t) => {
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 6, 15, 8) });
  const channel = new SimulatedLoraChannel(clock, { seed: 3 });
  const gateway = channel.addGateway({ id: 'gw-1' });
  const table = exampleTable();
  const parsed = parseRegistry(registryJson(table), { defaultApplication: 'city' });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock });
  const attachment = attachToRadioGateway(ns, gateway);
  t.teardown(() => attachment.detach());
  const events: NsEvent[] = [];
  ns.onEvent((event) => events.push(event));

  const mac = new LoraWanMac({
    region: createRegion('EU868'),
    radio: channel.createDeviceRadio({ id: 'underpass-gw', pathLossDb: 110 }),
    clock,
    cipher: new PortableAes128(),
    store: new MemoryKeyValueStore(),
    credentials: { activation: 'otaa', devEui: fromHex(OTAA.devEui), joinEui: fromHex(OTAA.joinEui), appKey: fromHex(OTAA.appKey) },
    adr: false,
  });
  t.teardown(() => mac.close());
  const uplink = new LoraWanUplink(mac);
  const downlinks: Array<{ port: number; payload: Uint8Array }> = [];
  uplink.onDownlink = (downlink) => downlinks.push(downlink);

  await clock.run(mac.join());
  t.is(ns.stats.joinsAccepted, 1);
  t.false(events.some((e) => e.type === 'join'), 'the join is reported with the first uplink (ChirpStack v4)');

  const { batch, alert } = examplePayloads(table);
  await clock.run(uplink.send({ port: 10, payload: batch, priority: 'data' }));
  ns.enqueueDownlink(OTAA.devEui, { fPort: 20, data: Uint8Array.of(0xa1, 0x01), confirmed: false });
  await clock.run(uplink.send({ port: 11, payload: alert, priority: 'alert' }));

  const ups = events.filter((e) => e.type === 'up');
  t.is(ups.length, 2);
  t.true(events.findIndex((e) => e.type === 'join' && e.device.devEuiHex === OTAA.devEui) === events.indexOf(ups[0]) - 1, 'join right before the first up');
  t.like(ups[0], { fPort: 10, confirmed: false, decoded: { type: 'batch' } }, 'data goes unconfirmed (LoraWanUplink default: the platform acknowledges it, docs/app-ack.md)');
  t.like(ups[1], { fPort: 11, confirmed: true, decoded: { type: 'alert', alert: { rule: 'underpass-ponding', value: 16 } } });
  t.is(mac.counters.confirmedFailed, 0, 'the alert was acknowledged');
  t.deepEqual(downlinks.map((d) => [d.port, [...d.payload]]), [[20, [0xa1, 0x01]]], 'the queued downlink rode with the ACK');
  t.like(ns.stats, { uplinksAccepted: 2, downlinksPlanned: 2, downlinksSent: 2 }, 'the join accept and the alert\'s ACK (the app downlink rode with it); the unconfirmed data frame cost no downlink');
  t.deepEqual(Object.values(ns.stats.rejected), [0, 0, 0, 0, 0, 0, 0]);
});

test('CN470 with an 8-channel base station: the join accept CFList and ADR LinkADRReqs hold the device to the station\'s sub-band', async (t) => {
  const subBand = [8, 9, 10, 11, 12, 13, 14, 15];
  const region = createRegion('CN470');
  const frequencyOf = (n: number) => 470_300_000 + 200_000 * n;
  for (const provisioned of [false, true]) {
    const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 6, 15, 8) });
    const channel = new SimulatedLoraChannel(clock, { seed: 5 });
    // Unprovisioned, the device's first join request may go on any of 96 channels: let this station hear them all.
    const station = channel.addGateway({ id: 'bs-1', ...(provisioned ? { uplinkFrequenciesHz: subBand.map(frequencyOf) } : {}) });
    const parsed = parseRegistry({ ...(registryJson(exampleTable()) as object), region: 'CN470' }, { defaultApplication: 'city' });
    const devices = parsed.devices.map((d) => ({ ...d, uplinkChannels: subBand }));
    const ns = new LoraNetworkServer({ registry: new DeviceRegistry(devices), network: parsed.network, clock, adr: true });
    const attachment = attachToRadioGateway(ns, station);
    const mac = new LoraWanMac({
      region,
      radio: channel.createDeviceRadio({ id: 'dev', pathLossDb: 100 }),
      clock,
      cipher: new PortableAes128(),
      store: new MemoryKeyValueStore(),
      credentials: { activation: 'otaa', devEui: fromHex(OTAA.devEui), joinEui: fromHex(OTAA.joinEui), appKey: fromHex(OTAA.appKey) },
      ...(provisioned ? { channels: subBand } : {}),
    });
    await clock.run(mac.join());
    t.deepEqual(mac.channels.enabledChannels().map((c) => c.index), subBand, `after the join accept (provisioned: ${provisioned})`);
    const startDr = mac.dataRate;
    for (let i = 0; i < 12; i++) await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(10).fill(i), confirmed: false }));
    t.true(mac.dataRate > startDr, `ADR moved the device from DR${startDr} to DR${mac.dataRate}`);
    t.deepEqual(mac.channels.enabledChannels().map((c) => c.index), subBand, 'the LinkADRReq kept the sub-band');
    t.is(ns.stats.uplinksAccepted, 12, 'the station heard every frame');
    attachment.detach();
    mac.close();
  }
});

test('two base stations hear the device: every downlink goes through the one that heard it best, not the first to report', async (t) => {
  const clock = new VirtualClock({ unixEpochMs: Date.UTC(2026, 6, 15, 8) });
  const channel = new SimulatedLoraChannel(clock, { seed: 3 });
  // bs-far is added first, so it reports every uplink first; the device is 30 dB closer to bs-near.
  const far = channel.addGateway({ id: 'bs-far' });
  const near = channel.addGateway({ id: 'bs-near' });
  const table = exampleTable();
  const parsed = parseRegistry(registryJson(table), { defaultApplication: 'city' });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock });
  const router = new DownlinkRouter(clock);
  const attachments = [attachToRadioGateway(ns, far, router), attachToRadioGateway(ns, near, router)];
  t.teardown(() => attachments.forEach((a) => a.detach()));
  const sentBy: string[] = [];
  ns.onEvent((event) => {
    if (event.type === 'txack' && event.window !== undefined) sentBy.push(event.gatewayId);
  });
  const mac = new LoraWanMac({
    region: createRegion('EU868'),
    radio: channel.createDeviceRadio({ id: 'underpass-gw', pathLossDb: (station) => (station === 'bs-near' ? 100 : 130) }),
    clock,
    cipher: new PortableAes128(),
    store: new MemoryKeyValueStore(),
    credentials: { activation: 'otaa', devEui: fromHex(OTAA.devEui), joinEui: fromHex(OTAA.joinEui), appKey: fromHex(OTAA.appKey) },
    adr: false,
  });
  t.teardown(() => mac.close());
  const uplink = new LoraWanUplink(mac);
  await clock.run(mac.join());
  await clock.run(uplink.send({ port: 11, payload: examplePayloads(table).alert, priority: 'alert' }));
  t.is(mac.counters.confirmedFailed, 0, 'the alert was acknowledged');
  t.deepEqual(sentBy, ['bs-near', 'bs-near'], 'the join accept and the ACK went through the station with the better SNR');
  t.is(far.stats.downlinks, 0);
  t.is(near.stats.downlinks, 2);
});
