/**
 * The status message at start: sent once, when the uplink first takes it. A
 * link that comes up a moment after the gateway (MQTT connecting, a LoRaWAN
 * join) used to get two: the failed first attempt counted as an outage, and
 * the status that ended it asked for one more.
 */
import { test } from '../../test/kit/core-test.js';
import { MINUTE, Pipeline } from './test-support.js';

test('uplink up a few seconds after start: one status message, not two', async (t) => {
  const p = new Pipeline({ devices: ['hydrant-north'], uplink: { offline: [{ fromMs: 0, toMs: 5000 }] } });
  p.gateway.start();
  await p.until(MINUTE);
  await p.close();
  t.true(p.uplink.failures >= 1, 'the first attempt found the link down');
  t.is(p.uplink.decoded('status').length, 1);
});

test('after an outage in mid-run: the frames waiting are sent, then one status says what was queued and dropped', async (t) => {
  const p = new Pipeline({ devices: ['hydrant-north'], uplink: { offline: [{ fromMs: 2 * MINUTE, toMs: 12 * MINUTE }] } });
  p.gateway.start();
  await p.until(20 * MINUTE);
  await p.close();
  const statusTimes = p.uplink.decoded('status').map((m) => m.atMs);
  t.is(statusTimes.length, 2, `at start and after the outage: ${statusTimes.join(', ')}`);
  t.true(statusTimes[1] >= 12 * MINUTE);
});
