/** Plan stability: existing requests never move when points are added; replan is explicit. Runs on Node and in XS. */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import type { ModbusPoint } from '../devices/manifest.js';
import { planReads, pointSpan, type ReadPlanOptions, type ReadRequest } from '../devices/read-plan.js';
import { extendPlan, samePlan } from './stable-plan.js';


const reg = (id: string, address: number, type: ModbusPoint['type'] = 'uint16', fc: ModbusPoint['fc'] = 3): ModbusPoint => ({ id, name: id, fc, address, type });
const shape = (plan: readonly ReadRequest[]) => plan.map((r) => [r.fc, r.address, r.count, r.points.join(',')].join(' '));

test('extending a plan with the same points changes nothing', (t) => {
  const points = [reg('a', 0), reg('b', 4, 'float32'), reg('c', 40), reg('d', 0, 'bool', 1)];
  const plan = planReads(points);
  t.deepEqual(extendPlan(plan, points), plan);
  t.true(samePlan(extendPlan(plan, [...points].reverse()), plan), 'point order does not matter');
});

test('a point next to an existing range gets its own request; planReads would have moved the range', (t) => {
  const points = [reg('level', 4)];
  const plan = planReads(points);
  const added = [...points, reg('range_full', 6)];
  t.deepEqual(shape(planReads(added)), ['3 4 3 level,range_full'], 'a fresh plan coalesces (and changes the existing request)');
  t.deepEqual(shape(extendPlan(plan, added)), ['3 4 1 level', '3 6 1 range_full'], 'the stable plan keeps it and appends');
});

test('a point inside an existing range joins it without a new request', (t) => {
  const plan = planReads([reg('voltage', 0, 'float32'), reg('power', 8, 'float32')]);
  t.deepEqual(shape(plan), ['3 0 10 voltage,power']);
  t.deepEqual(shape(extendPlan(plan, [reg('voltage', 0, 'float32'), reg('power', 8, 'float32'), reg('current', 4, 'float32')])), ['3 0 10 voltage,current,power']);
});

test('removed or moved points leave their request; empty requests disappear', (t) => {
  const plan = planReads([reg('a', 0), reg('b', 2), reg('c', 100)]);
  t.deepEqual(shape(extendPlan(plan, [reg('a', 0), reg('c', 100)])), ['3 0 3 a', '3 100 1 c'], 'the range is kept as it was even though b went away');
  t.deepEqual(shape(extendPlan(plan, [reg('a', 0), reg('b', 2), reg('c', 200)])), ['3 0 3 a,b', '3 200 1 c'], 'a moved point is planned anew');
  t.deepEqual(shape(extendPlan(plan, [reg('a', 0), reg('b', 2, 'uint16', 4)])), ['3 0 3 a', '4 2 1 b'], 'a point that changed function code too');
});

test('property: extendPlan keeps every surviving request and stays complete', async (t) => {
  const point = fc.record({
    fc: fc.constantFrom<1 | 3 | 4>(1, 3, 4),
    address: fc.integer({ min: 0, max: 300 }),
    type: fc.constantFrom<ModbusPoint['type']>('uint16', 'int32', 'float32', 'float64'),
  });
  const toPoints = (specs: Array<{ fc: 1 | 3 | 4; address: number; type: ModbusPoint['type'] }>, prefix: string): ModbusPoint[] =>
    specs.map((s, i) => ({ id: `${prefix}${i}`, name: `${prefix}${i}`, fc: s.fc, address: s.address, type: s.fc === 1 ? 'bool' : s.type }));
  const options = fc.record({ maxGap: fc.integer({ min: 0, max: 16 }), maxRegisters: fc.integer({ min: 4, max: 125 }) });
  fc.assert(
    fc.property(fc.array(point, { maxLength: 25 }), fc.array(point, { maxLength: 10 }), options, (oldSpecs, newSpecs, opts: ReadPlanOptions) => {
      const before = toPoints(oldSpecs, 'old');
      const after = [...before, ...toPoints(newSpecs, 'new')];
      const plan = planReads(before, opts);
      const extended = extendPlan(plan, after, opts);
      // Every old request survives unchanged, in order, at the front.
      if (!samePlan(extended.slice(0, plan.length), plan)) return false;
      // Every old point stays in the request it was in.
      for (let i = 0; i < plan.length; i++) if (!plan[i].points.every((id) => extended[i].points.includes(id))) return false;
      // Complete: every point in exactly one request that holds all its registers.
      const seen = new Map<string, number>();
      for (const request of extended) for (const id of request.points) seen.set(id, (seen.get(id) ?? 0) + 1);
      return after.every((p) => {
        const home = extended.find((r) => r.points.includes(p.id));
        return seen.get(p.id) === 1 && home !== undefined && home.fc === p.fc && p.address >= home.address && p.address + pointSpan(p) <= home.address + home.count;
      });
    }),
    { numRuns: 150, seed: 0x5ab1e },
  );
  t.pass();
});
