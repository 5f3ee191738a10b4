import { test } from '../../test/kit/core-test.js';
import type { ModbusPoint } from '../devices/manifest.js';
import {
  decodePointValue,
  decodeRaw,
  encodePointValue,
  encodeRaw,
  extractBits,
  fromEngineering,
  pointBitMask,
  toEngineering,
  wordCount,
} from './values.js';

function point(fields: Partial<ModbusPoint>): ModbusPoint {
  return { id: 'p', name: 'p', fc: 3, address: 0, type: 'int16', ...fields };
}

test('wordCount: 16-bit types and bits take one register, 32-bit two, float64 four', (t) => {
  t.deepEqual(
    (['bool', 'bits', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const).map(wordCount),
    [1, 1, 1, 1, 2, 2, 2, 4],
  );
});

test('decodeRaw reads 16-bit values in AB (default) and BA order', (t) => {
  t.is(decodeRaw([0xffff], 0, 'int16'), -1);
  t.is(decodeRaw([0xffff], 0, 'uint16'), 65535);
  t.is(decodeRaw([0x1234], 0, 'uint16', 'BA'), 0x3412);
  t.is(decodeRaw([0x0000, 0xff9c], 1, 'int16'), -100);
});

test('decodeRaw reads 0x12345678 in all four 32-bit orders', (t) => {
  t.is(decodeRaw([0x1234, 0x5678], 0, 'int32'), 0x12345678, 'ABCD is the default');
  t.is(decodeRaw([0x1234, 0x5678], 0, 'uint32', 'ABCD'), 0x12345678);
  t.is(decodeRaw([0x5678, 0x1234], 0, 'uint32', 'CDAB'), 0x12345678);
  t.is(decodeRaw([0x3412, 0x7856], 0, 'uint32', 'BADC'), 0x12345678);
  t.is(decodeRaw([0x7856, 0x3412], 0, 'uint32', 'DCBA'), 0x12345678);
  t.is(decodeRaw([0xffff, 0xfffe], 0, 'int32'), -2);
});

test('decodeRaw reads float32 1.0 and an Eastron 230 V reading in every order', (t) => {
  t.is(decodeRaw([0x3f80, 0x0000], 0, 'float32'), 1);
  t.is(decodeRaw([0x0000, 0x3f80], 0, 'float32', 'CDAB'), 1);
  t.is(decodeRaw([0x803f, 0x0000], 0, 'float32', 'BADC'), 1);
  t.is(decodeRaw([0x0000, 0x803f], 0, 'float32', 'DCBA'), 1);
  t.is(decodeRaw([0x4366, 0x0000], 0, 'float32'), 230);
});

test('decodeRaw applies the same word/byte pattern to float64', (t) => {
  t.is(decodeRaw([0x3ff0, 0, 0, 0], 0, 'float64'), 1);
  t.is(decodeRaw([0, 0, 0, 0x3ff0], 0, 'float64', 'CDAB'), 1);
  t.is(decodeRaw([0xf03f, 0, 0, 0], 0, 'float64', 'BADC'), 1);
  t.is(decodeRaw([0, 0, 0, 0xf03f], 0, 'float64', 'DCBA'), 1);
  const big = decodeRaw([0x4001, 0x0203, 0x0405, 0x0607], 0, 'float64');
  t.is(decodeRaw([0x0607, 0x0405, 0x0203, 0x4001], 0, 'float64', 'CDAB'), big);
  t.is(decodeRaw([0x0140, 0x0302, 0x0504, 0x0706], 0, 'float64', 'BADC'), big);
  t.is(decodeRaw([0x0706, 0x0504, 0x0302, 0x0140], 0, 'float64', 'DCBA'), big);
});

test('decodeRaw refuses to read past the registers it was given', (t) => {
  t.throws(() => decodeRaw([0x3f80], 0, 'float32'), { name: 'RangeError' });
  t.throws(() => decodeRaw([1, 2, 3, 4], 1, 'float64'), { name: 'RangeError' });
});

test('encodeRaw is the inverse of decodeRaw and clamps integers instead of wrapping', (t) => {
  t.deepEqual(encodeRaw(0x12345678, 'uint32', 'CDAB'), [0x5678, 0x1234]);
  t.deepEqual(encodeRaw(0x12345678, 'uint32', 'BADC'), [0x3412, 0x7856]);
  t.deepEqual(encodeRaw(1, 'float64', 'DCBA'), [0, 0, 0, 0xf03f]);
  t.deepEqual(encodeRaw(-1, 'int16'), [0xffff]);
  t.deepEqual(encodeRaw(70000, 'uint16'), [0xffff]);
  t.deepEqual(encodeRaw(-40000, 'int16'), [0x8000]);
  t.deepEqual(encodeRaw(12.6, 'int16'), [13]);
  t.throws(() => encodeRaw(Number.NaN, 'int32'), { name: 'RangeError' });
  t.true(Number.isNaN(decodeRaw(encodeRaw(Number.NaN, 'float32'), 0, 'float32')));
});

test('extractBits takes an unsigned field from a register', (t) => {
  t.is(extractBits(0b1011_0000, 4, 4), 0b1011);
  t.is(extractBits(0x8000, 15, 1), 1);
  t.is(extractBits(0xffff, 0, 16), 0xffff);
  t.throws(() => extractBits(0, 14, 3), { name: 'RangeError' });
});

test('toEngineering scales by decimals, scale and offset without binary noise', (t) => {
  t.is(toEngineering(235, point({ scale: 0.1 })), 23.5);
  t.is(toEngineering(3, point({ scale: 0.1 })), 0.3);
  t.is(toEngineering(1234, point({}), 2), 12.34);
  t.is(toEngineering(400, point({ scale: 0.1, offset: -40 })), 0);
  t.is(toEngineering(7, point({})), 7);
});

test('fromEngineering inverts the scaling, rounds integers and clamps to the type', (t) => {
  t.is(fromEngineering(23.5, point({ scale: 0.1 })), 235);
  t.is(fromEngineering(12.34, point({}), 2), 1234);
  t.is(fromEngineering(40000, point({ type: 'int16' })), 32767);
  t.is(fromEngineering(-5, point({ type: 'uint16' })), 0);
  t.is(fromEngineering(9, point({ type: 'bits', bit: 4, bitCount: 3 })), 7);
  t.is(fromEngineering(1e39, point({ type: 'float32' })), 3.4028234663852886e38);
  t.is(fromEngineering(0.125, point({ type: 'float32' })), 0.125);
});

test('decodePointValue: signed temperature ×0.1, level with decimal places, float32 CDAB', (t) => {
  t.is(decodePointValue(point({ type: 'int16', scale: 0.1 }), [0xff9c]), -10);
  t.is(decodePointValue(point({ type: 'int16' }), [1234], 1), 123.4);
  t.is(decodePointValue(point({ type: 'float32', order: 'CDAB' }), [0x0000, 0x4366]), 230);
});

test('decodePointValue: bool from a coil, from a register bit, and a bits field', (t) => {
  t.is(decodePointValue(point({ fc: 1, type: 'bool' }), [1]), true);
  t.is(decodePointValue(point({ fc: 2, type: 'bool' }), [0]), false);
  t.is(decodePointValue(point({ type: 'bool', bit: 3 }), [0x0008]), true);
  t.is(decodePointValue(point({ type: 'bool', bit: 2 }), [0x0008]), false);
  t.is(decodePointValue(point({ type: 'bits', bit: 8, bitCount: 4 }), [0x0a00]), 10);
  t.throws(() => decodePointValue(point({ type: 'float32' }), [1]), { name: 'RangeError' });
});

test('encodePointValue produces the registers a device would send', (t) => {
  t.deepEqual(encodePointValue(point({ type: 'bool', bit: 3 }), true), [0x0008]);
  t.deepEqual(encodePointValue(point({ type: 'bool', bit: 3 }), false), [0]);
  t.deepEqual(encodePointValue(point({ fc: 1, type: 'bool' }), true), [1]);
  t.deepEqual(encodePointValue(point({ type: 'bits', bit: 8, bitCount: 4 }), 10), [0x0a00]);
  t.deepEqual(encodePointValue(point({ type: 'int16', scale: 0.1 }), -10), [0xff9c]);
  t.deepEqual(encodePointValue(point({ type: 'int16' }), 123.4, 1), [1234]);
  t.deepEqual(encodePointValue(point({ type: 'float32', order: 'CDAB' }), 230), [0x0000, 0x4366]);
  t.deepEqual(encodePointValue(point({ type: 'uint16' }), true), [1]);
});

test('pointBitMask names the bits a point owns in its register', (t) => {
  t.is(pointBitMask(point({ type: 'bool', bit: 15 })), 0x8000);
  t.is(pointBitMask(point({ type: 'bits', bit: 4, bitCount: 4 })), 0x00f0);
  t.is(pointBitMask(point({ type: 'uint16' })), 0xffff);
});
