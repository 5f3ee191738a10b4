import { test } from '../../test/kit/core-test.js';
import type { ModbusPoint } from './manifest.js';
import { planReads } from './read-plan.js';

function reg(id: string, address: number, type: ModbusPoint['type'] = 'int16', fc: ModbusPoint['fc'] = 3, extra: Partial<ModbusPoint> = {}): ModbusPoint {
  return { id, name: id, fc, address, type, ...extra };
}

test('the level transmitter map becomes one FC03 request', (t) => {
  const points = [reg('decimals', 3), reg('level', 4), reg('range_zero', 5), reg('range_full', 6)];
  t.deepEqual(planReads(points), [{ fc: 3, address: 3, count: 4, points: ['decimals', 'level', 'range_zero', 'range_full'] }]);
});

test('the Eastron map joins within maxGap and splits beyond it', (t) => {
  const points = [reg('voltage', 0, 'float32', 4), reg('current', 6, 'float32', 4), reg('power', 12, 'float32', 4), reg('energy', 0x156, 'float32', 4)];
  t.deepEqual(planReads(points), [
    { fc: 4, address: 0, count: 14, points: ['voltage', 'current', 'power'] },
    { fc: 4, address: 0x156, count: 2, points: ['energy'] },
  ]);
  t.deepEqual(
    planReads(points, { maxGap: 3 }).map((r) => [r.address, r.count]),
    [[0, 2], [6, 2], [12, 2], [0x156, 2]],
    'gaps of 4 unused registers are not bridged with maxGap 3',
  );
  t.is(planReads(points, { maxGap: 4 }).length, 2);
});

test('a gap of exactly maxGap unused registers is bridged', (t) => {
  t.is(planReads([reg('a', 0), reg('b', 9)], { maxGap: 8 }).length, 1);
  t.is(planReads([reg('a', 0), reg('b', 10)], { maxGap: 8 }).length, 2);
});

test('requests never exceed maxRegisters and a multi-register value is never split', (t) => {
  const points = [reg('a', 0, 'float32'), reg('b', 2, 'float32'), reg('c', 4, 'float32')];
  t.deepEqual(planReads(points, { maxRegisters: 5 }), [
    { fc: 3, address: 0, count: 4, points: ['a', 'b'] },
    { fc: 3, address: 4, count: 2, points: ['c'] },
  ]);
  t.throws(() => planReads([reg('wide', 0, 'float64')], { maxRegisters: 3 }), { name: 'RangeError' });
});

test('function codes are planned separately, in the order 1, 2, 3, 4', (t) => {
  const points = [reg('ir', 0, 'int16', 4), reg('hr', 0, 'int16', 3), reg('di', 0, 'bool', 2), reg('coil', 0, 'bool', 1)];
  t.deepEqual(planReads(points).map((r) => [r.fc, r.points[0]]), [[1, 'coil'], [2, 'di'], [3, 'hr'], [4, 'ir']]);
});

test('coils and discrete inputs count bits and honour maxBits', (t) => {
  const points = [reg('a', 0, 'bool', 2), reg('b', 5, 'bool', 2), reg('c', 9, 'bool', 2)];
  t.deepEqual(planReads(points), [{ fc: 2, address: 0, count: 10, points: ['a', 'b', 'c'] }]);
  t.deepEqual(planReads(points, { maxBits: 6 }).map((r) => r.count), [6, 1]);
});

test('bits of one status register share a request', (t) => {
  const points = [reg('smoke', 0, 'bool', 3, { bit: 0 }), reg('fault', 0, 'bool', 3, { bit: 1 }), reg('mode', 0, 'bits', 3, { bit: 4, bitCount: 3 })];
  t.deepEqual(planReads(points), [{ fc: 3, address: 0, count: 1, points: ['fault', 'mode', 'smoke'] }]);
});

test('the plan does not depend on the order the points are listed in', (t) => {
  const points = [reg('a', 40), reg('b', 2, 'float32'), reg('c', 0), reg('d', 41, 'int16', 4), reg('e', 7)];
  const reversed = [...points].reverse();
  t.deepEqual(planReads(points), planReads(reversed));
});

test('bad options are refused with a RangeError', (t) => {
  t.throws(() => planReads([], { maxRegisters: 126 }), { name: 'RangeError' });
  t.throws(() => planReads([], { maxBits: 0 }), { name: 'RangeError' });
  t.throws(() => planReads([], { maxGap: -1 }), { name: 'RangeError' });
  t.deepEqual(planReads([]), []);
});
