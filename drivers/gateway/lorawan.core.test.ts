/**
 * The gateway end to end over LoRaWAN: the demo site's simulated devices →
 * Gateway → LoraWanUplink → our class A MAC → the simulated LoRa channel →
 * a test network server, all on one virtual clock. Assertions are on what
 * the network decoded (with the platform's decoder), never on gateway
 * internals alone. Node and XS run the same scenarios.
 */
import { test } from '../../test/kit/core-test.js';
import { createBench, ABP_DEVADDR, type Bench } from '../lorawan/mac/test-support.js';
import { LoraWanUplink } from '../lorawan/mac/uplink.js';
import { FPORT } from '../lorawan/mac/fport.js';
import { decodeUplink, type DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import { encodeDownlink } from './downlink.js';
import { MINUTE, Pipeline, type PipelineOptions } from './test-support.js';

const HOUR = 60 * MINUTE;

type Heard = DecodedUplink & { atMs: number; fCnt: number; ack: boolean; confirmed: boolean };

/** A gateway whose uplink is the LoRaWAN MAC of `bench` (EU868, ABP, DR5 so a backlog drains in minutes). */
function overLoraWan(options: PipelineOptions): { p: Pipeline; lora: Bench; uplink: LoraWanUplink; heard: () => Heard[] } {
  const lora = createBench({ region: 'EU868', activation: 'abp', mac: { dataRate: 5 } });
  // Only the MAC's own counters and keys are checked here; the NS side's MIC check costs XS most of its time.
  const uplink = new LoraWanUplink(lora.mac);
  const p = new Pipeline({ ...options, clock: lora.clock, uplinkPort: uplink });
  const heard = () => lora.network.uplinksOf(ABP_DEVADDR)
    .filter((u) => u.fPort !== undefined && u.fPort > 0)
    .map((u) => ({ ...decodeUplink(u.payload, p.gateway.channelTable), atMs: u.atMs, fCnt: u.fCnt, ack: u.ack, confirmed: u.confirmed }));
  return { p, lora, uplink, heard };
}

test('6-hour network-server outage over LoRaWAN: nothing lost, alerts first on recovery', async (t) => {
  const outage = { fromMs: 1 * HOUR, toMs: 7 * HOUR };
  const { p, lora, heard } = overLoraWan({
    devices: ['underpass-longhua', 'smoke-pump-room'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 3 * 60, durationMinutes: 30 } } } },
    gateway: { flushEveryMs: 30 * MINUTE },
  });
  lora.network.outages.push(outage);
  p.gateway.start();
  await p.until(outage.toMs - 1);
  const during = p.gateway.stats();
  t.true(during.store.pendingAlerts >= 2, `the smoke alarm and its clear wait in the log (${during.store.pendingAlerts} alerts)`);
  t.true(during.store.pendingReadings > 0, 'batches wait in the log');
  t.is(heard().filter((m) => m.atMs >= outage.fromMs).length, 0, 'the network heard nothing during the outage');
  t.true(lora.mac.counters.confirmedFailed > 0, 'frames went unacknowledged and stayed in the log');

  await p.until(outage.toMs + HOUR);
  p.gateway.flush();
  await p.until(outage.toMs + HOUR + 10 * MINUTE);
  const stats = p.gateway.stats();
  const all = heard();
  const after = all.filter((m) => m.atMs >= outage.toMs);
  const alertsAfter = after.findIndex((m) => m.type !== 'alert');
  t.is(alertsAfter, during.store.pendingAlerts, 'on recovery: every waiting alert first…');
  t.is(after[alertsAfter]?.type, 'status', '…then a status…');
  t.true(after.slice(alertsAfter + 1).some((m) => m.type === 'batch'), '…then the backlog');
  t.true(after[0].atMs <= outage.toMs + 3 * MINUTE, `back within minutes of the network (${(after[0].atMs - outage.toMs) / 1000} s)`);
  const status = after[alertsAfter];
  if (status.type === 'status') {
    t.is(status.status.dropped, 0, 'nothing dropped');
    t.true(status.status.queued > 0, 'the status reports the backlog');
  }

  t.is(stats.store.pendingAlerts + stats.store.pendingReadings, 0, 'the log is empty');
  // A loop, not flatMap: XS's flatMap overflows its native stack past ~3,000 elements.
  const readings: Array<{ device: string; point: string; t: number }> = [];
  for (const m of all) if (m.type === 'batch') for (const r of m.readings) readings.push(r);
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the network');
  t.is(new Set(readings.map((r) => `${r.device}.${r.point}@${r.t}`)).size, readings.length, 'and none twice');
  const alerts = all.flatMap((m) => (m.type === 'alert' ? [`${m.alert.rule} ${m.alert.level} ${m.alert.state} @${m.alert.t}`] : []));
  t.is(alerts.length, stats.alerts, 'every alert event reached the network');
  t.is(new Set(alerts).size, alerts.length, 'each once (retransmissions reuse their FCnt and are not delivered twice)');
  t.true(alerts.some((a) => a.startsWith('smoke-pump-room-smoke critical raised')), 'the smoke alarm raised during the outage arrived');
  t.deepEqual(lora.network.problems, [], 'no MIC failure, no counter reuse');
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
