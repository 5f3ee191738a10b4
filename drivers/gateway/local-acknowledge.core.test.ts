/**
 * An alarm acknowledged at the gateway (the Pi's status page button calls
 * Gateway.acknowledge) has exactly the effect of an acknowledge downlink: the
 * platform hears an 'acknowledged' alert, the alarm stays active (marked
 * acknowledged) until its condition clears, and a second press changes nothing.
 */
import { test } from '../../test/kit/core-test.js';
import { encodeDownlink } from './downlink.js';
import { MINUTE, Pipeline } from './test-support.js';

const RULE = 'smoke-pump-room-smoke';

function smokePipeline(): Pipeline {
  return new Pipeline({
    devices: ['smoke-pump-room'],
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 2, durationMinutes: 60 } } } },
    gateway: { flushEveryMs: 15 * MINUTE },
  });
}

test('a local acknowledge does what the acknowledge downlink does', async (t) => {
  const local = smokePipeline();
  const remote = smokePipeline();
  for (const p of [local, remote]) {
    p.gateway.start();
    await p.until(4 * MINUTE);
    t.deepEqual(p.gateway.stats().activeAlarms.map((a) => `${a.rule} ${a.level} ${a.acknowledged}`), [`${RULE} critical false`]);
  }
  t.is(local.gateway.acknowledge(RULE), 1, 'one level newly acknowledged');
  remote.uplink.downlink(10, encodeDownlink({ kind: 'acknowledge', rule: RULE }, remote.gateway.channelTable));
  for (const p of [local, remote]) {
    await p.until(5 * MINUTE);
    t.deepEqual(p.alertLines(RULE), [`${RULE} critical raised`, `${RULE} critical acknowledged`]);
    t.deepEqual(p.gateway.stats().activeAlarms.map((a) => `${a.rule} ${a.level} ${a.acknowledged}`), [`${RULE} critical true`], 'still active, now acknowledged');
  }
  t.is(local.gateway.acknowledge(RULE), 0, 'pressed again: nothing new');
  t.is(local.gateway.acknowledge('no-such-rule'), 0);
  for (const p of [local, remote]) {
    await p.close();
    t.deepEqual(p.errors(), []);
  }
});
