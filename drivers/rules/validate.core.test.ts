import { test } from '../../test/kit/core-test.js';
import type { AlertRuleConfig } from './config.js';
import { ruleHarness } from './testing/harness.js';

const build = (rules: AlertRuleConfig[], outputIds?: string[]) => () => ruleHarness({ rules, outputIds: outputIds ?? ['siren'] });

test('rule sets that could never work are refused when the engine is built', (t) => {
  const boolean: AlertRuleConfig = { kind: 'boolean', id: 'b', device: 'd', point: 'p', level: 'critical' };
  const expectation = { code: 'ALERT_RULE_INVALID' };
  t.throws(build([boolean, boolean]), { ...expectation, message: /share the id "b"/ });
  t.throws(build([{ ...boolean, action: { output: 'horn' } }]), { ...expectation, message: /output "horn"/ });
  t.throws(build([{ kind: 'threshold', id: 't', device: 'd', point: 'p', levels: [] }]), expectation);
  t.throws(build([{ kind: 'threshold', id: 't', device: 'd', point: 'p', levels: [{ level: 'warning' }] }]), { ...expectation, message: /neither "above" nor "below"/ });
  t.throws(build([{ kind: 'rate-of-rise', id: 'r', device: 'd', point: 'p', perMinute: 10, windowS: 0, level: 'warning' }]), expectation);
  t.throws(build([{ ...boolean, level: 'severe' } as unknown as AlertRuleConfig]), { ...expectation, message: /Unknown alert level "severe"/ });
  t.throws(build([{ ...boolean, kind: 'sometimes' } as unknown as AlertRuleConfig]), { ...expectation, message: /Unknown rule kind/ });
});

test('an action is accepted without outputs (a host without pins) and ignored', (t) => {
  const rules: AlertRuleConfig[] = [{ kind: 'boolean', id: 'b', device: 'd', point: 'p', level: 'critical', action: { output: 'horn' } }];
  const events: string[] = [];
  const h = ruleHarness({ rules, extra: { outputs: undefined, onAlert: (e) => events.push(e.state) } });
  h.engine.onSample({ device: 'd', point: 'p', t: 0, value: true });
  t.deepEqual(events, ['raised']);
});
