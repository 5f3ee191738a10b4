/**
 * The fleet simulator: many real gateways (the whole core and our LoRaWAN MAC)
 * over one simulated channel to the network-server simulator. Checked on what
 * the network decoded: every framed reading and every alert event arrives,
 * the same seed replays the same district, more gateways load the air without
 * losing anything, two base stations hear the same frames and the server
 * drops the copies. And `axon fleet sim` as a user runs it.
 */
import test from 'ava';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { runCli } from '../../sdk/cli/test-kit.js';
import { runFleet, type FleetReport } from './fleet.js';

const base = { site: demoSite(), manifests: shippedManifests() };

function assertEverythingArrived(t: { is: (a: unknown, b: unknown, m?: string) => void; true: (a: boolean, m?: string) => void; deepEqual: (a: unknown, b: unknown, m?: string) => void }, r: FleetReport): void {
  t.is(r.joined, r.gateways, 'every gateway joined');
  // Alerts go unconfirmed: at the cut-off their records may still wait in the log for the platform's next
  // data-ack, but every one must have reached the network.
  t.is(r.alerts.decoded, r.alerts.events, 'every alert event reached the network');
  // Data frames go unconfirmed and the platform's data-ack repairs a lost one when the next frame shows
  // the gap (docs/app-ack.md). Polling and flushing go on through the drain, so at the cut-off a frame
  // lost in the last flush periods may still wait for that repair (awaitingAck), and fresh frames may
  // wait behind a full ack window (pendingFrames): both are held in their gateway's log, never dropped.
  // (30 gateways, seed 3: 13 frames pending after a 20-minute drain, 35 after 40, 0 after 60.)
  // Everything framed is decoded or held.
  const undecoded = r.samples - r.inFlight.queuedSamples - r.readingsDecoded;
  t.true(undecoded >= 0, `no reading decoded that was not framed (${undecoded})`);
  if (undecoded > 0) t.true(r.inFlight.awaitingAck + r.inFlight.pendingFrames > 0, `${undecoded} readings not decoded at the cut-off, and no frame held in a log`);
  // A data resend does not ask for a data-ack (the next request covers it), so a frame lost twice near the end
  // may wait a little longer for its repair: 99.45 % for two sub-bands, seed 1, all of it held in the logs.
  t.true(r.deliveryRatio >= 0.99, `delivery ${r.deliveryRatio}: more than the last flush periods' frames missing`);
  t.is(r.droppedReadings, 0);
  t.is(r.alerts.decoded, r.alerts.events, 'every alert event reached the network');
  t.deepEqual(Object.values(r.ns.rejected).reduce((a, b) => a + b, 0), 0, 'no MIC failure, replay or malformed frame');
}

test('six gateways for two hours: every reading and alert reaches the network; the same seed replays the same run', async (t) => {
  const first = await runFleet({ ...base, gateways: 6, hours: 2, seed: 7 });
  assertEverythingArrived(t, first);
  t.true(first.samples > 6 * 2 * 4000, `${first.samples} samples`);
  t.true(first.alerts.raised > 6 * 10, 'the storm and the fire raise alerts on every gateway');
  t.true(first.alerts.latencyMs.p50 > 0 && first.alerts.latencyMs.p50 < 60_000, `median alert latency ${first.alerts.latencyMs.p50} ms`);
  const again = await runFleet({ ...base, gateways: 6, hours: 2, seed: 7 });
  t.deepEqual({ ...again, wallSeconds: 0 }, { ...first, wallSeconds: 0 }, 'identical report for the same seed');
  const other = await runFleet({ ...base, gateways: 6, hours: 2, seed: 8 });
  t.notDeepEqual({ ...other, wallSeconds: 0 }, { ...first, wallSeconds: 0 }, 'another seed is another district');
});

