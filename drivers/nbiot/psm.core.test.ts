import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { cpsmsCommand, decodeT3324, decodeT3412, encodeT3324, encodeT3412, TIMER_DEACTIVATED } from './psm.js';

test('T3412 (periodic TAU) worked examples', (t) => {
  t.deepEqual(encodeT3412(24 * 3600), { bits: '00111000', seconds: 86_400 }, '24 × 1 h');
  t.deepEqual(encodeT3412(3600), { bits: '00000110', seconds: 3600 }, '6 × 10 min (finer unit wins the tie with 1 × 1 h)');
  t.deepEqual(encodeT3412(10), { bits: '01100101', seconds: 10 }, '5 × 2 s');
  t.deepEqual(encodeT3412(31 * 86_400), { bits: '11000011', seconds: 3 * 1_152_000 }, 'rounded up to 3 × 320 h');
  t.deepEqual(encodeT3412(61), { bits: '01111111', seconds: 62 }, 'rounded up to 31 × 2 s');
  t.deepEqual(encodeT3412(70), { bits: '10000011', seconds: 90 }, 'rounded up to 3 × 30 s');
});

test('T3324 (active time) worked examples', (t) => {
  t.deepEqual(encodeT3324(20), { bits: '00001010', seconds: 20 });
  t.deepEqual(encodeT3324(0), { bits: '00000000', seconds: 0 });
  t.deepEqual(encodeT3324(600), { bits: '00101010', seconds: 600 }, '10 × 1 min');
  t.is(decodeT3324('01000011'), 1080, '3 decihours');
  t.is(decodeT3324(TIMER_DEACTIVATED), 'deactivated');
  t.is(decodeT3412('11111111'), 'deactivated');
});

test('out-of-range and malformed values are named errors', (t) => {
  t.throws(() => encodeT3324(187 * 60), { code: 'NBIOT_BAD_ARGUMENT', message: /longer than the encoding allows \(11160 s\)/ });
  t.throws(() => encodeT3412(-1), { code: 'NBIOT_BAD_ARGUMENT' });
  t.throws(() => encodeT3412(Number.NaN), { code: 'NBIOT_BAD_ARGUMENT' });
  t.throws(() => decodeT3412('0101'), { code: 'NBIOT_BAD_ARGUMENT' });
  t.throws(() => decodeT3324('01100001'), { code: 'NBIOT_BAD_ARGUMENT', message: /unit code 011/ });
});

test('AT+CPSMS command text', (t) => {
  t.is(cpsmsCommand({ enabled: true, periodicTauSeconds: 86_400, activeTimeSeconds: 20 }), 'AT+CPSMS=1,,,00111000,00001010');
  t.is(cpsmsCommand({ enabled: false }), 'AT+CPSMS=0');
});

test('property: encoding rounds up to the smallest representable value and decodes back to it', (t) => {
  for (const [encode, decode, max] of [
    [encodeT3412, decodeT3412, 31 * 1_152_000],
    [encodeT3324, decodeT3324, 31 * 360],
  ] as const) {
    fc.assert(
      fc.property(fc.integer({ min: 0, max }), (seconds) => {
        const encoded = encode(seconds);
        if (encoded.seconds < seconds || decode(encoded.bits) !== encoded.seconds) return false;
        // Nothing representable lies in [seconds, encoded.seconds): every smaller encoding is below the request.
        for (let v = 0; v < 256; v++) {
          const bits = v.toString(2).padStart(8, '0');
          let value: number | 'deactivated';
          try {
            value = decode(bits);
          } catch {
            continue;
          }
          if (value !== 'deactivated' && value >= seconds && value < encoded.seconds) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  }
  t.pass();
});
