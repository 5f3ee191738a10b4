import { test } from '../../test/kit/core-test.js';
import type { BooleanRule } from './config.js';
import { eventTrail, ruleHarness } from './testing/harness.js';

const smoke: BooleanRule = { kind: 'boolean', id: 'smoke', device: 'fd1', point: 'smoke_alarm', level: 'critical', action: { output: 'siren' } };

test('smoke raises on the first alarm sample and drives the output before the event is reported', (t) => {
  const h = ruleHarness({ rules: [smoke], outputIds: ['siren'] });
  const siren = h.outputs.siren;
  t.deepEqual(siren.writes, [0], 'the engine puts every used output in a known state at start');
  const levelWhenReported: Array<0 | 1 | undefined> = [];
  h.engine.onAlert = (event) => {
    h.events.push(event);
    levelWhenReported.push(siren.level);
  };
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 5000, value: false });
  t.deepEqual(h.events, []);
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 15000, value: true });
  t.is(siren.level, 1, 'switched within the same call');
  t.deepEqual(levelWhenReported, [1]);
  t.deepEqual(h.events[0], {
    rule: 'smoke',
    device: 'fd1',
    point: 'smoke_alarm',
    level: 'critical',
    state: 'raised',
    t: 15000,
    value: true,
    message: 'critical: fd1 smoke_alarm in alarm (true)',
  });
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 25000, value: true });
  t.is(h.events.length, 1, 'no repeat while the alarm holds');
  t.deepEqual(siren.writes, [0, 1], 'no rewrite while the alarm holds');
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 35000, value: false });
  t.deepEqual(eventTrail(h.events), ['smoke/critical/raised', 'smoke/critical/cleared']);
  t.deepEqual(siren.writes, [0, 1, 0]);
});

test('`when: false` alarms on a false sample (normally-closed contacts); numbers count as booleans', (t) => {
  const h = ruleHarness({ rules: [{ kind: 'boolean', id: 'door', device: 'p1', point: 'closed', level: 'warning', when: false, message: 'Pump room door open' }] });
  h.engine.onSample({ device: 'p1', point: 'closed', t: 0, value: 1 });
  h.engine.onSample({ device: 'p1', point: 'closed', t: 1, value: 0 });
  h.engine.onSample({ device: 'p1', point: 'closed', t: 2, value: true });
  t.deepEqual(eventTrail(h.events), ['door/warning/raised', 'door/warning/cleared']);
  t.is(h.events[0].message, 'Pump room door open');
  t.is(h.events[1].message, 'Pump room door open: cleared (true)');
});

test('pulse mode switches the output on the raise and off after pulseMs of clock time', async (t) => {
  const h = ruleHarness({ rules: [{ ...smoke, action: { output: 'siren', mode: 'pulse', pulseMs: 3000 } }], outputIds: ['siren'] });
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 0, value: true });
  t.is(h.outputs.siren.level, 1);
  await h.clock.advance(2999);
  t.is(h.outputs.siren.level, 1);
  await h.clock.advance(1);
  t.deepEqual(h.outputs.siren.writes, [0, 1, 0]);
  t.is(h.engine.activeAlarms().length, 1, 'the alarm outlives its pulse');
});

test('two rules sharing an output keep it on until neither wants it', (t) => {
  const heat: BooleanRule = { kind: 'boolean', id: 'heat', device: 'fd1', point: 'heat_alarm', level: 'critical', action: { output: 'siren' } };
  const h = ruleHarness({ rules: [smoke, heat], outputIds: ['siren'] });
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 0, value: true });
  h.engine.onSample({ device: 'fd1', point: 'heat_alarm', t: 0, value: true });
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 1, value: false });
  t.is(h.outputs.siren.level, 1, 'heat still holds it');
  h.engine.onSample({ device: 'fd1', point: 'heat_alarm', t: 2, value: false });
  t.deepEqual(h.outputs.siren.writes, [0, 1, 0]);
});

test('a failing output write is reported, and the alarm is still raised and reported', (t) => {
  const errors: string[] = [];
  const h = ruleHarness({ rules: [smoke], outputIds: ['siren'], extra: { onError: (error) => errors.push(error.code) } });
  h.outputs.siren.write = () => {
    throw new Error('GPIO busy');
  };
  h.engine.onSample({ device: 'fd1', point: 'smoke_alarm', t: 0, value: true });
  t.deepEqual(eventTrail(h.events), ['smoke/critical/raised']);
  t.deepEqual(errors, ['ALERT_OUTPUT_FAILED']);
});
