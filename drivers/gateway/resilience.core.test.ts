/**
 * Gateway pipeline scenarios: a dead device, an uplink outage, a reboot and
 * downlinks, in virtual time against the demo site's simulated devices.
 * Assertions are on what the far side decoded.
 */
import { test } from '../../test/kit/core-test.js';
import { MemoryKeyValueStore } from '../ports/storage.js';
import { encodeDownlink } from './downlink.js';
import { KV_CHUNK_BYTES, loadBlob, saveBlob } from './kv-blob.js';
import { MINUTE, Pipeline } from './test-support.js';

test('dead device: an offline alert after 3 periods; every other device keeps its schedule', async (t) => {
  const p = new Pipeline({ devices: undefined, sim: { absent: ['hydrant-north'] } });
  p.gateway.start();
  await p.until(12 * MINUTE);
  await p.close();
  const offline = p.uplink.alerts().filter((a) => a.device === 'hydrant-north');
  t.deepEqual(offline.map((a) => `${a.rule} ${a.level} ${a.state}`), ['hydrant-north-offline warning raised']);
  // 3 periods of 60 s, checked at the poll that fails on or after the deadline.
  t.true(offline[0].atMs >= 3 * MINUTE && offline[0].atMs <= 4 * MINUTE + 2000, `offline alert at ${offline[0].atMs / 1000} s`);
  t.deepEqual(p.uplink.alerts().filter((a) => a.device !== 'hydrant-north').map((a) => a.rule), [], 'nobody else is reported');

  const periods = new Map(p.site.buses.flatMap((bus) => bus.devices.map((d) => [d.id, (d.pollPeriodS ?? p.manifests.get(d.manifest)?.pollPeriodS ?? 0) * 1000] as const)));
  for (const [device, period] of periods) {
    if (device === 'hydrant-north') continue;
    const starts = p.polls(device).map((e) => e.atMs - e.poll.durationMs).filter((start) => start < 12 * MINUTE);
    t.is(starts.length, Math.ceil((12 * MINUTE) / period), `${device} polled every ${period / 1000} s`);
    // Late by at most a dead poll (500 ms × 2 attempts), the start-up cycle (~0.7 s) and a smoke poll or two that outrank it: seconds, never a period.
    const late = Math.max(...starts.map((start, k) => start - k * period));
    t.true(late <= 3000, `${device} at most ${late} ms late`);
  }
});

test('uplink outage: nothing lost, alerts first on recovery, samples in = readings decoded at the far side', async (t) => {
  const outage = { fromMs: 10 * MINUTE, toMs: 40 * MINUTE };
  const p = new Pipeline({
    devices: ['underpass-longhua', 'smoke-pump-room', 'hydrant-north', 'pump-room-climate'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 20, durationMinutes: 5 } } } },
    uplink: { offline: [outage], latencyMs: 500 },
  });
  p.gateway.start();
  await p.until(outage.toMs - 1);
  t.is(p.uplink.alerts().length, 0, 'nothing got through during the outage');
  const during = p.gateway.stats();
  t.is(during.store.pendingAlerts, 2, 'the smoke alarm and its clear wait in the log');
  t.true(during.store.pendingReadings > 0, 'batches wait in the log');
  t.is(during.uplink.state, 'backoff');

  await p.until(70 * MINUTE);
  p.gateway.flush();
  await p.until(70 * MINUTE + 30_000);
  const stats = p.gateway.stats();
  const after = p.uplink.received.filter((m) => m.atMs >= outage.toMs);
  // The smoke alarm and its clear waited together: one group, acknowledged once (docs/batch-format.md §6.1).
  t.deepEqual(after.slice(0, 2).map((m) => m.decoded?.type), ['alerts', 'status'], 'on recovery: the alerts in one frame, then a status, then the backlog');
  const group = after[0].decoded;
  t.deepEqual(group?.type === 'alerts' ? group.alerts.map((a) => a.state) : [], ['raised', 'cleared'], 'the group carries both waiting alerts');
  t.true(after[0].atMs <= outage.toMs + 60_000 + 500, 'retries are bounded: back within a minute of the link');
  const status = p.uplink.decoded('status').find((m) => m.atMs >= outage.toMs);
  t.is(status?.status.dropped, 0);
  t.true((status?.status.queued ?? 0) > 0, 'the status after recovery reports the backlog');

  const readings = p.uplink.decoded('batch').flatMap((m) => m.readings);
  t.is(stats.store.pendingReadings + stats.store.pendingAlerts, 0, 'the log is empty');
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the far side');
  t.is(new Set(readings.map((r) => `${r.device}.${r.point}@${r.t}`)).size, readings.length, 'and none twice');
  t.true(stats.sendFailures > 0);
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('reboot mid-run: no second raise of an active alarm, the log left behind is delivered', async (t) => {
  const p = new Pipeline({
    devices: ['underpass-longhua', 'smoke-pump-room'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 5, durationMinutes: 20 } } } },
    uplink: { offline: [{ fromMs: 0, toMs: 15 * MINUTE }] },
  });
  p.gateway.start();
  await p.until(10 * MINUTE);
  const before = p.gateway.stats();
  t.is(before.store.pendingAlerts, 1, 'the smoke alarm is in the log, not yet sent');
  const channels = JSON.stringify(p.gateway.channelTable);
  await p.reboot();
  t.is(JSON.stringify(p.gateway.channelTable), channels, 'the same channel and rule numbers after the restart');
  t.deepEqual(p.gateway.stats().activeAlarms.map((a) => `${a.rule} ${a.level}`), ['smoke-pump-room-smoke critical'], 'the alarm is still active');
  await p.until(40 * MINUTE);
  await p.close();
  t.deepEqual(p.alertLines('smoke-pump-room-smoke'), ['smoke-pump-room-smoke critical raised', 'smoke-pump-room-smoke critical cleared']);
  const readings = p.uplink.decoded('batch').flatMap((m) => m.readings);
  const fromFirstRun = readings.filter((r) => r.t < p.clock.unixTimeMs() - p.clock.now() + 10 * MINUTE);
  t.is(fromFirstRun.length, before.samples, 'every sample of the first run was delivered after the reboot');
  t.deepEqual(p.uplink.decoded('status').map((m) => m.status.dropped), [0], 'one status once the link was back: nothing dropped');
  t.deepEqual(p.errors(), []);
});

