import { test } from '../../test/kit/core-test.js';
import { ChainedTimers, type HostTimerFunctions } from './chained-timers.js';

/**
 * A host whose timers work as Node's and Moddable's do: whole milliseconds,
 * the fraction of a delay dropped (setTimeout(f, 1.75) is a 1 ms timer).
 */
function truncatingHost() {
  let now = 0;
  let nextId = 1;
  const armed = new Map<number, { at: number; callback: () => void }>();
  const asked: number[] = [];
  const host: HostTimerFunctions<number> = {
    now: () => now,
    set: (callback, delayMs) => {
      asked.push(delayMs);
      const id = nextId++;
      armed.set(id, { at: now + Math.trunc(delayMs), callback });
      return id;
    },
    clear: (id) => {
      armed.delete(id);
    },
  };
  return {
    host,
    asked,
    get now() {
      return now;
    },
    advance(ms: number) {
      now += ms;
    },
    /** Run the earliest armed timer; false when none is armed. */
    fire(): boolean {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of armed) if (next === undefined || entry[1].at < next[1].at) next = entry;
      if (next === undefined) return false;
      armed.delete(next[0]);
      now = Math.max(now, next[1].at);
      next[1].callback();
      return true;
    },
  };
}

test('ChainedTimers asks the host for whole milliseconds, rounded up, so a fractional wait never ends early', (t) => {
  const fake = truncatingHost();
  const timers = new ChainedTimers(fake.host);
  fake.advance(0.3);
  const fired: number[] = [];
  for (const delay of [1.75, 0.25, 2, 0]) timers.schedule(delay, () => fired.push(fake.now));
  while (fake.fire());
  t.deepEqual(fake.asked, [2, 1, 2, 0]);
  t.deepEqual(fired, [0.3, 1.3, 2.3, 2.3]);
});

test('a frame gap of 1.75 ms is waited out with one host timer (the core re-checks the line and would otherwise sleep twice)', async (t) => {
  const fake = truncatingHost();
  const timers = new ChainedTimers(fake.host);
  const lastActivity = fake.now;
  const quietUntil = lastActivity + 1.75;
  let sleeps = 0;
  let sentAt: number | undefined;
  // The shape of PortScheduler's and ModbusRtuMaster's waits for a quiet line.
  void (async () => {
    for (;;) {
      const wait = quietUntil - fake.now;
      if (wait <= 1e-6) break;
      sleeps++;
      await new Promise<void>((resolve) => timers.schedule(wait, resolve));
    }
    sentAt = fake.now;
  })();
  // A truncating host without the rounding would spin on 0 ms timers here: bounded.
  for (let i = 0; i < 10 && sentAt === undefined && fake.fire(); i++) await Promise.resolve();
  t.is(sleeps, 1, `the wait took ${sleeps} host timers`);
  t.true(sentAt !== undefined && sentAt >= quietUntil, `sent at ${sentAt} ms, the line was quiet from ${quietUntil} ms`);
});
