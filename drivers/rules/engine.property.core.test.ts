/** Property tests for the alert engine, on Node and inside XS. */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import type { AlertEvent } from '../gateway/events.js';
import type { AlertLevel, AlertRuleConfig } from './config.js';
import { ruleHarness, type RuleHarness } from './testing/harness.js';


type Fc = typeof fc;
const RUNS = { numRuns: 120, seed: 0xa1e27 };
const LEVELS: AlertLevel[] = ['warning', 'critical'];

type Step =
  | { op: 'sample'; point: 'a' | 'b'; value: number | boolean; dt: number }
  | { op: 'fail'; dt: number }
  | { op: 'ack'; rule: number; level?: AlertLevel }
  | { op: 'wait'; ms: number }
  | { op: 'reboot' };

function rulesArbitrary(fc: Fc) {
  const level = fc.constantFrom<AlertLevel>(...LEVELS);
  const bound = fc.record({ level, above: fc.option(fc.integer({ min: -20, max: 40 }), { nil: undefined }), below: fc.option(fc.integer({ min: -20, max: 40 }), { nil: undefined }) })
    .filter((b) => b.above !== undefined || b.below !== undefined);
  const threshold = fc.record({
    levels: fc.array(bound, { minLength: 1, maxLength: 3 }),
    hysteresis: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    debounceSamples: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    debounceS: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    point: fc.constantFrom<'a' | 'b'>('a', 'b'),
  }).map((r) => ({ kind: 'threshold' as const, ...r }));
  const rate = fc.record({ perMinute: fc.integer({ min: 1, max: 20 }), windowS: fc.integer({ min: 10, max: 300 }), level, point: fc.constantFrom<'a' | 'b'>('a', 'b') })
    .map((r) => ({ kind: 'rate-of-rise' as const, ...r }));
  const boolean = fc.record({ level, when: fc.option(fc.boolean(), { nil: undefined }), point: fc.constantFrom<'a' | 'b'>('a', 'b') }).map((r) => ({ kind: 'boolean' as const, ...r }));
  const offline = fc.record({ level, periods: fc.integer({ min: 1, max: 4 }) }).map((r) => ({ kind: 'offline' as const, ...r }));
  const mode = fc.constantFrom<'on' | 'pulse'>('on', 'pulse');
  return fc
    .array(fc.tuple(fc.oneof(threshold, rate, boolean, offline), mode), { minLength: 1, maxLength: 5 })
    .map((specs) =>
      specs.map(([spec, actionMode], i): AlertRuleConfig => ({ ...spec, id: `r${i}`, device: 'd', action: { output: `o${i}`, mode: actionMode, pulseMs: 5000 } }) as AlertRuleConfig),
    );
}

function stepsArbitrary(fc: Fc) {
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -30, max: 50, noNaN: true }) },
    { weight: 8, arbitrary: fc.integer({ min: -25, max: 45 }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
    { weight: 2, arbitrary: fc.boolean() },
  );
  const step: import('fast-check').Arbitrary<Step> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ op: fc.constant('sample' as const), point: fc.constantFrom<'a' | 'b'>('a', 'b'), value, dt: fc.integer({ min: 0, max: 60_000 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fail' as const), dt: fc.integer({ min: 0, max: 60_000 }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('ack' as const), rule: fc.integer({ min: 0, max: 4 }), level: fc.option(fc.constantFrom<AlertLevel>(...LEVELS), { nil: undefined }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 300_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('reboot' as const) }) },
  );
  return fc.array(step, { minLength: 20, maxLength: 80 });
}

/** Replays events per (rule, level) and fails on any transition the state machine does not allow. */
class LifecycleChecker {
  readonly active = new Map<string, { acknowledged: boolean }>();

  check(event: AlertEvent): string | undefined {
    const key = `${event.rule}/${event.level}`;
    const current = this.active.get(key);
    switch (event.state) {
      case 'raised':
        if (current !== undefined) return `${key} raised twice without a clear`;
        this.active.set(key, { acknowledged: false });
        return undefined;
      case 'acknowledged':
        if (current === undefined || current.acknowledged) return `${key} acknowledged while not raised or already acknowledged`;
        current.acknowledged = true;
        return undefined;
      case 'cleared':
        if (current === undefined) return `${key} cleared while not raised`;
        this.active.delete(key);
        return undefined;
    }
  }
}

test('for any rules and inputs: never throws, raised/acknowledged/cleared follow the state machine across reboots, outputs follow the state', async (t) => {
  const seen = { raised: 0, acknowledged: 0, cleared: 0 };
  await fc.assert(
    fc.asyncProperty(rulesArbitrary(fc), stepsArbitrary(fc), async (rules, steps) => {
      const checker = new LifecycleChecker();
      const problems: string[] = [];
      const onAlert = (event: AlertEvent) => {
        seen[event.state]++;
        const problem = checker.check(event);
        if (problem !== undefined) problems.push(problem);
      };
      let h: RuleHarness = ruleHarness({ rules, outputIds: rules.map((_, i) => `o${i}`), pollPeriodMs: 60_000, extra: { onAlert } });
      let t0 = h.clock.unixTimeMs();
      for (const step of steps) {
        if (step.op === 'sample') {
          await h.clock.advance(step.dt);
          h.engine.onSample({ device: 'd', point: step.point, t: (t0 += step.dt), value: step.value });
        } else if (step.op === 'fail') {
          await h.clock.advance(step.dt);
          h.engine.onReadFailure('d', undefined, (t0 += step.dt));
        } else if (step.op === 'ack') {
          h.engine.acknowledge(`r${step.rule}`, t0, step.level);
        } else if (step.op === 'wait') {
          await h.clock.advance(step.ms);
          t0 += step.ms;
        } else {
          h = h.reboot();
        }
        if (problems.length > 0) throw new Error(problems[0]);
        // The engine's view and the event history agree.
        const active = h.engine.activeAlarms().map((a) => `${a.rule}/${a.level}${a.acknowledged ? '+ack' : ''}`).sort();
        const replayed = [...checker.active].map(([key, s]) => `${key}${s.acknowledged ? '+ack' : ''}`).sort();
        if (JSON.stringify(active) !== JSON.stringify(replayed)) {
          throw new Error(`engine ${JSON.stringify(active)} vs events ${JSON.stringify(replayed)}`);
        }
        // An 'on' output is on exactly while its rule has an unacknowledged level (pulse outputs silence on acknowledge too).
        for (const [i, rule] of rules.entries()) {
          if (rule.action?.mode !== 'on') continue;
          const expected = replayed.some((entry) => entry.startsWith(`r${i}/`) && !entry.endsWith('+ack')) ? 1 : 0;
          const silenced = rule.action.silenceOnAck === true;
          const anyActive = replayed.some((entry) => entry.startsWith(`r${i}/`)) ? 1 : 0;
          if (h.outputs[`o${i}`].level !== (silenced ? expected : anyActive)) {
            throw new Error(`output o${i} is ${h.outputs[`o${i}`].level} with ${JSON.stringify(replayed)}`);
          }
        }
      }
      h.engine.close();
    }),
    RUNS,
  );
  // The generators must actually exercise the state machine, not just quiet inputs.
  t.log(JSON.stringify(seen));
  t.true(seen.raised > 100 && seen.cleared > 50 && seen.acknowledged > 10, JSON.stringify(seen));
});
