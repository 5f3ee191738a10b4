/**
 * The gateway end to end over LoRaWAN: the demo site's simulated devices →
 * Gateway → LoraWanUplink → our class A MAC → the simulated LoRa channel →
 * a test network server with the reference ack service beside it
 * (simulators/ack-service), all on one virtual clock. Data frames and alerts
 * go unconfirmed, numbered in one sequence, and are released by the
 * platform's data-acks; alerts go at once, ahead of any data, and again in
 * planned copies
 * (docs/app-ack.md). `alerts: 'network'` keeps them confirmed. Assertions are on what the network decoded
 * (with the platform's decoder, duplicates dropped as the platform drops
 * them), never on gateway internals alone. Node and XS run the same scenarios.
 */
import { test } from '../../test/kit/core-test.js';
import { createBench, ABP_DEVADDR, type Bench } from '../lorawan/mac/test-support.js';
import { LoraWanUplink, type LoraWanUplinkOptions } from '../lorawan/mac/uplink.js';
import { ALERT_ACK_DEFAULTS } from './app-ack-window.js';
import { FPORT } from '../lorawan/mac/fport.js';
import { alertsIn, decodeUplink, type DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import type { DecodedAlert } from '../batch/alert.js';
import { demoSite } from '../../sdk/site/demo-site.js';
import { encodeDownlink } from './downlink.js';
import { MINUTE, Pipeline, type PipelineOptions } from './test-support.js';
import { attachAckServiceToTestNetwork, type TestNetworkAckService } from '../../simulators/ack-service/test-network.js';

const HOUR = 60 * MINUTE;

type Heard = DecodedUplink & { atMs: number; fCnt: number; ack: boolean; confirmed: boolean; duplicate: boolean };

/** A gateway whose uplink is the LoRaWAN MAC of `bench` (EU868, ABP, DR5 so a backlog drains in minutes), the ack service beside the network. */
function overLoraWan(options: PipelineOptions, mac: { dataRate: number; adr?: boolean } = { dataRate: 5 }, uplinkOptions: LoraWanUplinkOptions = {}): { p: Pipeline; lora: Bench; uplink: LoraWanUplink; acks: TestNetworkAckService; heard: () => Heard[] } {
  const lora = createBench({ region: 'EU868', activation: 'abp', mac });
  const acks = attachAckServiceToTestNetwork(lora.network, ABP_DEVADDR);
  // Only the MAC's own counters and keys are checked here; the NS side's MIC check costs XS most of its time.
  const uplink = new LoraWanUplink(lora.mac, uplinkOptions);
  const p = new Pipeline({ ...options, clock: lora.clock, uplinkPort: uplink });
  const heard = () => lora.network.uplinksOf(ABP_DEVADDR)
    .filter((u) => u.fPort !== undefined && u.fPort > 0)
    .map((u) => ({
      ...decodeUplink(u.payload, p.gateway.channelTable), atMs: u.atMs, fCnt: u.fCnt, ack: u.ack, confirmed: u.confirmed,
      duplicate: acks.frames.find((f) => f.fCnt === u.fCnt)?.duplicate === true,
    }));
  return { p, lora, uplink, acks, heard };
}

/** Every reading the platform kept (duplicates dropped), as "device.point@t". A loop: XS's flatMap overflows past ~3,000 elements. */
function platformReadings(heard: readonly Heard[]): string[] {
  const out: string[] = [];
  for (const m of heard) if (m.type === 'batch' && !m.duplicate) for (const r of m.readings) out.push(`${r.device}.${r.point}@${r.t}`);
  return out;
}

const demoDeviceIds = () => demoSite().buses.flatMap((bus) => bus.devices.map((d) => d.id));

/** The alerts the frames carry, alone or grouped, in order. */
function alertEvents(heard: readonly Heard[]): DecodedAlert[] {
  const out: DecodedAlert[] = [];
  for (const m of heard) out.push(...alertsIn(m));
  return out;
}

test('6-hour network-server outage over LoRaWAN with application acks: nothing lost, alerts first on recovery', async (t) => {
  const outage = { fromMs: 1 * HOUR, toMs: 7 * HOUR };
  const { p, lora, acks, heard } = overLoraWan({
    devices: ['underpass-longhua', 'smoke-pump-room'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 3 * 60, durationMinutes: 30 } } } },
    gateway: { flushEveryMs: 30 * MINUTE },
  });
  lora.network.outages.push(outage);
  p.gateway.start();
  await p.until(outage.fromMs);
  const framesBefore = p.gateway.stats().framesSent;
  await p.until(outage.toMs - 1);
  const during = p.gateway.stats();
  t.true(during.store.pendingAlerts >= 2, `the smoke alarm and its clear wait in the log (${during.store.pendingAlerts} alerts)`);
  t.true(during.store.pendingReadings > 0, 'batches wait in the log');
  t.is(heard().filter((m) => m.atMs >= outage.fromMs).length, 0, 'the network heard nothing during the outage');
  t.is(lora.mac.counters.confirmedFailed, 0, 'nothing was confirmed at the LoRaWAN layer: the alerts went unconfirmed and stay in the log until a data-ack');
  t.true((during.uplink.awaitingAck ?? 0) >= 2, `alert and data frames on the air await the platform (${during.uplink.awaitingAck})`);
  const intoOutage = during.framesSent - framesBefore;
  t.true(intoOutage > 0 && intoOutage < 40, `data: a few frames, then probes with growing pauses, not a flood into a dead network (${intoOutage} data frames in 6 h)`);

  await p.until(outage.toMs + HOUR);
  p.gateway.flush();
  await p.until(outage.toMs + HOUR + 40 * MINUTE);
  const stats = p.gateway.stats();
  const all = heard();
  const after = all.filter((m) => m.atMs >= outage.toMs);
  // The first frames back (a status, a new batch) show the platform the numbers it missed; its data-ack reports
  // every frame of the outage missing, and the gateway resends the alerts before any of the data backlog.
  const resentData = after.findIndex((m, i) => m.type === 'batch' && after.slice(0, i).some((x) => x.type === 'batch' && (x.seq ?? 0) > (m.seq ?? 0)));
  t.true(resentData > 0, 'the data backlog was resent');
  const alertsBack = alertEvents(after.slice(0, resentData)).map((a) => `${a.rule} ${a.state} @${a.t}`);
  t.is(new Set(alertsBack).size, during.store.pendingAlerts, 'on recovery: every waiting alert before the data backlog…');
  t.true(after.slice(0, resentData).every((m) => m.type === 'status' || (m.seq !== undefined && !m.confirmed)), '…sequenced and unconfirmed…');
  const firstAlert = after.find((m) => m.type === 'alert' || m.type === 'alerts');
  t.true((firstAlert?.atMs ?? Infinity) <= outage.toMs + 5 * MINUTE, `…the first within minutes of the network (${((firstAlert?.atMs ?? 0) - outage.toMs) / 1000} s)`);
  const status = after.find((m) => m.type === 'status');
  t.truthy(status, 'a status follows the recovery');
  if (status?.type === 'status') t.is(status.status.dropped, 0, 'nothing dropped');
  t.true(all.every((m) => !m.confirmed), 'every frame went unconfirmed');
  t.true(acks.acks.length > 0 && acks.acks.length * 4 < all.length, `a few data-acks for many frames (${acks.acks.length} for ${all.length} uplinks)`);

  t.is(stats.store.pendingAlerts, 0, 'no alert waits');
  t.true(stats.store.pendingReadings < 16, `the platform acknowledged the backlog: fewer than one request's worth of frames wait in the log (${stats.store.pendingReadings}; resent frames ride the next request)`);
  const readings = platformReadings(all);
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the platform');
  t.is(new Set(readings).size, readings.length, 'and none twice');
  const alerts = alertEvents(all).map((a) => `${a.rule} ${a.level} ${a.state} @${a.t}`);
  t.is(alerts.length, stats.alerts, 'every alert event reached the network');
  t.is(new Set(alerts).size, alerts.length, 'each once (retransmissions reuse their FCnt and are not delivered twice)');
  t.true(alerts.some((a) => a.startsWith('smoke-pump-room-smoke critical raised')), 'the smoke alarm raised during the outage arrived');
  t.deepEqual(lora.network.problems, [], 'no MIC failure, no counter reuse');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('application acks: a lost data frame is resent when the platform reports the gap, a lost data-ack when the gateway asks again', async (t) => {
  const { p, lora, acks, heard } = overLoraWan({ devices: ['underpass-longhua', 'hydrant-north'], gateway: { flushEveryMs: 5 * MINUTE, appAck: { requestAfter: 4 } } });
  p.gateway.start();
  await p.until(12 * MINUTE);
  const seqOf = (m: Heard) => (m.type === 'batch' ? m.seq : undefined);
  const before = heard().filter((m) => seqOf(m) !== undefined).length;
  t.true(before >= 2, `sequenced frames flow (${before})`);
  // 1. A data frame lost on the air: a later one shows the gap, the platform reports it once it has stayed missing
  //    for the grace time (an alert's copies would have come by then), the gateway resends it in the next data slot.
  acks.loseFrames = 1;
  await p.until(30 * MINUTE);
  const lostSeq = acks.lost[0];
  t.not(lostSeq, undefined, 'a frame was lost');
  // The first data-ack after the loss reports it (the gap, or the request that came first: requestAfter is 4 here).
  const gapAck = acks.frames.find((f) => f.reason !== undefined && f.seq > lostSeq);
  t.truthy(gapAck, 'the platform reported the gap');
  const resent = heard().find((m) => seqOf(m) === lostSeq);
  t.truthy(resent, `the lost frame (seq ${lostSeq}) was resent`);
  t.true((resent?.atMs ?? Infinity) - (gapAck?.atMs ?? 0) < 60_000, 'in the next data slot, not after a timeout');
  t.true(resent?.type === 'batch' && resent.ackRequested === false, 'a data resend does not ask: the next request covers it');

  // 2. A data-ack lost on the way down: the gateway's request goes unanswered, it resends with A, the platform sees a duplicate and acknowledges again.
  const acksBefore = acks.acks.length;
  acks.loseAcks = 1;
  await p.until(80 * MINUTE);
  const duplicate = acks.frames.find((f) => f.duplicate);
  t.truthy(duplicate, 'the gateway resent a frame whose data-ack was lost; the platform knew it as a duplicate');
  t.is(duplicate?.reason, 'duplicate', 'and acknowledged it again');
  t.true(acks.acks.length > acksBefore, 'data-acks flow again');
  p.gateway.flush();
  await p.until(93 * MINUTE);
  const stats = p.gateway.stats();
  t.true((stats.uplink.awaitingAck ?? 99) <= 2 * 4, `only the frames since the last data-acks await one (${stats.uplink.awaitingAck})`);
  t.true(stats.store.pendingReadings <= 2 * 4, `the log released everything else (${stats.store.pendingReadings} frames wait: a resent frame rides the next request)`);
  t.true((stats.uplink.resent ?? 0) >= 2, `the lost frame and the unacknowledged one were resent (${stats.uplink.resent})`);
  const readings = platformReadings(heard());
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample reached the platform');
  t.is(new Set(readings).size, readings.length, 'none twice after the platform drops duplicates');
  t.true(heard().filter((m) => m.type === 'batch').every((m) => !m.confirmed), 'no data frame was confirmed at the LoRaWAN layer');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('alerts: \'network\': an alert burst goes out in ⌈N/k⌉ confirmed frames, k as many as fit the payload limit; every record is released', async (t) => {
  // Every device of the demo site but the smoke detector is dead, the detector's alarm goes off and clears, and the
  // network is down for 30 minutes: each offline alert (no value) and the alarm's two (true/false) are 4-byte group
  // entries waiting in the log. EU868 DR0: 51 bytes, so k = ⌊(51 − 5) / 4⌋ = 11.
  const outage = { fromMs: 0, toMs: 30 * MINUTE };
  const { p, lora, uplink, heard } = overLoraWan({
    sim: { absent: demoDeviceIds().filter((id) => id !== 'smoke-pump-room'), models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 5, durationMinutes: 5 } } } },
    gateway: { flushEveryMs: 60 * MINUTE },
  }, { dataRate: 0, adr: false }, { alerts: 'network' });
  lora.network.outages.push(outage);
  p.gateway.start();
  await p.until(outage.toMs - 1);
  const waiting = p.gateway.stats().store.pendingAlerts;
  t.true(waiting > 11, `more alerts wait than one frame holds (${waiting})`);
  await p.until(outage.toMs + 20 * MINUTE);
  const k = Math.floor((uplink.maxPayloadBytes() - 5) / 4);
  t.is(k, 11);
  const frames = heard().filter((m) => m.type === 'alert' || m.type === 'alerts');
  t.is(frames.length, Math.ceil(waiting / k), `${waiting} alerts in ${frames.length} frames`);
  t.true(frames.every((m) => m.confirmed), 'each frame confirmed at the LoRaWAN layer');
  t.deepEqual(frames.map((m) => (m.type === 'alerts' ? m.alerts.length : 1)), [k, waiting - k].filter((n) => n > 0), 'the first frame full, the rest in the next');
  const alerts = alertEvents(frames).map((a) => `${a.rule} ${a.state} @${a.t}`);
  t.is(new Set(alerts).size, waiting, 'every waiting alert once');
  t.is(lora.mac.counters.confirmedFailed > 0, true, 'attempts during the outage failed and kept the records');
  const stats = p.gateway.stats();
  t.is(stats.store.pendingAlerts, 0, 'one ACK per frame released every alert record it carried');
  t.is(stats.alertsSent, waiting, 'counted as alerts, not frames');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('an alert overtakes queued data: it goes in the first duty-cycle-legal slot after the frame on the air, unconfirmed', async (t) => {
  const { p, heard } = overLoraWan({
    devices: ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 61, durationMinutes: 10 } } } },
    // An hour batched at DR0 (51-byte frames, 1 % duty cycle: minutes between frames), so a backlog drains when the alarm goes off.
    gateway: { flushEveryMs: 60 * MINUTE },
  }, { dataRate: 0, adr: false });
  p.gateway.start();
  await p.until(61 * MINUTE);
  const queued = p.gateway.stats().store.pendingReadings - (p.gateway.stats().uplink.awaitingAck ?? 0);
  t.true(queued >= 2, `data frames wait for the air (${queued})`);
  await p.until(90 * MINUTE);
  const raised = p.events.find((e) => e.kind === 'alert' && e.alert.state === 'raised');
  t.truthy(raised, 'the smoke alarm was raised');
  const raisedAt = raised?.atMs ?? 0;
  const all = heard();
  const alert = all.find((m) => m.type === 'alert' && m.atMs >= raisedAt);
  t.truthy(alert, 'the alert reached the network');
  t.true(alert?.type === 'alert' && alert.confirmed === false && alert.seq !== undefined, 'unconfirmed, with its application sequence number');
  const copies = all.filter((m) => m.type === 'alert' && alert?.type === 'alert' && m.seq === alert.seq);
  t.is(copies.length, 1, 'no copies: at DR0 the 1 % band stays closed for minutes after it, and that time goes to the data');
  t.is(all.find((m) => m.atMs > raisedAt), alert, 'the first frame on the air after the alarm is the alert: no data or status went first');
  t.true(all.some((m) => m.type === 'batch' && m.atMs > (alert?.atMs ?? Infinity)), 'the queued data followed');
  const previous = all.filter((m) => m.atMs < (alert?.atMs ?? 0)).at(-1);
  // At DR0 a 51-byte frame takes ~2.8 s of air, and the 1 % band then stays closed ~277 s: the first legal slot.
  t.true((alert?.atMs ?? Infinity) - (previous?.atMs ?? 0) < 290_000, `in the first duty-cycle-legal slot after the frame before it (${((alert?.atMs ?? 0) - (previous?.atMs ?? 0)) / 1000} s)`);
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('an alert on a free band goes at once, then in its planned copies, which cost no downlink; a data-ack releases it', async (t) => {
  // DR5: a small frame's 1 % off-time is seconds, so the copies wait for it rather than being dropped.
  const { p, acks, heard } = overLoraWan({
    devices: ['underpass-longhua', 'smoke-pump-room'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 10, durationMinutes: 10 } } } },
    gateway: { flushEveryMs: 5 * MINUTE },
  });
  p.gateway.start();
  await p.until(15 * MINUTE);
  const raised = p.events.find((e) => e.kind === 'alert' && e.alert.state === 'raised');
  const all = heard();
  const first = all.find((m) => m.type === 'alert' && m.atMs >= (raised?.atMs ?? 0));
  t.truthy(first, 'the alert reached the network');
  const seq = first?.type === 'alert' ? first.seq : undefined;
  t.not(seq, undefined, 'sequenced');
  t.true((first?.atMs ?? Infinity) - (raised?.atMs ?? 0) < 30_000, `in the first duty-cycle-legal slot (${((first?.atMs ?? 0) - (raised?.atMs ?? 0)) / 1000} s)`);
  const copies = all.filter((m) => m.type === 'alert' && m.seq === seq);
  t.is(copies.length, ALERT_ACK_DEFAULTS.copies, `on the air ${copies.length} times`);
  t.true(copies.every((m) => !m.confirmed), 'every copy unconfirmed');
  t.true(copies.at(-1)!.atMs - copies[0].atMs < 30_000, 'the copies follow within seconds');
  t.true(acks.frames.filter((f) => f.seq === seq).slice(1).every((f) => f.duplicate && f.reason === undefined), 'the platform sets the copies aside as duplicates and does not answer them');
  p.gateway.flush();
  await p.until(4 * 60 * MINUTE);
  t.is(p.gateway.stats().store.pendingAlerts, 0, 'a data-ack released the alert records');
  t.is(p.gateway.stats().alertsSent, p.gateway.stats().alerts, 'every alert counted once, copies apart');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('a config downlink over LoRaWAN is applied and acknowledged at once', async (t) => {
  const { p, lora, heard } = overLoraWan({ devices: ['hydrant-north'], gateway: { flushEveryMs: 30 * MINUTE } });
  p.gateway.start();
  await p.until(2 * MINUTE);
  // Rides (confirmed) in the receive window of the gateway's next uplink: the status it sends at start-up is long gone, so the next batch.
  const config = encodeDownlink({ kind: 'poll-period', device: 'hydrant-north', periodS: 15 }, p.gateway.channelTable);
  lora.network.queue(ABP_DEVADDR, { port: FPORT.config, payload: config, confirmed: true });
  p.gateway.flush();
  await p.until(4 * MINUTE);
  const applied = p.events.find((e) => e.kind === 'downlink');
  t.truthy(applied, 'the gateway decoded and applied the downlink');
  const appliedAt = applied?.atMs ?? 0;
  const next = heard().find((m) => m.atMs > appliedAt);
  t.is(next?.type, 'status', 'answered at once with a status…');
  t.true(next?.ack === true, '…whose frame carries the LoRaWAN ACK of the confirmed downlink');
  t.true((next?.atMs ?? Infinity) - appliedAt < 30_000, 'within seconds, not at the next batch');
  const starts = p.polls('hydrant-north').map((e) => e.atMs - e.poll.durationMs).filter((ms) => ms > appliedAt + 1000);
  t.true(starts.length >= 7, `polled every 15 s after the change (${starts.length} polls in the next ${((4 * MINUTE - appliedAt) / 1000).toFixed(0)} s)`);
  t.deepEqual(Object.values(lora.mac.counters.rejected), [0, 0, 0, 0, 0], 'no downlink was rejected on the way');
  await p.close();
  t.deepEqual(p.errors(), []);
});
