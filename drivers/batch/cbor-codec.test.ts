// Cross-check against an independent CBOR implementation (cbor-x, the library Node tools use) on Node.
import test from 'ava';
import { Decoder, Encoder } from 'cbor-x';
import fc from 'fast-check';
import { decodeCbor, encodeCbor, type CborValue } from './cbor-codec.js';

// Plain CBOR both ways: maps as objects, no cbor-x record extension, 64-bit integers as numbers (all ours are safe integers).
const cborx = { encoder: new Encoder({ useRecords: false, mapsAsObjects: true }), decoder: new Decoder({ useRecords: false, mapsAsObjects: true, int64AsNumber: true } as ConstructorParameters<typeof Decoder>[0]) };

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

test('our CBOR and cbor-x read each other\'s encodings', (t) => {
  fc.assert(
    fc.property(jsonish, (value) => {
      const ours = encodeCbor(value);
      t.deepEqual(normalise(cborx.decoder.decode(ours)), normalise(value));
      t.deepEqual(normalise(decodeCbor(cborx.encoder.encode(value))), normalise(value));
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
