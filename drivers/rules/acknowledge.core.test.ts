import { test } from '../../test/kit/core-test.js';
import type { ThresholdRule } from './config.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const level = (action?: ThresholdRule['action']): ThresholdRule => ({
  kind: 'threshold',
  id: 'lvl',
  device: 'd1',
  point: 'level',
  levels: [
    { level: 'warning', above: 15 },
    { level: 'critical', above: 25 },
  ],
  hysteresis: 1,
  action,
});

test('acknowledge emits one event per active level, keeps the alarm active, and the clear still comes', (t) => {
  const h = ruleHarness({ rules: [level()] });
  const sample = (t: number, value: number) => h.engine.onSample({ device: 'd1', point: 'level', t, value });
  t.is(h.engine.acknowledge('lvl', 0), 0, 'nothing to acknowledge');
  sample(1000, 18);
  t.is(h.engine.acknowledge('lvl', 2000), 1);
  t.deepEqual(h.events[1], { rule: 'lvl', device: 'd1', point: 'level', level: 'warning', state: 'acknowledged', t: 2000, message: 'warning: d1 level ≥ 15: acknowledged' });
  t.is(h.engine.acknowledge('lvl', 2500), 0, 'acknowledging twice says nothing new');
  t.is(h.engine.acknowledge('no-such-rule', 2500), 0);
  t.deepEqual(h.engine.activeAlarms(), [{ rule: 'lvl', device: 'd1', point: 'level', level: 'warning', acknowledged: true }]);
  sample(3000, 17);
  t.is(h.events.length, 2, 'still above the clear line: no event');
  sample(4000, 13);
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised', 'lvl/warning/acknowledged', 'lvl/warning/cleared']);
  t.deepEqual(h.engine.activeAlarms(), []);
});

test('acknowledging one level leaves the other; a later escalation needs its own acknowledge', (t) => {
  const h = ruleHarness({ rules: [level()] });
  h.engine.onSample({ device: 'd1', point: 'level', t: 0, value: 30 });
  t.is(h.engine.acknowledge('lvl', 1, 'critical'), 1);
  t.is(h.engine.acknowledge('lvl', 2), 1, 'the warning level was still unacknowledged');
  t.deepEqual(eventTrail(h.events), ['lvl/warning/raised', 'lvl/critical/raised', 'lvl/critical/acknowledged', 'lvl/warning/acknowledged']);
});

test('an acknowledge silences a buzzer until the alarm escalates, but never drops a relay', (t) => {
  const rules = [
    { ...level({ output: 'buzzer' }), id: 'lvl-buzzer' },
    { ...level({ output: 'barrier' }), id: 'lvl-barrier' },
  ];
  const h = ruleHarness({ rules, outputIds: ['buzzer', 'barrier'], extra: { outputKinds: { buzzer: 'buzzer', barrier: 'relay' } } });
  const { buzzer, barrier } = h.outputs;
  h.engine.onSample({ device: 'd1', point: 'level', t: 0, value: 18 });
  t.deepEqual([buzzer.level, barrier.level], [1, 1]);
  h.engine.acknowledge('lvl-buzzer', 1);
  h.engine.acknowledge('lvl-barrier', 1);
  t.deepEqual([buzzer.level, barrier.level], [0, 1], 'buzzer silenced, barrier stays closed');
  h.engine.onSample({ device: 'd1', point: 'level', t: 2, value: 27 });
  t.is(buzzer.level, 1, 'critical is new and unacknowledged: the buzzer sounds again');
  h.engine.onSample({ device: 'd1', point: 'level', t: 3, value: 0 });
  t.deepEqual([buzzer.writes, barrier.writes], [
    [0, 1, 0, 1, 0],
    [0, 1, 0],
  ]);
});

test('an acknowledge cuts a pulse short; silenceOnAck: false keeps it', async (t) => {
  const rules = [
    { ...level({ output: 'horn', mode: 'pulse', pulseMs: 10_000 }), id: 'a' },
    { ...level({ output: 'lamp', mode: 'pulse', pulseMs: 10_000, silenceOnAck: false }), id: 'b' },
  ];
  const h = ruleHarness({ rules, outputIds: ['horn', 'lamp'] });
  h.engine.onSample({ device: 'd1', point: 'level', t: 0, value: 18 });
  h.engine.acknowledge('a', 1);
  h.engine.acknowledge('b', 1);
  t.deepEqual([h.outputs.horn.level, h.outputs.lamp.level], [0, 1]);
  await h.clock.advance(10_000);
  t.is(h.outputs.lamp.level, 0);
});
