/** Property tests for values.ts, on Node and inside XS (test/xs/xs-prelude.ts lets fast-check load there). */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import type { ByteOrder, ModbusPoint } from '../devices/manifest.js';
import { decodePointValue, decodeRaw, encodePointValue, encodeRaw, fromEngineering, toEngineering, type RegisterValueType } from './values.js';


const RUNS = { numRuns: 300, seed: 0x5eed };
const ORDERS: ByteOrder[] = ['AB', 'BA', 'ABCD', 'CDAB', 'BADC', 'DCBA'];
const INTEGER_RANGES: Array<[RegisterValueType, number, number]> = [
  ['int16', -0x8000, 0x7fff],
  ['uint16', 0, 0xffff],
  ['int32', -0x80000000, 0x7fffffff],
  ['uint32', 0, 0xffffffff],
];

test('decodeRaw(encodeRaw(x)) === x for every integer type in every order', async (t) => {
  for (const [type, min, max] of INTEGER_RANGES) {
    for (const order of ORDERS) {
      fc.assert(fc.property(fc.integer({ min, max }), (x) => decodeRaw(encodeRaw(x, type, order), 0, type, order) === x), RUNS);
    }
  }
  t.pass();
});

test('decodeRaw(encodeRaw(x)) round-trips float32 (to single precision) and float64 in every order', async (t) => {
  for (const order of ORDERS) {
    fc.assert(fc.property(fc.double(), (x) => Object.is(decodeRaw(encodeRaw(x, 'float64', order), 0, 'float64', order), x)), RUNS);
    fc.assert(fc.property(fc.double(), (x) => Object.is(decodeRaw(encodeRaw(x, 'float32', order), 0, 'float32', order), Math.fround(x))), RUNS);
  }
  t.pass();
});

test('encodeRaw always yields 16-bit words, and each order is a different placement of the same bytes', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => {
      const words = ORDERS.map((order) => encodeRaw(x, 'uint32', order));
      const bytes = words.map((w) => [w[0] >> 8, w[0] & 0xff, w[1] >> 8, w[1] & 0xff].sort((a, b) => a - b).join());
      return words.every((w) => w.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffff)) && bytes.every((b) => b === bytes[0]);
    }),
    RUNS,
  );
  t.pass();
});

test('fromEngineering(toEngineering(raw)) === raw for scaled integer points', async (t) => {
  const scales = [1, 0.1, 0.01, 0.001, 0.5, 2, 10];
  fc.assert(
    fc.property(
      fc.integer({ min: -0x8000, max: 0x7fff }),
      fc.constantFrom(...scales),
      fc.integer({ min: -100, max: 100 }),
      fc.integer({ min: 0, max: 3 }),
      (raw, scale, offset, decimals) => {
        const point: ModbusPoint = { id: 'p', name: 'p', fc: 3, address: 0, type: 'int16', scale, offset };
        return fromEngineering(toEngineering(raw, point, decimals), point, decimals) === raw;
      },
    ),
    RUNS,
  );
  t.pass();
});

test('toEngineering(fromEngineering(v)) is within half a step of v for float and integer points', async (t) => {
  fc.assert(
    fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.constantFrom(0.1, 0.01, 1, 2.5), (value, scale) => {
      const float: ModbusPoint = { id: 'f', name: 'f', fc: 4, address: 0, type: 'float64', scale };
      const integer: ModbusPoint = { id: 'i', name: 'i', fc: 4, address: 0, type: 'int32', scale };
      const back = toEngineering(fromEngineering(value, float), float);
      const stepped = toEngineering(fromEngineering(value, integer), integer);
      return Math.abs(back - value) <= 1e-9 * Math.max(1, Math.abs(value)) && Math.abs(stepped - value) <= scale / 2 + 1e-9;
    }),
    RUNS,
  );
  t.pass();
});

test('decodePointValue(encodePointValue(v)) returns v for bool and bits fields anywhere in a register', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 16 }), fc.nat(), fc.boolean(), (bit, width, seed, on) => {
      const bitCount = Math.min(width, 16 - bit);
      const field = seed % 2 ** bitCount;
      const bits: ModbusPoint = { id: 'b', name: 'b', fc: 3, address: 0, type: 'bits', bit, bitCount };
      const flag: ModbusPoint = { id: 'f', name: 'f', fc: 3, address: 0, type: 'bool', bit };
      return decodePointValue(bits, encodePointValue(bits, field)) === field && decodePointValue(flag, encodePointValue(flag, on)) === on;
    }),
    RUNS,
  );
  t.pass();
});
