/**
 * The core without sockets, in virtual time: ADR, outages, DevAddr sharing,
 * registry-file errors.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromHex } from '../../drivers/bytes.js';
import { codecPorts } from '../../sdk/codec/codec-ports.js';
import { generateCodec } from '../../sdk/codec/generate-codec.js';
import { openDataFrame } from '../../drivers/lorawan/data-frame.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { LoraNetworkServer, type NetworkServerOptions } from './network-server.js';
import { DeviceRegistry } from './registry.js';
import { parseRegistry, RegistryFileError } from './registry-file.js';
import { encodeJoinRequest } from '../../drivers/lorawan/join.js';
import { ABP, ABP_DEVADDR, ABP_KEYS, cipher, dataUp, examplePayloads, exampleTable, OTAA, registryJson } from './test-support.js';
import type { ReceivedFrame } from './types.js';

function server(options: Partial<NetworkServerOptions> = {}, json = registryJson(exampleTable())) {
  const clock = new VirtualClock();
  const parsed = parseRegistry(json, { defaultApplication: 'city' });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock, ...options });
  return { ns, clock };
}

const received = (phy: Uint8Array, rx: Partial<ReceivedFrame['rx']> = {}): ReceivedFrame => ({
  phyPayload: phy,
  rx: { gatewayId: 'gw-1', tmst: 0, frequency: 868_300_000, sf: 12, bw: 125, codeRate: '4/5', rssi: -100, snr: 10, ...rx },
});

test('ADR: after five ADR uplinks at SF12 with 10 dB SNR the device is sent LinkADRReq for DR5 on channels 0–2', (t) => {
  const { ns } = server({ adr: true });
  for (let fCnt = 65_531; fCnt < 65_535; fCnt++) t.is(ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, fCnt, Uint8Array.of(0x13), { adr: true }))), undefined);
  const plan = ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, 65_535, Uint8Array.of(0x13), { adr: true })));
  if (plan === undefined) return t.fail('no downlink');
  const down = openDataFrame(cipher, plan.phyPayload, ABP_KEYS);
  // margin 10 − (−20) − 10 = 20 dB → 6 steps, capped at DR5; TXPower 0, ChMask 0x0007, NbTrans 1.
  t.deepEqual([...down.fOpts], [0x03, 0x50, 0x07, 0x00, 0x01]);
  t.true(down.fCtrl.adr);
  t.like(plan.windows[0], { window: 'rx1', frequency: 868_300_000, sf: 12, delayMs: 1000 });
  // LinkADRAns (all acked), now at SF7 = DR5: nothing more to ask.
  t.is(ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, 65_536, Uint8Array.of(0x13), { adr: true, fOpts: Uint8Array.of(0x03, 0x07) }), { sf: 7 })), undefined);
});

test('outage: everything between t1 and t2 is dropped, and downlink windows inside it are skipped', async (t) => {
  const { ns, clock } = server({ outages: [{ fromMs: 10_000, toMs: 20_000 }] });
  const confirmed = (fCnt: number) => ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, fCnt, Uint8Array.of(1), { confirmed: true })));
  await clock.advanceTo(8_500);
  t.deepEqual(confirmed(65_531)?.windows.map((w) => w.window), ['rx1'], 'RX1 at 9.5 s is before the outage, RX2 at 10.5 s inside it');
  await clock.advanceTo(9_500);
  t.is(confirmed(65_532), undefined, 'RX1 10.5 s and RX2 11.5 s are both inside: the ACK is lost');
  t.is(ns.stats.downlinksLostInOutage, 1);
  await clock.advanceTo(15_000);
  t.true(ns.isOutage());
  t.is(confirmed(65_533), undefined);
  t.is(ns.stats.rejected.outage, 1, 'the uplink itself is dropped');
  await clock.advanceTo(20_000);
  t.false(ns.isOutage());
  t.deepEqual(confirmed(65_534)?.windows.map((w) => w.window), ['rx1', 'rx2']);
  t.is(ns.stats.uplinksAccepted, 3);
});

test('two devices on one DevAddr are told apart by the MIC', (t) => {
  const json = registryJson(exampleTable()) as { devices: object[] };
  const twinKeys = { nwkSKey: fromHex('aa'.repeat(16)), appSKey: fromHex('bb'.repeat(16)) };
  json.devices.push({ name: 'twin', devEui: '0004a30b001c0599', devAddr: ABP.devAddr, nwkSKey: 'aa'.repeat(16), appSKey: 'bb'.repeat(16) });
  const { ns } = server({}, json);
  const ups: string[] = [];
  ns.onEvent((e) => e.type === 'up' && ups.push(e.device.devEuiHex));
  ns.handleFrame(received(dataUp(twinKeys, ABP_DEVADDR, 3, Uint8Array.of(1))));
  ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, 65_533, Uint8Array.of(1))));
  t.deepEqual(ups, ['0004a30b001c0599', ABP.devEui]);
});

test('registry file mistakes name the JSON path', (t) => {
  const bad = (json: unknown) => t.throws(() => parseRegistry(json, { defaultApplication: 'city' }), { instanceOf: RegistryFileError });
  t.regex(bad({ devices: [{ devEui: '0102', appKey: '00'.repeat(16) }] })?.message ?? '', /1 bytes?|2 bytes, expected 8.*\$\.devices\[0\]\.devEui/);
  t.regex(bad({ devices: [{ devEui: '01'.repeat(8) }] })?.message ?? '', /OTAA keys .* or ABP keys/);
  t.regex(bad({ region: 'EU433', devices: [] })?.message ?? '', /region "EU433" is not supported/);
  t.regex(bad({ devices: [{ devEui: '01'.repeat(8), appKey: '00'.repeat(16), application: 'a/b' }] })?.message ?? '', /application "a\/b"/);
  t.regex(bad({ applications: { city: { channels: { format: 2 } } }, devices: [] })?.message ?? '', /not a channel table.*\$\.applications\.city\.channels/);
  t.regex(bad({ applications: { city: { id: 'city' } }, devices: [] })?.message ?? '', /"city" is not a UUID.*\$\.applications\.city\.id/);
  t.regex(bad({ applications: { city: { tags: { floor: 3 } } }, devices: [] })?.message ?? '', /tag values are strings.*\$\.applications\.city\.tags\.floor/);
  t.regex(bad({ gateways: { aa555a0000000101: { latitude: 91 } }, devices: [] })?.message ?? '', /91 is not a latitude.*\$\.gateways\.aa555a0000000101\.latitude/);
  t.regex(bad({ tenant: { id: 'x' }, devices: [] })?.message ?? '', /\$\.tenant\.name/);
  t.regex(bad({ applications: { city: { codec: 'no-such-codec.js' } }, devices: [] })?.message ?? '', /cannot load codec .*no-such-codec\.js.*\$\.applications\.city\.codec/);
});

test('an application\'s "codec" file is its device profile\'s codec: object comes from it, with its own FPorts', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-ns-codec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const table = exampleTable();
  writeFileSync(path.join(dir, 'codec.js'), generateCodec(table, { ports: codecPorts({ kind: 'lorawan', region: 'EU868', activation: 'abp', fPortData: 20, fPortAlert: 21 }) }));
  const json = { applications: { city: { codec: 'codec.js' } }, devices: [{ name: 'abp-gw', application: 'city', ...ABP }] };
  const registry = parseRegistry(json, { defaultApplication: 'city', baseDir: dir });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(registry.devices), network: registry.network, clock: new VirtualClock() });
  const ups: Array<Record<string, unknown> | undefined> = [];
  ns.onEvent((e) => void (e.type === 'up' && ups.push(e.object)));
  const { batch } = examplePayloads(table);
  ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, batch, { fPort: 20 })));
  ns.handleFrame(received(dataUp(ABP_KEYS, ABP_DEVADDR, 65_532, batch, { fPort: 10 })));
  t.like(ups[0], { type: 'batch' });
  t.is(ups[1], undefined, 'FPort 10 is not this site\'s data port: the codec refuses it');
});

test('one join request heard by two gateways is one join; the same bytes again from one gateway are a replay', (t) => {
  const { ns } = server();
  const request = encodeJoinRequest(cipher, { joinEui: fromHex(OTAA.joinEui), devEui: fromHex(OTAA.devEui), devNonce: 0x0042 }, fromHex(OTAA.appKey));
  t.truthy(ns.handleFrame(received(request, { gatewayId: 'gw-1' })), 'a join accept is planned');
  t.is(ns.handleFrame(received(request, { gatewayId: 'gw-2', rssi: -110 })), undefined, 'the second gateway\'s copy is dropped');
  t.is(ns.stats.duplicates, 1);
  t.is(ns.stats.joinsAccepted, 1);
  t.is(ns.stats.rejected['devnonce-replay'], 0);
  t.is(ns.handleFrame(received(request, { gatewayId: 'gw-1' })), undefined);
  t.is(ns.stats.rejected['devnonce-replay'], 1, 'a gateway cannot hear one transmission twice: a replay');
});
