/**
 * The acceptance point "a 6-hour network-server outage loses nothing and
 * alerts go first on recovery, with application acks", checked against the
 * full network-server simulator (MIC check, counter tracking and decryption
 * by lora-packet: the independent side), in virtual time:
 *
 *   demo-site simulated Modbus devices → Gateway → LoraWanUplink → LoraWanMac
 *   (EU868, OTAA) → SimulatedLoraChannel → LoraNetworkServer (down 1 h → 7 h)
 *   → the reference ack service, whose data-acks release the gateway's log
 *
 * Data and status go unconfirmed; alerts go confirmed (docs/app-ack.md).
 *
 * drivers/gateway/lorawan.core.test.ts runs the same scenario against the
 * MAC's small TestNetwork (Node and XS); this one asks the real simulator.
 *
 * Why EU868 at DR5: EU868's 1 % duty cycle is what makes an outage expensive
 * (every alert retry and data probe sent into the outage spends airtime the
 * backlog needs afterwards, and the retries step down to slower DRs), so it
 * is the region to prove the point in; the test also checks the 1 % over the
 * air. The MAC starts at DR5 (SF7, frames up to 242 bytes) so six
 * hours of backlog drain within the hour after recovery; starting at DR0
 * would leave the drain to the network's ADR and make it slow. ADR stays on
 * at both ends, as on the demo site: should the MAC's ADR back-off (no
 * downlink for ADR_ACK_LIMIT + ADR_ACK_DELAY frames) lower the DR during
 * the outage, the network's ADR raises it again.
 *
 * Besides the 6-hour outage the server blinks for 3 s right after it heard
 * the first frame that made a data-ack due, so that data-ack is lost: the
 * gateway's request goes unanswered, it resends the frame, the ack service
 * knows it as a duplicate (the platform keeps its readings once) and
 * acknowledges again. The lost-ack path is exercised, not only counted as zero.
 *
 * Assertions are on what the network server decoded ('up' events), what went
 * over the air, and the server's own counters, never on gateway internals
 * alone: nothing decoded during the outage although frames were sent into
 * it; on recovery every waiting alert before the data backlog, a status
 * (dropped 0), the backlog drained within the hour; every sample (as the
 * platform keeps them, duplicates dropped) and every alert event decoded
 * exactly once; no MIC failure, no replay; every downlink planned went out
 * and the device took it.
 */
