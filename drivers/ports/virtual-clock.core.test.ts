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

test('thousands of timers scheduled and cancelled at random fire exactly as a sorted list would order them', async (t) => {
  // A reference model: every live timer in a list, fired by (due, scheduling order).
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const clock = new VirtualClock();
  const fired: number[] = [];
  const live: { n: number; due: number; handle: { id: number } }[] = [];
  for (let n = 0; n < 3000; n++) {
    const delay = Math.floor(next() * 50); // many equal due times: the FIFO tie-break matters
    const handle = clock.schedule(delay, () => fired.push(n));
    live.push({ n, due: delay, handle });
    if (next() < 0.3) {
      const victim = live.splice(Math.floor(next() * live.length), 1)[0];
      clock.cancel(victim.handle);
    }
  }
  t.is(clock.pending, live.length);
  const expected = live.slice().sort((a, b) => a.due - b.due || a.n - b.n).map((x) => x.n);
  await clock.advance(100);
  t.deepEqual(fired, expected);
  t.is(clock.pending, 0);
  clock.cancel(live[0].handle); // cancelling a timer that already fired is a no-op
  t.is(clock.pending, 0);
});

test('a timer scheduled from a callback for the same instant fires after the timers already due then', async (t) => {
  const clock = new VirtualClock();
  const fired: string[] = [];
  clock.schedule(10, () => {
    fired.push('a');
    clock.schedule(0, () => fired.push('c'));
  });
  clock.schedule(10, () => fired.push('b'));
  const copy = clock.schedule(10, () => fired.push('x'));
  clock.cancel({ id: copy.id }); // a plain copy of the handle cancels too
  await clock.advance(10);
  t.deepEqual(fired, ['a', 'b', 'c']);
});