test('five times the gateways on one base station: a busier air, later alerts, nothing lost', async (t) => {
  const few = await runFleet({ ...base, gateways: 6, hours: 3, seed: 3 }); // 3 h: the storm comes at 01:55 and passes
  const many = await runFleet({ ...base, gateways: 30, hours: 3, seed: 3 });
  assertEverythingArrived(t, many);
  t.true(many.air.busiestMinuteUplinks > few.air.busiestMinuteUplinks, 'more frames in the busiest minute');
  const lossesOf = (r: FleetReport) => r.air.receptions.collision + r.air.receptions['gateway-busy'];
  t.true(lossesOf(many) > lossesOf(few), `more receptions lost to collisions or a transmitting base station (${lossesOf(few)} → ${lossesOf(many)})`);
  // Everything goes unconfirmed (application acks, alerts in copies): the busier air costs more data-acks for the gaps.
  t.true(many.air.downlinks / many.air.uplinks >= few.air.downlinks / few.air.uplinks, `downlinks per uplink ${(few.air.downlinks / few.air.uplinks).toFixed(3)} → ${(many.air.downlinks / many.air.uplinks).toFixed(3)}`);
  t.true(many.alerts.latencyMs.p95 > few.alerts.latencyMs.p95, `alert p95 ${few.alerts.latencyMs.p95} → ${many.alerts.latencyMs.p95} ms`);
});

test('two base stations hear the same frames; the server keeps one copy', async (t) => {
  const r = await runFleet({ ...base, gateways: 4, baseStations: 2, hours: 1, seed: 5, areaKm: 1 });
  assertEverythingArrived(t, r);
  t.true(r.ns.duplicates > 0, `${r.ns.duplicates} second receptions dropped`);
  t.is(r.readingsDuplicated, 0, 'no reading decoded twice because two stations heard it');
});

test('axon fleet sim --json prints the report, progress goes to stderr', async (t) => {
  const r = await runCli(['fleet', 'sim', '--gateways', '3', '--hours', '1', '--seed', '2', '--json']);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as FleetReport;
  t.is(report.gateways, 3);
  t.is(report.joined, 3);
  t.is(report.deliveryRatio, 1);
  t.regex(r.stderr, /simulated 30\/80 min: 3 joined, \d+ readings/);
  const text = await runCli(['fleet', 'sim', '--gateways', '2', '--hours', '1', '--per-gateway']);
  t.regex(text.stdout, /^ +devEUI +path loss +DR +samples +decoded/m);
  t.regex(text.stdout, /^ +0004a30b00200001 +[\d.]+ dB +\d +\d+ +\d+/m);
  t.regex(text.stdout, /^fleet: 2 gateways \(26 devices, 1 on the byte-level RS-485 wire\) → 1 base station, CN470, 1 h simulated/m);
  t.regex(text.stdout, /^alerts +\d+ events .* latency p50 /m);
  const bad = await runCli(['fleet', 'sim', '--gateways', '0']);
  t.is(bad.code, 2);
});

test('the report covers the reported period only: the air carried exactly the frames the MACs sent; per base station losses by cause', async (t) => {
  const r = await runFleet({ ...base, gateways: 8, hours: 1, seed: 4 });
  assertEverythingArrived(t, r);
  t.is(r.air.uplinks, r.mac.uplinks + r.mac.joinRequests, 'closing the gateways after the report sends nothing into it');
  t.is(r.perBaseStation.length, 1);
  const bs = r.perBaseStation[0];
  t.deepEqual(bs.channels, [0, 1, 2, 3, 4, 5, 6, 7], 'an 8-channel concentrator on CN470 sub-band 1');
  t.is(bs.gateways, 8);
  t.is(Object.values(bs.receptions).reduce((a, b) => a + b, 0), r.air.uplinks, 'every gateway is provisioned with the sub-band: the station hears every uplink');
  t.is(bs.downlinks, r.air.downlinks);
  t.is(r.losses.airtime, bs.receptions.collision + bs.receptions.interference);
  t.is(r.losses.halfDuplex, bs.receptions['gateway-busy']);
});

test('too few demodulators: the report says the demodulators ran out', async (t) => {
  const r = await runFleet({ ...base, gateways: 20, hours: 1, seed: 3, demodulators: 1 });
  t.true(r.losses.demodulators > 0, `${r.losses.demodulators} receptions found the one demodulator held`);
  t.true(r.limitedBy.includes('demodulators'), `limited by ${r.limitedBy.join(', ')}`);
  t.is(r.perBaseStation[0].receptions['demodulators-busy'], r.losses.demodulators);
  const sx1302 = await runFleet({ ...base, gateways: 20, hours: 1, seed: 3 });
  t.false(sx1302.limitedBy.includes('demodulators'), '16 demodulators are plenty for 20 gateways');
});