import test from 'ava';
import { MINUTE } from '../../drivers/gateway/test-support.js';
import { alertsIn, type DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import { gatewayOverNetworkServer } from './gateway-bench.js';
import type { Outage } from './network-server.js';

const HOUR = 60 * MINUTE;

const DEV_EUI = '0004a30b001c0868';

/** Device ↔ gateway path loss, dB: SNR ≈ +23 dB with EU868's 16 dBm, far above SF7's floor. */
const PATH_LOSS_DB = 110;

/** An application uplink the network server accepted and decoded. */
interface Heard {
  /** Clock.now() when the server emitted it (the end of the uplink). */
  atMs: number;
  fCnt: number;
  confirmed: boolean;
  dataRate: number;
  decoded: DecodedUplink;
  /** The ack service's verdict: a resend whose readings the platform already has. */
  duplicate: boolean;
}

test('EU868 chain, full network server: a 6-hour outage loses nothing and alerts go first on recovery', async (t) => {
  const started = Date.now();
  const outage: Outage = { fromMs: 1 * HOUR, toMs: 7 * HOUR };
  const inOutage = (ms: number) => ms >= outage.fromMs && ms < outage.toMs;
  // A blip before the real outage: the server goes down for 3 s just after it heard the first frame that
  // made a data-ack due, so that data-ack is lost (both receive windows fall into it) while the server is
  // back for the gateway's resend. Set from the events, not from a hard-coded time, so it follows the timing.
  let blip: Outage | undefined;
  const { clock, region, mac, p, ns, onAir, nsEvents, acks, close } = gatewayOverNetworkServer({
    region: 'EU868',
    seed: 868,
    devEui: DEV_EUI,
    pathLossDb: PATH_LOSS_DB,
    mac: { dataRate: 5 },
    // A level gauge and a smoke detector whose alarm goes off at 3 h, in the middle of the outage, for 30 minutes.
    pipeline: {
      devices: ['underpass-longhua', 'smoke-pump-room'],
      sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 3 * 60, durationMinutes: 30 } } } },
      // Ask for a data-ack after 30 min (default 60), so one falls due before the outage for the blip to swallow.
      gateway: { flushEveryMs: 15 * MINUTE, appAck: { requestAfterMs: 30 * MINUTE } },
    },
    ns: { outages: [outage] },
  });
  t.teardown(close);
  // After the ack service (it attached first), before the server plans this uplink's windows.
  ns.onEvent((event) => {
    if (blip !== undefined || event.type !== 'up' || acks.verdictOf(event)?.ack === undefined || clock.now() + 3000 >= outage.fromMs) return;
    blip = { fromMs: clock.now() + 1, toMs: clock.now() + 3000 };
    ns.addOutage(blip);
  });
  const heard = (): Heard[] => nsEvents.flatMap((e) => {
    if (e.type !== 'up' || e.fPort === undefined || e.fPort === 0) return [];
    if (e.dataRate === undefined || e.decoded === undefined) throw new Error(`FCnt ${e.fCnt}: no data rate or not decodable (${e.decodeError ?? ''})`);
    return [{ atMs: e.atMs, fCnt: e.fCnt, confirmed: e.confirmed, dataRate: e.dataRate, decoded: e.decoded, duplicate: e.duplicate === true }];
  });

  await clock.run(mac.join());
  t.is(mac.dataRate, 5, 'after the join the device sends at DR5');
  p.gateway.start();

  // 1. During the outage: the gateway keeps trying, the server hears nothing, the log holds everything.
  await p.until(outage.toMs - 1);
  const during = p.gateway.stats();
  t.true(during.store.pendingAlerts >= 2, `the smoke alarm and its clear wait in the log (${during.store.pendingAlerts} alerts)`);
  t.true(during.store.pendingReadings > 0, 'batches wait in the log');
  t.is(heard().filter((h) => h.atMs >= outage.fromMs).length, 0, 'the network decoded nothing during the outage');
  const sentIntoOutage = onAir.filter((u) => inOutage(u.endMs)).length;
  t.true(sentIntoOutage > 0, 'frames were sent into the outage');
  t.is(ns.stats.rejected.outage, sentIntoOutage, 'and the server dropped every one of them, unheard');
  t.is(mac.counters.confirmedFailed, 0, 'nothing was confirmed at the LoRaWAN layer: the alerts went unconfirmed and stayed in the log until a data-ack');
  const dataRateAtRecovery = mac.dataRate;

  // 2. Recovery: the backlog drains within the hour (checked minute by minute: nothing waits in the log
  //    but the frames on the air since the last data-ack), then frame what is still queued and let it drain too.
  let drainedAtMs: number | undefined;
  for (let ms = outage.toMs + MINUTE; ms <= outage.toMs + HOUR; ms += MINUTE) {
    await p.until(ms);
    const { store, uplink } = p.gateway.stats();
    if (store.pendingAlerts === 0 && store.pendingReadings === uplink.awaitingAck && (uplink.awaitingAck ?? 99) < 16) {
      drainedAtMs = ms;
      break;
    }
  }
  t.true(drainedAtMs !== undefined, 'the backlog drained within the hour after recovery');
  await p.until(outage.toMs + HOUR);
  p.gateway.flush();
  await p.until(outage.toMs + HOUR + 10 * MINUTE);
  const stats = p.gateway.stats();
  const all = heard();
  const after = all.filter((h) => h.atMs >= outage.toMs);
  // The first frames back (a status, new data) show the platform what it missed; its data-ack reports the outage's
  // frames missing and the gateway resends the alerts before any of the data backlog.
  const seqOf = (h: (typeof after)[number]) => (h.decoded.type === 'status' ? undefined : h.decoded.seq);
  const resentData = after.findIndex((h, i) => h.decoded.type === 'batch' && after.slice(0, i).some((x) => x.decoded.type === 'batch' && (seqOf(x) ?? 0) > (seqOf(h) ?? 0)));
  t.true(resentData > 0, 'the data backlog was resent');
  const alertsBack = new Set(after.slice(0, resentData).flatMap((h) => alertsIn(h.decoded)).map((a) => `${a.rule} ${a.level} ${a.state} @${a.t}`));
  t.is(alertsBack.size, during.store.pendingAlerts, 'on recovery: every waiting alert before the data backlog…');
  t.true(after.slice(resentData).some((h) => h.decoded.type === 'batch'), '…then the backlog');
  const firstAlertMs = (after.find((h) => alertsIn(h.decoded).length > 0)?.atMs ?? Infinity) - outage.toMs;
  t.true(firstAlertMs <= 5 * MINUTE, `the first alert within minutes of the network (${firstAlertMs / 1000} s)`);
  const status = after.find((h) => h.decoded.type === 'status')?.decoded;
  t.truthy(status, 'a status after the recovery');
  if (status?.type === 'status') t.is(status.status.dropped, 0, 'nothing dropped');

  // 3. Nothing lost, nothing twice, as decoded by the network server and kept by the platform.
  // Alerts go unconfirmed and wait in the log only while their frames await the platform's next data-ack.
  t.true(stats.store.pendingAlerts === 0 || (stats.uplink.alertFramesAwaitingAck ?? 0) > 0, 'no alert waits unsent');
  t.true(stats.store.pendingReadings <= 16, `the log holds only frames on the air since the last data-acks (${stats.store.pendingReadings}; a resent frame rides the next request)`);
  t.is(stats.store.droppedReadings, 0);
  const readings = all.flatMap((h) => (h.decoded.type === 'batch' && !h.duplicate ? h.decoded.readings : []));
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the network');
  t.is(new Set(readings.map((r) => `${r.device}.${r.point}@${r.t}`)).size, readings.length, 'and none twice');
  // As the platform keeps them: an alert frame's copies are duplicates by sequence number.
  const alerts = all.flatMap((h) => (h.duplicate ? [] : alertsIn(h.decoded).map((a) => `${a.rule} ${a.level} ${a.state} @${a.t}`)));
  t.is(alerts.length, stats.alerts, 'every alert event reached the network');
  t.is(new Set(alerts).size, alerts.length, 'each once');
  t.true(alerts.some((a) => a.startsWith('smoke-pump-room-smoke critical raised')), 'the smoke alarm raised during the outage arrived');

  // 4. The server's own books: no MIC failure, no replay; every frame on the air reached it once and is
  //    accounted for; every frame went unconfirmed; the blip's data-ack was lost, the gateway
  //    resent the frame, the ack service knew it as a duplicate and acknowledged again; every downlink
  //    planned went out and the device took it.
  const { rejected } = ns.stats;
  t.is(rejected.mic, 0, 'no MIC failure');
  t.is(rejected.replay, 0, 'no counter replay');
  t.deepEqual({ ...rejected, outage: 0 }, { outage: 0, malformed: 0, unsupported: 0, 'unknown-device': 0, mic: 0, replay: 0, 'devnonce-replay': 0 }, 'nothing rejected but for the outage');
  t.true(rejected.outage > 0, `frames were sent into the outage (${rejected.outage})`);
  const dataOnAir = onAir.filter((u) => u.mType === 2 || u.mType === 4);
  t.is(dataOnAir.length, mac.counters.uplinks, 'the gateway heard every data frame the MAC sent');
  t.is(ns.stats.received, onAir.length, 'and handed each to the server');
  t.is(ns.stats.received, ns.stats.joinsAccepted + ns.stats.uplinksAccepted + ns.stats.retransmissions + ns.stats.duplicates + rejected.outage, 'every frame the server got is accounted for');
  t.is(ns.stats.duplicates, 0, 'one gateway: no duplicate receptions');
  t.is(all.length, ns.stats.uplinksAccepted, 'every accepted uplink was an application frame, decoded');
  t.is(new Set(all.map((h) => h.fCnt)).size, all.length, 'no FCnt delivered twice');
  t.true(all.every((h) => !h.confirmed), 'every frame went unconfirmed: alerts and data are acknowledged by the platform');
  t.truthy(blip, 'a data-ack fell due before the outage');
  t.true(ns.stats.downlinksLostInOutage >= 1, 'the blip swallowed that data-ack');
  const resentAfterBlip = all.find((h) => blip !== undefined && h.atMs > blip.toMs && h.duplicate);
  t.truthy(resentAfterBlip, 'the gateway resent the frame whose data-ack was lost, and the platform knew it as a duplicate');
  t.true((resentAfterBlip?.atMs ?? Infinity) < outage.fromMs, 'before the outage');
  t.true(ns.stats.retransmissions <= mac.counters.retransmissions, `the server saw ${ns.stats.retransmissions} of the MAC's ${mac.counters.retransmissions} alert retransmissions (the rest went into the outage)`);
  t.true(acks.policy.stats.acks > 0 && acks.policy.stats.acks * 3 < acks.policy.stats.frames, `one data-ack for several frames (${acks.policy.stats.acks} for ${acks.policy.stats.frames})`);
  t.is(ns.stats.downlinksSent, ns.stats.downlinksPlanned, 'every downlink planned went on the air…');
  t.is(ns.stats.downlinksFailed, 0);
  t.is(mac.counters.downlinks, ns.stats.downlinksSent - ns.stats.joinsAccepted, '…and the device took it');
  t.deepEqual(Object.values(mac.counters.rejected).filter((n) => n > 0), [], 'the device rejected no downlink');

  // 5. The 1 % duty cycle held over the air, retries into the outage included: in every sub-band,
  //    the airtime of the device's frames ending within any hour is at most dutyCycle × 1 h.
  const worstHour = new Map<string, { used: number; budget: number; endMs: number }>();
  for (let k = 0; k < onAir.length; k++) {
    const band = region.subBandOf(onAir[k].freqHz);
    if (band === undefined) throw new Error(`${onAir[k].freqHz} Hz is outside EU868`);
    let used = 0;
    for (let j = k; j >= 0 && onAir[j].endMs > onAir[k].endMs - HOUR; j--) if (region.subBandOf(onAir[j].freqHz) === band) used += onAir[j].airtimeMs;
    if (used > (worstHour.get(band.name)?.used ?? -1)) worstHour.set(band.name, { used, budget: band.dutyCycle * HOUR, endMs: onAir[k].endMs });
  }
  for (const [name, worst] of worstHour) {
    t.true(worst.used <= worst.budget + 1e-6, `${name}: ${worst.used.toFixed(1)} ms of airtime in the hour up to ${worst.endMs} ms (at most ${worst.budget})`);
  }
  t.deepEqual(nsEvents.filter((e) => e.type === 'log' && e.level !== 'INFO').map((e) => (e.type === 'log' ? `${e.code} ${e.description}` : '')), [], 'no warning or error from the network server');

  await p.close();
  t.deepEqual(p.errors(), []);

  const batches = all.filter((h) => h.decoded.type === 'batch');
  const lastBatchMs = batches.length > 0 ? batches[batches.length - 1].atMs : 0;
  const airtimeIntoOutage = onAir.filter((u) => inOutage(u.endMs)).reduce((sum, u) => sum + u.airtimeMs, 0);
  t.log(`duty cycle: ${(airtimeIntoOutage / 1000).toFixed(1)} s of airtime spent into the outage; busiest hour per sub-band ${[...worstHour].map(([name, w]) => `${name} ${(w.used / 1000).toFixed(1)} s of ${w.budget / 1000} s`).join(', ')}`);
  t.log(`outage: ${sentIntoOutage} frames sent into it (server: ${rejected.outage} rejected), ${mac.counters.confirmedFailed} confirmed alerts unacknowledged, ${ns.stats.downlinksLostInOutage} downlinks lost (the blip's data-ack among them); data-acks ${acks.policy.stats.acks} for ${acks.policy.stats.frames} sequenced frames (${acks.policy.stats.duplicates} duplicates), ${ns.stats.downlinksSent} downlinks for ${ns.stats.uplinksAccepted} uplinks`);
  t.log(`retransmissions: MAC ${mac.counters.retransmissions}, heard by the server ${ns.stats.retransmissions}; DR at recovery DR${dataRateAtRecovery}, at the end DR${mac.dataRate}`);
  t.log(`recovery: first alert decoded ${(firstAlertMs / 1000).toFixed(1)} s after, order ${after.slice(0, resentData + 3).map((h) => h.decoded.type).join(' ')} …; log empty ${((drainedAtMs ?? NaN) - outage.toMs) / MINUTE} min after (checked each minute), last batch ${((lastBatchMs - outage.toMs) / MINUTE).toFixed(1)} min after`);
  t.log(`alerts: ${alerts.join('; ')}`);
  t.log(`${readings.length} readings in ${batches.length} batches, ${all.length} frames decoded (${dataOnAir.length} data frames on air), ${stats.samples} samples taken (${stats.queuedSamples} still queued); wall ${Date.now() - started} ms`);
});
