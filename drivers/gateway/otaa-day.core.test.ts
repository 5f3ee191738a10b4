/**
 * A whole simulated day of the gateway over LoRaWAN OTAA, on Node and inside
 * XS: the demo site's simulated devices → Gateway → LoraWanUplink → our class
 * A MAC → the simulated LoRa channel → the MAC's test network with the
 * reference ack service beside it, on one virtual clock. The MAC joins at
 * the first frame and is told to join again twice during the day (new
 * session keys, frame counters from 0), while the smoke alarm goes off and
 * clears. What the network decoded is checked the way a platform reads it
 * (sequenced data frames deduplicated by their sequence number).
 *
 * Long runs used to stop XS with "stack overflow" after 6–12 simulated hours.
 * The gateway was not the cause: the test bench's Pipeline.errors() ran
 * flatMap over every event of the run, and XS's flatMap keeps a stack slot
 * per element until it returns. This day has well over that many events.
 */
import { test } from '../../test/kit/core-test.js';
import { createBench, OTAA_DEVADDR } from '../lorawan/mac/test-support.js';
import { LoraWanUplink } from '../lorawan/mac/uplink.js';
import { alertsIn, decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { attachAckServiceToTestNetwork } from '../../simulators/ack-service/test-network.js';
import { MINUTE, Pipeline } from './test-support.js';

const HOUR = 60 * MINUTE;
/** More events than XS's flatMap survives on xsnap's 4,096-slot stack (it fails at about 3,900). */
const EVENTS_PAST_FLATMAP_LIMIT = 4000;

test('a simulated day over LoRaWAN OTAA with two re-joins: every sample reaches the platform once, alerts unconfirmed and released by data-acks, no error, and XS finishes it', async (t) => {
  const lora = createBench({ region: 'EU868', activation: 'otaa', mac: { dataRate: 5 } });
  const acks = attachAckServiceToTestNetwork(lora.network, OTAA_DEVADDR);
  const p = new Pipeline({
    devices: ['underpass-longhua', 'smoke-pump-room'],
    clock: lora.clock,
    uplinkPort: new LoraWanUplink(lora.mac),
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 9 * 60, durationMinutes: 20 } } } },
    gateway: { flushEveryMs: 30 * MINUTE },
  });
  p.gateway.start();
  // Re-joins as an application asks for them (a new session at once); they queue behind any frame on the air.
  const rejoins: Array<Promise<void>> = [];
  for (const atHour of [8, 16]) {
    await p.until(atHour * HOUR);
    rejoins.push(lora.mac.join());
  }
  await p.until(24 * HOUR);
  p.gateway.flush();
  await p.until(24 * HOUR + 10 * MINUTE);
  await Promise.all(rejoins);

  const accepted = lora.network.joinRequests.filter((j) => j.accepted);
  t.is(accepted.length, 3, `the first join and two re-joins were accepted (${lora.network.joinRequests.length} join requests)`);
  t.true(accepted[1].atMs >= 8 * HOUR && accepted[2].atMs >= 16 * HOUR, 'the re-joins happened when asked');
  const uplinks = lora.network.uplinksOf(OTAA_DEVADDR).filter((u) => (u.fPort ?? 0) > 0);
  t.true(uplinks.some((u) => u.atMs > accepted[2].atMs && u.fCnt === 0), 'frame counters start again at 0 in a new session');
  t.true(uplinks.length > 60, `dozens of application uplinks (${uplinks.length})`);

  // The platform's reading: a sequenced data frame whose seq it has seen is a resend, dropped.
  const seen = new Set<number>();
  const readings: string[] = [];
  const alerts: string[] = [];
  let confirmedAlerts = 0;
  for (const u of uplinks) {
    const message = decodeUplink(u.payload, p.gateway.channelTable);
    if (message.type === 'batch') {
      if (message.seq !== undefined && seen.has(message.seq)) continue;
      if (message.seq !== undefined) seen.add(message.seq);
      for (const r of message.readings) readings.push(`${r.device}.${r.point}@${r.t}`);
    }
    for (const a of alertsIn(message)) {
      alerts.push(`${a.rule} ${a.level} ${a.state} @${a.t}`);
      if (u.confirmed) confirmedAlerts++;
    }
  }
  const stats = p.gateway.stats();
  t.true(stats.samples > 1000, `a day of samples (${stats.samples})`);
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the platform');
  t.is(new Set(readings).size, readings.length, 'none twice');
  t.is(new Set(alerts).size, stats.alerts, `every alert event reached the network (${stats.alerts})`);
  t.is(confirmedAlerts, 0, 'alerts went unconfirmed, sequenced, and the data-acks released them');
  t.true(alerts.some((a) => a.startsWith('smoke-pump-room-smoke critical raised')) && alerts.some((a) => a.startsWith('smoke-pump-room-smoke critical cleared')), 'the smoke alarm and its clear among them');
  t.true(acks.acks.length > 0, `data-acks came down (${acks.acks.length})`);
  t.true(stats.store.pendingAlerts === 0 || (stats.uplink.alertFramesAwaitingAck ?? 0) > 0, 'no alert waits unsent');
  t.true(stats.store.pendingReadings <= (stats.uplink.awaitingAck ?? 0), 'the log holds only frames since the last data-ack');
  t.deepEqual(lora.network.problems, [], 'no MIC failure, no counter reuse');
  t.true(p.events.length > EVENTS_PAST_FLATMAP_LIMIT, `a day of gateway events (${p.events.length})`);
  t.deepEqual(p.errors(), [], 'the gateway reported no error all day');
  await p.close();
});
