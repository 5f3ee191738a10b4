/**
 * The gateway end to end over LoRaWAN: the demo site's simulated devices →
 * Gateway → LoraWanUplink → our class A MAC → the simulated LoRa channel →
 * a test network server with the reference ack service beside it
 * (simulators/ack-service), all on one virtual clock. Data frames go
 * unconfirmed and are released by the platform's data-acks; alerts go
 * confirmed (docs/app-ack.md). Assertions are on what the network decoded
 * (with the platform's decoder, duplicates dropped as the platform drops
 * them), never on gateway internals alone. Node and XS run the same scenarios.
 */
import { test } from '../../test/kit/core-test.js';
import { createBench, ABP_DEVADDR, type Bench } from '../lorawan/mac/test-support.js';
import { LoraWanUplink } from '../lorawan/mac/uplink.js';
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
function overLoraWan(options: PipelineOptions, mac: { dataRate: number; adr?: boolean } = { dataRate: 5 }): { p: Pipeline; lora: Bench; uplink: LoraWanUplink; acks: TestNetworkAckService; heard: () => Heard[] } {
  const lora = createBench({ region: 'EU868', activation: 'abp', mac });
  const acks = attachAckServiceToTestNetwork(lora.network, ABP_DEVADDR);
  // Only the MAC's own counters and keys are checked here; the NS side's MIC check costs XS most of its time.
  const uplink = new LoraWanUplink(lora.mac);
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
  t.true(lora.mac.counters.confirmedFailed > 0, 'alerts went unacknowledged and stayed in the log');
  const intoOutage = during.framesSent - framesBefore;
  t.true(intoOutage > 0 && intoOutage < 40, `data: a few frames, then probes with growing pauses, not a flood into a dead network (${intoOutage} data frames in 6 h)`);

  await p.until(outage.toMs + HOUR);
  p.gateway.flush();
  await p.until(outage.toMs + HOUR + 40 * MINUTE);
  const stats = p.gateway.stats();
  const all = heard();
  const after = all.filter((m) => m.atMs >= outage.toMs);
  const alertsAfter = after.findIndex((m) => m.type !== 'alert' && m.type !== 'alerts');
  t.is(alertEvents(after.slice(0, alertsAfter)).length, during.store.pendingAlerts, 'on recovery: every waiting alert first…');
  t.is(alertsAfter, 1, `…grouped into one confirmed frame at DR5 (${alertsAfter} frames)`);
  t.is(after[alertsAfter]?.type, 'status', '…then a status…');
  t.true(after.slice(alertsAfter + 1).some((m) => m.type === 'batch'), '…then the backlog');
  t.true(after[0].atMs <= outage.toMs + 3 * MINUTE, `back within minutes of the network (${(after[0].atMs - outage.toMs) / 1000} s)`);
  const status = after[alertsAfter];
  if (status.type === 'status') {
    t.is(status.status.dropped, 0, 'nothing dropped');
    t.true(status.status.queued > 0, 'the status reports the backlog');
  }
  t.true(all.every((m) => m.type === 'alert' || m.type === 'alerts' || !m.confirmed), 'data and status frames went unconfirmed');
  t.true(acks.acks.length > 0 && acks.acks.length * 4 < all.length, `a few data-acks for many frames (${acks.acks.length} for ${all.length} uplinks)`);

  t.is(stats.store.pendingAlerts, 0, 'no alert waits');
  t.is(stats.store.pendingReadings, stats.uplink.awaitingAck ?? -1, `the platform acknowledged the backlog: the log holds only the frames since the last data-ack (${stats.uplink.awaitingAck})`);
  t.true((stats.uplink.awaitingAck ?? 99) < 16, 'fewer than one request\'s worth');
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
  // 1. A data frame lost on the air: the next one shows the gap, the platform answers at once, the gateway resends.
  acks.loseFrames = 1;
  await p.until(30 * MINUTE);
  const gapAck = acks.frames.find((f) => f.reason === 'gap');
  t.truthy(gapAck, 'the platform saw the gap and acknowledged at once');
  const lostSeq = (gapAck?.seq ?? 0) - 1;
  const resent = heard().find((m) => seqOf(m) === lostSeq);
  t.truthy(resent, `the lost frame (seq ${lostSeq}) was resent`);
  t.true((resent?.atMs ?? Infinity) - (gapAck?.atMs ?? 0) < 60_000, 'in the next data slot, not after a timeout');
  t.true(resent?.type === 'batch' && resent.ackRequested === true, 'asking for an acknowledgement');

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
  t.true((stats.uplink.awaitingAck ?? 99) < 4, `only the frames since the last data-ack await one (${stats.uplink.awaitingAck})`);
  t.is(stats.store.pendingReadings, stats.uplink.awaitingAck ?? -1, 'the log released everything else');
  t.true((stats.uplink.resent ?? 0) >= 2, `the lost frame and the unacknowledged one were resent (${stats.uplink.resent})`);
  const readings = platformReadings(heard());
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample reached the platform');
  t.is(new Set(readings).size, readings.length, 'none twice after the platform drops duplicates');
  t.true(heard().filter((m) => m.type === 'batch').every((m) => !m.confirmed), 'no data frame was confirmed at the LoRaWAN layer');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('an alert burst goes out in ⌈N/k⌉ confirmed frames, k as many as fit the payload limit; every record is released', async (t) => {
  // Every device of the demo site but the smoke detector is dead, the detector's alarm goes off and clears, and the
  // network is down for 30 minutes: each offline alert (no value) and the alarm's two (true/false) are 4-byte group
  // entries waiting in the log. EU868 DR0: 51 bytes, so k = ⌊(51 − 5) / 4⌋ = 11.
  const outage = { fromMs: 0, toMs: 30 * MINUTE };
  const { p, lora, uplink, heard } = overLoraWan({
    sim: { absent: demoDeviceIds().filter((id) => id !== 'smoke-pump-room'), models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 5, durationMinutes: 5 } } } },
    gateway: { flushEveryMs: 60 * MINUTE },
  }, { dataRate: 0, adr: false });
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

test('an alert overtakes queued data: it goes in the first duty-cycle-legal slot after the frame on the air, confirmed', async (t) => {
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
  t.true(alert?.confirmed === true, 'confirmed at the LoRaWAN layer');
  t.is(all.find((m) => m.atMs > raisedAt), alert, 'the first frame on the air after the alarm is the alert: no data or status went first');
  t.true(all.some((m) => m.type === 'batch' && m.atMs > (alert?.atMs ?? Infinity)), 'the queued data followed');
  const previous = all.filter((m) => m.atMs < (alert?.atMs ?? 0)).at(-1);
  // At DR0 a 51-byte frame takes ~2.8 s of air, and the 1 % band then stays closed ~277 s: the first legal slot.
  t.true((alert?.atMs ?? Infinity) - (previous?.atMs ?? 0) < 290_000, `in the first duty-cycle-legal slot after the frame before it (${((alert?.atMs ?? 0) - (previous?.atMs ?? 0)) / 1000} s)`);
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
