// Cross-check against an independent CBOR implementation (cborg) on Node.
import test from 'ava';
import fc from 'fast-check';
import * as cborg from 'cborg';
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';

const jsonish: fc.Arbitrary<CborValue> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
    fc.string({ unit: 'grapheme' }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5 }),
  ),
})).value as fc.Arbitrary<CborValue>;

test('our CBOR and cborg read each other\'s encodings', (t) => {
  fc.assert(
    fc.property(jsonish, (value) => {
      const ours = encodeCbor(value);
      t.deepEqual(normalise(cborg.decode(ours, { useMaps: false })), normalise(value));
      t.deepEqual(normalise(decodeCbor(cborg.encode(value))), normalise(value));
    }),
    { numRuns: 300 },
  );
});

function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}
