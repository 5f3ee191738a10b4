/**
 * A gateway built some time before it is started (the host waits for its
 * storage, its network or a staggered start) polls nothing until start(), so
 * no device can be called silent before then. The offline watches used to
 * count from construction: in the fleet simulator a gateway started 70 s after
 * it was built raised critical "silent for 3 poll periods" alerts for both
 * smoke detectors at 35 s, never having polled them, and cleared them at its
 * first poll.
 */
import { test } from '../../test/kit/core-test.js';
import { MINUTE, Pipeline } from './test-support.js';

test('offline alerts count from start(), not from construction: a late start raises none for devices that answer', async (t) => {
  const p = new Pipeline({ devices: ['smoke-pump-room', 'smoke-substation', 'hydrant-north'] });
  await p.until(2 * MINUTE);
  p.gateway.start();
  await p.until(4 * MINUTE);
  await p.close();
  t.deepEqual(p.alertLines(), [], 'no device was silent once polling began');
  t.deepEqual(p.errors(), []);
});

test('a device that never answers is still reported three periods after start', async (t) => {
  const p = new Pipeline({ devices: ['smoke-pump-room', 'hydrant-north'], sim: { absent: ['smoke-pump-room'] } });
  await p.until(2 * MINUTE);
  p.gateway.start();
  await p.until(4 * MINUTE);
  await p.close();
  const offline = p.events.filter((e) => e.kind === 'alert' && e.alert.rule === 'smoke-pump-room-offline');
  t.is(offline.length, 1, p.alertLines().join('; '));
  const at = offline[0]?.atMs ?? 0;
  // The detector is polled every 10 s: silent for 3 periods after start (2 min), checked at a poll or the watchdog.
  t.true(at >= 2 * MINUTE + 30_000 && at <= 2 * MINUTE + 40_000, `raised ${(at - 2 * MINUTE) / 1000} s after start`);
});
