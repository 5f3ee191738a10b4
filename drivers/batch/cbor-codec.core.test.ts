import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { unicodeText } from '../../test/kit/text-arbitrary.js';
import { fromHex, toHex } from '../bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';

// RFC 8949 Appendix A examples (diagnostic value → encoding).
const VECTORS: Array<[CborValue, string]> = [
  [0, '00'],
  [23, '17'],
  [24, '1818'],
  [100, '1864'],
  [1000, '1903e8'],
  [1000000, '1a000f4240'],
  [1000000000000, '1b000000e8d4a51000'],
  [-1, '20'],
  [-1000, '3903e7'],
  [1.1, 'fb3ff199999999999a'],
  [-4.1, 'fbc010666666666666'],
  [false, 'f4'],
  [true, 'f5'],
  [null, 'f6'],
  ['', '60'],
  ['IETF', '6449455446'],
  ['\u00fc', '62c3bc'],
  ['\u6c34', '63e6b0b4'],
  [[1, [2, 3], [4, 5]], '8301820203820405'],
  [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
  [new Uint8Array([1, 2, 3, 4]), '4401020304'],
];

test('CBOR encodes the RFC 8949 examples byte for byte and decodes them back', (t) => {
  for (const [value, hex] of VECTORS) {
    t.is(toHex(encodeCbor(value)), hex, JSON.stringify(value));
    t.deepEqual(decodeCbor(fromHex(hex)), value, hex);
  }
});

test('CBOR decodes the RFC forms we never emit: half and single floats, indefinite lengths, tags', (t) => {
  t.is(decodeCbor(fromHex('f93c00')), 1);
  t.is(decodeCbor(fromHex('f97bff')), 65504);
  t.is(decodeCbor(fromHex('fa47c35000')), 100000);
  t.deepEqual(decodeCbor(fromHex('9f018202039f0405ffff')), [1, [2, 3], [4, 5]]);
  t.deepEqual(decodeCbor(fromHex('bf61610161629f0203ffff')), { a: 1, b: [2, 3] });
  t.is(decodeCbor(fromHex('7f657374726561646d696e67ff')), 'streaming');
  t.is(decodeCbor(fromHex('c11a514b67b0')), 1363896240);
});

const cborValue: fc.Arbitrary<CborValue> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }),
    unicodeText(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 }),
  ),
})).value as fc.Arbitrary<CborValue>;

test('property: any value round-trips through CBOR', (t) => {
  fc.assert(fc.property(cborValue, (value) => {
    const back = decodeCbor(encodeCbor(value));
    return JSON.stringify(back, replacer) === JSON.stringify(value, replacer);
  }), { numRuns: 300 });
  t.pass();
});

test('fuzz: random and mutated CBOR only ever raises BATCH_MALFORMED', (t) => {
  const sample = encodeCbor({ v: 1, m: 'batch', ch: [[1, [0, 1], [100, -3]]] });
  fc.assert(fc.property(
    fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.tuple(fc.nat(sample.length - 1), fc.nat(255)).map(([i, v]) => sample.map((b, j) => (j === i ? v : b))),
      fc.nat(sample.length).map((n) => sample.slice(0, n)),
    ),
    (bytes) => {
      try {
        decodeCbor(bytes);
        return true;
      } catch (error) {
        return (error as { code?: string }).code === 'BATCH_MALFORMED';
      }
    },
  ), { numRuns: 500 });
  t.pass();
});

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Object.is(value, -0)) return '-0';
  return value;
}
