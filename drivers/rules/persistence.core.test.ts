import { test } from '../../test/kit/core-test.js';
import { MemoryKeyValueStore } from '../ports/storage.js';
import type { AlertRuleConfig, ThresholdRule } from './config.js';
import { alarmStateKey, decodeAlarmRecord, encodeAlarmRecord } from './persistence.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const levelRule: ThresholdRule = {
  kind: 'threshold',
  id: 'district-7/underpass-north-entrance/level',
  device: 'd1',
  point: 'level',
  levels: [
    { level: 'warning', above: 15 },
    { level: 'critical', above: 25 },
  ],
  hysteresis: 2,
  action: { output: 'barrier' },
};
const sample = (value: number, t = 0) => ({ device: 'd1', point: 'level', t, value });

test('after a reboot an active alarm is still active, its output is re-driven, and it is not raised twice', (t) => {
  const before = ruleHarness({ rules: [levelRule], outputIds: ['barrier'] });
  before.engine.onSample(sample(18));
  t.deepEqual(before.outputs.barrier.writes, [0, 1]);

  // Power cut: the pin falls back; a new engine comes up on the same store.
  before.outputs.barrier.writes.length = 0;
  const after = before.reboot();
  t.deepEqual(after.events, [], 'no event at start');
  t.deepEqual(after.outputs.barrier.writes, [1], 'barrier driven again at start');
  t.deepEqual(after.engine.activeAlarms(), [{ rule: levelRule.id, device: 'd1', point: 'level', level: 'warning', acknowledged: false }]);

  after.engine.onSample(sample(18, 60_000));
  after.engine.onSample(sample(16, 120_000));
  t.deepEqual(after.events, [], 'the same condition after reboot is not a new alarm');
  after.engine.onSample(sample(27, 180_000));
  after.engine.onSample(sample(5, 240_000));
  t.deepEqual(eventTrail(after.events), [`${levelRule.id}/critical/raised`, `${levelRule.id}/critical/cleared`, `${levelRule.id}/warning/cleared`]);
  t.is(after.outputs.barrier.level, 0);
  t.is(after.store.get(alarmStateKey(levelRule.id)), undefined, 'a rule back to normal leaves no record');

  const again = after.reboot();
  t.deepEqual(again.engine.activeAlarms(), []);
  again.engine.onSample(sample(18));
  t.deepEqual(eventTrail(again.events), [`${levelRule.id}/warning/raised`], 'a new flood is a new alarm');
});

test('acknowledgement survives a reboot: the buzzer stays silent and no acknowledged event repeats', (t) => {
  const rule = { ...levelRule, action: { output: 'buzzer' } };
  const before = ruleHarness({ rules: [rule], outputIds: ['buzzer'], extra: { outputKinds: { buzzer: 'buzzer' } } });
  before.engine.onSample(sample(18));
  before.engine.acknowledge(rule.id, 5);
  const after = before.reboot();
  t.deepEqual(after.engine.activeAlarms()[0].acknowledged, true);
  t.is(after.outputs.buzzer.level, 0);
  t.is(after.engine.acknowledge(rule.id, 10), 0);
  t.deepEqual(after.events, []);
});

test('offline state survives a reboot and clears on the first valid reading', async (t) => {
  const rules: AlertRuleConfig[] = [{ kind: 'offline', id: 'd1.offline', device: 'd1', level: 'warning' }];
  const before = ruleHarness({ rules, pollPeriodMs: 1000 });
  await before.clock.advance(4000);
  t.deepEqual(eventTrail(before.events), ['d1.offline/warning/raised']);
  const after = before.reboot();
  await after.clock.advance(10_000);
  t.deepEqual(after.events, [], 'still offline, not raised again');
  after.engine.onSample(sample(1));
  t.deepEqual(eventTrail(after.events), ['d1.offline/warning/cleared']);
  after.engine.close();
});

test('the record is 3 bytes under a key of at most 15 characters', (t) => {
  const key = alarmStateKey(levelRule.id);
  t.true(key.length <= 15, key);
  t.true(/^al[0-9a-f]{8}$/.test(key), key);
  t.not(alarmStateKey('a'), alarmStateKey('b'));
  const h = ruleHarness({ rules: [levelRule], outputIds: ['barrier'] });
  h.engine.onSample(sample(30));
  h.engine.acknowledge(levelRule.id, 1, 'critical');
  t.deepEqual([...(h.store.get(key) as Uint8Array)], [1, 1, 0b1101], 'version 1, threshold, warning active, critical active + acknowledged');
  t.is(decodeAlarmRecord(encodeAlarmRecord('boolean', 0b0100), 'boolean'), 0b0100);
});

test('records of another kind, version or length are ignored; levels a site edit removed are dropped', (t) => {
  const store = new MemoryKeyValueStore();
  const key = alarmStateKey(levelRule.id);
  for (const bytes of [Uint8Array.of(1, 3, 1), Uint8Array.of(9, 1, 1), Uint8Array.of(1, 1), new Uint8Array(0)]) {
    store.set(key, bytes);
    const h = ruleHarness({ rules: [levelRule], store, outputIds: ['barrier'] });
    t.deepEqual(h.engine.activeAlarms(), [], `record ${[...bytes].join(',')}`);
  }
  store.set(key, Uint8Array.of(1, 1, 0b0101));
  const warningOnly: ThresholdRule = { ...levelRule, levels: [{ level: 'warning', above: 15 }] };
  const h = ruleHarness({ rules: [warningOnly], store, outputIds: ['barrier'] });
  t.deepEqual(
    h.engine.activeAlarms().map((a) => a.level),
    ['warning'],
  );
  t.deepEqual([...(store.get(key) as Uint8Array)], [1, 1, 0b0001]);
});

test('a store that fails to write is reported, and the alarm is still raised and reported', (t) => {
  const store = new MemoryKeyValueStore();
  store.set = () => {
    throw new Error('NVS full');
  };
  const errors: string[] = [];
  const h = ruleHarness({ rules: [levelRule], store, outputIds: ['barrier'], extra: { onError: (error) => errors.push(error.code) } });
  h.engine.onSample(sample(20));
  t.deepEqual(eventTrail(h.events), [`${levelRule.id}/warning/raised`]);
  t.deepEqual(errors, ['ALERT_STATE_UNSAVED']);
});

test('without an onError handler a store failure is thrown, but only after the event went out', (t) => {
  const store = new MemoryKeyValueStore();
  store.set = () => {
    throw new Error('NVS full');
  };
  const h = ruleHarness({ rules: [levelRule], store, outputIds: ['barrier'] });
  t.throws(() => h.engine.onSample(sample(20)), { code: 'ALERT_STATE_UNSAVED' });
  t.deepEqual(eventTrail(h.events), [`${levelRule.id}/warning/raised`]);
});
