import { test } from '../../test/kit/core-test.js';
import { CircuitBreaker, breakerOptionsFor } from './breaker.js';

test('opens after N failures, probes after the back-off, doubles it up to the cap, closes on success', (t) => {
  const breaker = new CircuitBreaker({ failureThreshold: 3, initialBackoffMs: 1000, maxBackoffMs: 3000 });
  breaker.record(false, 0);
  breaker.record(false, 10);
  t.is(breaker.state, 'closed');
  t.true(breaker.allows(20));
  breaker.record(false, 20);
  t.is(breaker.state, 'open');
  t.is(breaker.retryAt, 1020);
  t.false(breaker.allows(1019));
  t.true(breaker.allows(1020));
  t.is(breaker.state, 'half-open');
  breaker.record(false, 1030);
  t.deepEqual([breaker.state, breaker.backoffMs, breaker.retryAt], ['open', 2000, 3030]);
  t.true(breaker.allows(3030));
  breaker.record(false, 3040);
  t.deepEqual([breaker.state, breaker.backoffMs], ['open', 3000], 'capped');
  t.true(breaker.allows(6040));
  breaker.record(true, 6050);
  t.deepEqual([breaker.state, breaker.consecutiveFailures, breaker.backoffMs, breaker.retryAt], ['closed', 0, 0, -Infinity]);
  breaker.record(false, 7000);
  t.is(breaker.state, 'closed', 'a fresh count after closing');
});

test('defaults scale with the poll period', (t) => {
  t.deepEqual(breakerOptionsFor(10_000), { failureThreshold: 3, initialBackoffMs: 20_000, maxBackoffMs: 600_000 });
  t.deepEqual(breakerOptionsFor(3_600_000), { failureThreshold: 3, initialBackoffMs: 7_200_000, maxBackoffMs: 7_200_000 });
  t.throws(() => new CircuitBreaker({ failureThreshold: 0 }));
});
