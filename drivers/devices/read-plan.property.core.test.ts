/**
 * Property tests for the read plan; they run on Node and inside XS.
 */
import fc from 'fast-check';

type Fc = typeof fc;
import { test } from '../../test/kit/core-test.js';
import type { ModbusPoint } from './manifest.js';
import { planReads, pointSpan, type ReadPlanOptions } from './read-plan.js';


const RUNS = { numRuns: 200, seed: 0xc0ffee };
const TYPES: ModbusPoint['type'][] = ['int16', 'uint16', 'int32', 'float32', 'float64', 'bool'];


function pointsArbitrary(fc: Fc) {
  return fc
    .array(
      fc.record({
        fc: fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4),
        address: fc.integer({ min: 0, max: 600 }),
        type: fc.constantFrom(...TYPES),
      }),
      { maxLength: 40 },
    )
    .map((specs) => specs.map((s, i): ModbusPoint => ({ id: `p${i}`, name: `p${i}`, fc: s.fc, address: s.address, type: s.fc <= 2 ? 'bool' : s.type })));
}

function optionsArbitrary(fc: Fc) {
  return fc.record({
    maxGap: fc.integer({ min: 0, max: 20 }),
    maxRegisters: fc.integer({ min: 4, max: 125 }),
    maxBits: fc.integer({ min: 1, max: 2000 }),
  });
}

function limitFor(fcode: number, options: Required<ReadPlanOptions>): number {
  return fcode <= 2 ? options.maxBits : options.maxRegisters;
}

test('every point is in exactly one request, with all its registers inside it', async (t) => {
  fc.assert(
    fc.property(pointsArbitrary(fc), optionsArbitrary(fc), (points, options) => {
      const requests = planReads(points, options);
      const seen = new Map<string, number>();
      for (const request of requests) for (const id of request.points) seen.set(id, (seen.get(id) ?? 0) + 1);
      if (seen.size !== points.length || [...seen.values()].some((n) => n !== 1)) return false;
      return requests.every((request) =>
        request.points.every((id) => {
          const point = points.find((p) => p.id === id) as ModbusPoint;
          return point.fc === request.fc && point.address >= request.address && point.address + pointSpan(point) <= request.address + request.count;
        }),
      );
    }),
    RUNS,
  );
  t.pass();
});

test('no request exceeds its limit, and every request starts and ends on a point', async (t) => {
  fc.assert(
    fc.property(pointsArbitrary(fc), optionsArbitrary(fc), (points, options) =>
      planReads(points, options).every((request) => {
        const served = points.filter((p) => request.points.includes(p.id));
        const start = Math.min(...served.map((p) => p.address));
        const end = Math.max(...served.map((p) => p.address + pointSpan(p)));
        return request.count >= 1 && request.count <= limitFor(request.fc, options) && start === request.address && end === request.address + request.count;
      }),
    ),
    RUNS,
  );
  t.pass();
});

test('adding a point far from all others adds one request and changes none of the existing ones', async (t) => {
  fc.assert(
    fc.property(pointsArbitrary(fc), optionsArbitrary(fc), fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4), fc.integer({ min: 0, max: 800 }), (points, options, fcode, address) => {
      const added: ModbusPoint = { id: 'added', name: 'added', fc: fcode, address, type: fcode <= 2 ? 'bool' : 'float32' };
      const far = points
        .filter((p) => p.fc === fcode)
        .every((p) => address - (p.address + pointSpan(p)) > options.maxGap || p.address - (address + pointSpan(added)) > options.maxGap);
      fc.pre(far);
      const before = planReads(points, options);
      const after = planReads([...points, added], options);
      const without = after.filter((r) => !r.points.includes('added'));
      const addedRequests = after.filter((r) => r.points.includes('added'));
      return JSON.stringify(without) === JSON.stringify(before) && addedRequests.length === 1 && addedRequests[0].points.length === 1;
    }),
    { ...RUNS, numRuns: 300 },
  );
  t.pass();
});

test('the plan is the same whatever order the points come in', async (t) => {
  fc.assert(
    fc.property(pointsArbitrary(fc), optionsArbitrary(fc), fc.nat(), (points, options, seed) => {
      const shuffled = [...points];
      let s = seed;
      for (let i = shuffled.length - 1; i > 0; i--) {
        s = (s * 1103515245 + 12345) % 2147483648;
        const j = s % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      return JSON.stringify(planReads(points, options)) === JSON.stringify(planReads(shuffled, options));
    }),
    RUNS,
  );
  t.pass();
});