test('downlinks: an acknowledgement silences the buzzer and is reported; a poll-period change takes effect', async (t) => {
  const p = new Pipeline({
    devices: ['smoke-pump-room', 'hydrant-north'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 1, durationMinutes: 30 } } } },
  });
  p.gateway.start();
  await p.until(2 * MINUTE);
  const table = p.gateway.channelTable;
  p.uplink.downlink(11, encodeDownlink({ kind: 'acknowledge', rule: 'smoke-pump-room-smoke' }, table));
  p.uplink.downlink(11, encodeDownlink({ kind: 'poll-period', device: 'hydrant-north', periodS: 15 }, table));
  await p.until(4 * MINUTE);
  t.deepEqual(p.alertLines('smoke-pump-room-smoke'), ['smoke-pump-room-smoke critical raised', 'smoke-pump-room-smoke critical acknowledged']);
  t.deepEqual(p.gateway.stats().activeAlarms.map((a) => `${a.rule} ${a.acknowledged}`), ['smoke-pump-room-smoke true'], 'acknowledged, still active');
  const starts = p.polls('hydrant-north').map((e) => e.atMs - e.poll.durationMs).filter((ms) => ms > 2 * MINUTE + 1000);
  t.true(starts.length >= 7, `hydrant polled ${starts.length} times in the 2 minutes after the change (every 15 s)`);
  p.uplink.downlink(11, Uint8Array.of(0x7f));
  t.true(p.errors().some((e) => e.includes('unknown downlink type 0x7f')), 'a malformed downlink is reported, not obeyed');
  await p.close();
});

test('ADR lowers the payload limit below stored frames: they are re-cut, every reading still arrives', async (t) => {
  const p = new Pipeline({ devices: ['pump-feeder', 'pump-room-climate'], uplink: { maxPayloadBytes: 242, offline: [{ fromMs: 0, toMs: 20 * MINUTE }] } });
  p.gateway.start();
  await p.until(19 * MINUTE);
  p.uplink.maxPayload = 24; // the data rate fell while the frames waited
  await p.until(30 * MINUTE);
  p.gateway.flush();
  await p.until(31 * MINUTE);
  const stats = p.gateway.stats();
  const frames = p.uplink.decoded('batch');
  t.true(frames.length > 0 && p.uplink.received.every((m) => m.payload.length <= 24), 'nothing above the new limit was sent');
  t.is(frames.reduce((n, m) => n + m.readings.length, 0), stats.samples - stats.queuedSamples);
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('the channel table survives in the meta store in chunks; a torn save keeps the previous table', (t) => {
  const kv = new MemoryKeyValueStore();
  const big = Uint8Array.from({ length: 2 * KV_CHUNK_BYTES + 17 }, (_, i) => i & 0xff);
  saveBlob(kv, 'ct', big);
  t.deepEqual(loadBlob(kv, 'ct'), big);
  const small = Uint8Array.of(1, 2, 3);
  // A power cut after the chunks of the new slot but before the header: the old blob still reads.
  const torn = {
    get: (k: string) => kv.get(k),
    set(k: string, v: Uint8Array) {
      if (k === 'ct') throw new Error('power cut');
      kv.set(k, v);
    },
    delete: (k: string) => kv.delete(k),
  };
  t.throws(() => saveBlob(torn, 'ct', small), { message: 'power cut' });
  t.deepEqual(loadBlob(kv, 'ct'), big);
  saveBlob(kv, 'ct', small);
  t.deepEqual(loadBlob(kv, 'ct'), small);
  t.is(kv.get('cta1'), undefined, 'the old slot is cleaned up');
});
