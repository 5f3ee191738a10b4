/** Reply parsers and the ack envelope. */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { splitArgs } from './at-args.js';
import { decodeFrame, encodeFrame, type Frame } from './frame.js';
import { parseCsq, parseNuestats } from './signal.js';
import { parseUrc } from './urc.js';
import { derivePrefix } from './at-engine.js';

test('CSQ: index to dBm, 99 is unknown, garbage is NBIOT_BAD_REPLY', (t) => {
  t.deepEqual(parseCsq(['17,99']), { rssiIndex: 17, rssiDbm: -79, ber: undefined });
  t.deepEqual(parseCsq(['+CSQ: 0,0']), { rssiIndex: 0, rssiDbm: -113, ber: 0 });
  t.deepEqual(parseCsq(['31,99']).rssiDbm, -51);
  t.deepEqual(parseCsq(['noise', '99,99']), { rssiIndex: 99, rssiDbm: undefined, ber: undefined });
  t.throws(() => parseCsq(['45,99']), { code: 'NBIOT_BAD_REPLY' });
  t.throws(() => parseCsq([]), { code: 'NBIOT_BAD_REPLY', message: /\(none\)/ });
});

test('NUESTATS: classic "Key:value" lines and the newer "RADIO,Key,value" form', (t) => {
  const classic = ['Signal power:-767', 'Total power:-680', 'TX power:230', 'TX time:1115', 'Cell ID:37720402', 'ECL:1', 'SNR:172', 'EARFCN:3688', 'PCI:302', 'RSRQ:-108', 'OPERATOR MODE:4', 'CURRENT BAND:8'];
  t.deepEqual(parseNuestats(classic), {
    rsrpDbm: -76.7, totalPowerDbm: -68, txPowerDbm: 23, cellId: '37720402', ecl: 1, sinrDb: 17.2, earfcn: 3688, pci: 302, rsrqDb: -10.8, band: 8,
  });
  t.deepEqual(parseNuestats(['RADIO,Signal power,-1100', 'RADIO,SNR,-30', 'CELL,0,0', 'garbage']), { rsrpDbm: -110, sinrDb: -3 });
});

test('argument splitting keeps commas inside quotes', (t) => {
  t.deepEqual(splitArgs('0,1,"a,b", "c" ,'), ['0', '1', 'a,b', 'c', '']);
});

test('URC recognition: known names only, REBOOT_* as REBOOT, command echoes are not URCs', (t) => {
  t.deepEqual(parseUrc('+NSONMI:0,4')?.args, ['0', '4']);
  t.deepEqual(parseUrc('+QMTRECV: 0,1,"a/b","hi, there"')?.args, ['0', '1', 'a/b', 'hi, there']);
  t.is(parseUrc('REBOOT_CAUSE_SECURITY_RESET_PIN')?.name, 'REBOOT');
  t.is(parseUrc('+CSQ:5,99'), undefined);
  t.is(parseUrc('+NSONMI'), undefined);
  t.is(parseUrc('AT+NSONMI=1'), undefined);
  t.is(derivePrefix('AT+nsorf=0,512'), '+NSORF');
  t.is(derivePrefix('ATE0'), null);
});

test('ack envelope: worked example and round trip', (t) => {
  const data = encodeFrame({ type: 'data', seq: 0x0102, port: 7, alert: true, payload: Uint8Array.of(0xaa) });
  t.deepEqual(Array.from(data), [0xa1, 0x81, 0x01, 0x02, 0x07, 0xaa]);
  t.deepEqual(Array.from(encodeFrame({ type: 'ack', seq: 0x0102 })), [0xa1, 0x02, 0x01, 0x02]);
  t.is(decodeFrame(Uint8Array.of(0xa2, 0x02, 0, 1)), undefined, 'not our marker');
  t.is(decodeFrame(Uint8Array.of(0xa1, 0x02, 0, 1, 9)), undefined, 'an ack has no body');
  t.is(decodeFrame(Uint8Array.of(0xa1, 0x09, 0, 1, 9)), undefined, 'unknown type');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.record({ type: fc.constant('data' as const), seq: fc.integer({ min: 0, max: 0xffff }), port: fc.integer({ min: 0, max: 255 }), alert: fc.boolean(), payload: fc.uint8Array({ maxLength: 40 }) }),
        fc.record({ type: fc.constant('downlink' as const), seq: fc.integer({ min: 0, max: 0xffff }), port: fc.integer({ min: 0, max: 255 }), payload: fc.uint8Array({ maxLength: 40 }) }),
        fc.record({ type: fc.constant('ack' as const), seq: fc.integer({ min: 0, max: 0xffff }) }),
      ),
      (frame: Frame) => JSON.stringify(decodeFrame(encodeFrame(frame)), (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)) ===
        JSON.stringify(frame, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v)),
    ),
    { numRuns: 200 },
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), (bytes) => {
    decodeFrame(bytes);
    return true;
  }));
  t.pass();
});
