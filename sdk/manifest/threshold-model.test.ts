/** The threshold sim model is checked like every other: a missing or unsuitable watched point is a manifest problem with a fix. */
import test from 'ava';
import { semanticProblems } from './semantic-checks.js';

const manifest = (alarmSim: Record<string, unknown>, type = 'bool') => ({
  protocol: 'modbus',
  points: [
    { id: 'temperature', fc: 3, address: 0, type: 'int16', sim: { model: 'constant', value: 20 } },
    { id: 'heat_alarm', fc: 3, address: 1, type, bit: type === 'bool' ? 0 : undefined, sim: alarmSim },
  ],
});

test('a threshold alarm on a numeric point of its own device is fine', (t) => {
  t.deepEqual(semanticProblems(manifest({ model: 'threshold', point: 'temperature', above: 57 })), []);
});

test('a threshold alarm watching nothing, itself, or on a number point is refused with a fix', (t) => {
  const missing = semanticProblems(manifest({ model: 'threshold', point: 'temperatur', above: 57 }));
  t.like(missing[0], { path: '$.points[1].sim.point', message: "sim.point 'temperatur' is not a point of this device" });
  t.regex(missing[0].fix, /temperature, heat_alarm/);
  const self = semanticProblems(manifest({ model: 'threshold', point: 'heat_alarm', above: 1 }));
  t.like(self[0], { path: '$.points[1].sim.point' });
  const numeric = semanticProblems(manifest({ model: 'threshold', point: 'temperature', above: 57 }, 'uint16'));
  t.like(numeric[0], { path: '$.points[1].sim.model', message: 'the threshold model produces on/off, but the point is uint16' });
});