test('EU868: the base station keeps its downlinks within 1 % of any hour in g1, refusing (and moving to RX2) what would break it', async (t) => {
  const r = await runFleet({ ...base, gateways: 12, hours: 2, seed: 6, region: 'EU868' });
  const bs = r.perBaseStation[0];
  t.deepEqual(bs.channels, [0, 1, 2], 'EU868 has 3 default channels: the concentrator hears them all');
  t.true(bs.downlinksRefused['duty-cycle'] > 0, `${bs.downlinksRefused['duty-cycle']} downlinks refused by duty cycle`);
  t.true(bs.busiestHourShare.g1 <= 0.01 + 1e-9, `g1 busiest hour ${(bs.busiestHourShare.g1 * 100).toFixed(2)} %`);
  t.true((bs.busiestHourShare.g3 ?? 0) <= 0.1 + 1e-9, `g3 busiest hour ${((bs.busiestHourShare.g3 ?? 0) * 100).toFixed(2)} %`);
  t.true((bs.busiestHourShare.g3 ?? 0) > 0, 'refused RX1 answers went out in RX2 (g3, 10 %)');
  t.is(r.losses.dutyCycle, bs.downlinksRefused['duty-cycle']);
});

test('two sub-bands: each base station hears its own 8 channels, each gateway is held to its nearest station\'s, and everything arrives', async (t) => {
  const r = await runFleet({ ...base, gateways: 6, baseStations: 2, subBands: 2, hours: 1, seed: 5, areaKm: 2 });
  assertEverythingArrived(t, r);
  t.deepEqual(r.perBaseStation.map((b) => b.channels), [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]]);
  t.is(r.perBaseStation[0].gateways + r.perBaseStation[1].gateways, 6);
  t.true(r.perBaseStation.every((b) => b.gateways > 0), 'both sub-bands are in use');
  const heard = r.perBaseStation.map((b) => Object.values(b.receptions).reduce((a, n) => a + n, 0));
  t.is(heard[0] + heard[1], r.air.uplinks, 'every uplink reached exactly one station\'s channels: no gateway strayed from its sub-band (ADR included)');
  t.is(r.ns.duplicates, 0, 'no frame is heard twice');
});

test('end devices are provisioned with their nearest station\'s sub-band too: each uplink reaches exactly one station\'s channels', async (t) => {
  const r = await runFleet({ ...base, gateways: 0, endDevices: 40, baseStations: 2, subBands: 2, hours: 1, seed: 5, areaKm: 2 });
  t.deepEqual(r.perBaseStation.map((b) => b.channels), [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]]);
  t.is(r.perBaseStation[0].endDevices + r.perBaseStation[1].endDevices, 40);
  t.true(r.perBaseStation.every((b) => b.endDevices > 0), 'both sub-bands are in use');
  const heard = r.perBaseStation.map((b) => Object.values(b.receptions).reduce((a, n) => a + n, 0));
  t.true(r.air.uplinks > 40, `${r.air.uplinks} uplinks`);
  t.is(heard[0] + heard[1], r.air.uplinks, 'no end device strayed from its sub-band');
  t.is(r.ns.duplicates, 0, 'no frame is heard twice');
});

test('the register-image fast path gives exactly the report of the byte-level RS-485 wire, with one gateway in 100 still on the wire', async (t) => {
  const district = { ...base, gateways: 8, endDevices: 20, hours: 2, seed: 9 };
  const image = await runFleet(district);
  const full = await runFleet({ ...district, wire: 'full' });
  t.is(image.byteLevelGateways, 1, 'gateway 0 of every 100 keeps the wire');
  t.is(full.byteLevelGateways, 8);
  t.true(image.alerts.raised > 0 && image.readingsDecoded > 8 * 2 * 4000, 'the storm came and readings flowed');
  t.deepEqual({ ...image, wallSeconds: 0, byteLevelGateways: 0 }, { ...full, wallSeconds: 0, byteLevelGateways: 0 });
});
