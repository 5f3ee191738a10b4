import { test } from '../../test/kit/core-test.js';
import { VirtualClock } from './virtual-clock.js';
import { sleep } from './clock.js';

test('virtual clock fires timers in due order, ties in scheduling order', async (t) => {
  const clock = new VirtualClock();
  const fired: string[] = [];
  clock.schedule(20, () => fired.push('b'));
  clock.schedule(10, () => fired.push('a'));
  clock.schedule(20, () => fired.push('c'));
  await clock.advance(15);
  t.deepEqual(fired, ['a']);
  t.is(clock.now(), 15);
  await clock.advance(5);
  t.deepEqual(fired, ['a', 'b', 'c']);
});

test('virtual clock lets async code observe time through sleep()', async (t) => {
  const clock = new VirtualClock({ startMs: 1000 });
  const seen: number[] = [];
  const job = (async () => {
    await sleep(clock, 100);
    seen.push(clock.now());
    await sleep(clock, 250);
    seen.push(clock.now());
    return 'done';
  })();
  t.is(await clock.run(job), 'done');
  t.deepEqual(seen, [1100, 1350]);
});

test('cancelled timers never fire', async (t) => {
  const clock = new VirtualClock();
  let fired = false;
  const handle = clock.schedule(5, () => {
    fired = true;
  });
  clock.cancel(handle);
  await clock.advance(10);
  t.false(fired);
  t.is(clock.pending, 0);
});
