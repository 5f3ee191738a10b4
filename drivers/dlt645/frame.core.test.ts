import { test } from '../../test/kit/core-test.js';
import { concatBytes, fromHex, toHex } from '../bytes.js';
import { decodeBcd, encodeBcd } from './bcd.js';
import { lookupDataId, equivalentDataId } from './data-ids.js';
import { describeDlt645Frame } from './describe.js';
import { decodeDataId, decodeDlt645Frame, encodeDlt645Frame, readDataRequest } from './frame.js';

// The public test pair from DESIGN.md §4.
const REQUEST = '68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16';
const REPLY = '68 14 01 00 31 82 21 68 91 08 33 33 34 33 39 33 33 33 F1 16';

test('read request for 00010000 at meter 000000000161 encodes to the public bytes', (t) => {
  const bytes = encodeDlt645Frame(readDataRequest('000000000161', '00010000'));
  t.is(toHex(bytes, ' '), REQUEST.toLowerCase());
});

test('the public reply decodes to meter 218231000114, DI 00010000, 0.06 kWh', (t) => {
  const frame = decodeDlt645Frame(fromHex(REPLY));
  t.is(frame.address, '218231000114');
  t.is(frame.control, 0x91);
  t.is(decodeDataId(frame.data, 0, 4), '00010000');
  const entry = lookupDataId('00010000');
  t.truthy(entry);
  t.is(decodeBcd(frame.data, 4, entry!), 0.06);
  const described = describeDlt645Frame(fromHex(REPLY));
  t.is(described.address, '218231000114');
  t.is(described.di, '00010000');
  t.is(described.value, 0.06);
  t.is(described.unit, 'kWh');
  t.true(described.checksumOk);
  t.is(described.direction, 'meter-to-master');
  t.is(described.version, '2007');
});

test('1 to 4 FE preamble bytes are skipped by decode and describe', (t) => {
  for (let n = 1; n <= 4; n++) {
    const bytes = concatBytes(new Uint8Array(n).fill(0xfe), fromHex(REPLY));
    t.is(decodeDlt645Frame(bytes).address, '218231000114');
    const described = describeDlt645Frame(bytes);
    t.is(described.preambleBytes, n);
    t.is(described.value, 0.06);
    t.is(toHex(encodeDlt645Frame(decodeDlt645Frame(bytes), { preambleBytes: n }), ' '), toHex(bytes, ' '));
  }
});

test('a corrupted checksum is reported by decode and flagged by describe', (t) => {
  const bytes = fromHex(REPLY);
  bytes[bytes.length - 2] ^= 0x01;
  t.throws(() => decodeDlt645Frame(bytes), { name: 'Dlt645ChecksumError', code: 'DLT645_CHECKSUM' });
  const described = describeDlt645Frame(bytes);
  t.false(described.checksumOk);
  t.is(described.expectedChecksum, 'F1');
});

test('non-frames raise Dlt645FrameError with a reason', (t) => {
  t.throws(() => decodeDlt645Frame(fromHex('')), { code: 'DLT645_MALFORMED' });
  t.throws(() => decodeDlt645Frame(fromHex('FE FE FE')), { code: 'DLT645_MALFORMED' });
  t.throws(() => decodeDlt645Frame(fromHex('01 03 00 00 00 01 84 0A')), { code: 'DLT645_MALFORMED' });
  t.throws(() => decodeDlt645Frame(fromHex(REPLY).subarray(0, 15)), { code: 'DLT645_MALFORMED', message: /length byte says 8/ });
  const noEnd = fromHex(REPLY);
  noEnd[noEnd.length - 1] = 0x17;
  t.throws(() => decodeDlt645Frame(noEnd), { code: 'DLT645_MALFORMED', message: /expected 16/ });
});

test('an abnormal reply D1 decodes its ERR byte to names', (t) => {
  const bytes = encodeDlt645Frame({ address: '218231000114', control: 0xd1, data: Uint8Array.of(0x02) });
  const described = describeDlt645Frame(bytes);
  t.true(described.abnormal);
  t.deepEqual(described.error, { err: '02', names: ['NO_DATA_REQUESTED'] });
  const multi = describeDlt645Frame(encodeDlt645Frame({ address: '1', control: 0xd1, data: Uint8Array.of(0x05) }));
  t.deepEqual(multi.error?.names, ['OTHER_ERROR', 'UNAUTHORIZED']);
  const old = describeDlt645Frame(encodeDlt645Frame({ address: '1', control: 0xc1, data: Uint8Array.of(0x02) }));
  t.is(old.version, '1997');
  t.deepEqual(old.error?.names, ['BAD_DATA_IDENTIFIER']);
});

test('1997 read of 9010 round-trips: 2-byte DI sent DI0 first, control 01 → 81', (t) => {
  const request = encodeDlt645Frame(readDataRequest('000000000003', '9010'));
  // DI 9010 goes out as 10 90, +0x33 = 43 C3.
  t.is(toHex(request.subarray(8, 12), ' '), '01 02 43 c3');
  const back = describeDlt645Frame(request);
  t.is(back.version, '1997');
  t.is(back.di, '9010');
  t.is(back.function, 'read data');
  const entry = lookupDataId('9010')!;
  const reply = encodeDlt645Frame({ address: '000000000003', control: 0x81, data: concatBytes(Uint8Array.of(0x10, 0x90), encodeBcd(123456.78, entry)) });
  const described = describeDlt645Frame(reply);
  t.is(described.value, 123456.78);
  t.is(described.unit, 'kWh');
  t.is(described.name, 'forward_active_energy_total');
  t.is(equivalentDataId('9010')?.di, '00010000');
});

test('signed formats keep the sign in the top bit', (t) => {
  const current = lookupDataId('02020100')!;
  t.is(toHex(encodeBcd(-1.5, current)), '001580');
  t.is(decodeBcd(fromHex('001580'), 0, current), -1.5);
  t.is(decodeBcd(fromHex('563412'), 0, current), 123.456);
  const power = lookupDataId('02030000')!;
  t.is(decodeBcd(fromHex('563412'), 0, power), 12.3456);
  t.is(decodeBcd(fromHex('563492'), 0, power), -12.3456);
  const pf = lookupDataId('02060000')!;
  t.is(decodeBcd(fromHex('5089'), 0, pf), -0.95);
  t.is(decodeBcd(fromHex('0080'), 0, pf), 0, 'negative zero reads as 0');
  t.throws(() => encodeBcd(800, current), { code: 'METER_VALUE_RANGE' });
  t.throws(() => encodeBcd(-1, lookupDataId('00010000')!), { code: 'METER_VALUE_RANGE' });
  t.throws(() => decodeBcd(fromHex('1a00'), 0, pf), { code: 'METER_BAD_BCD' });
});

test('read-address request and reply describe the wildcard and the reported address', (t) => {
  const request = describeDlt645Frame(encodeDlt645Frame({ address: 'AAAAAAAAAAAA', control: 0x13, data: new Uint8Array(0) }));
  t.is(request.address, 'AAAAAAAAAAAA');
  t.is(request.function, 'read address');
  const reply = describeDlt645Frame(
    encodeDlt645Frame({ address: '218231000114', control: 0x93, data: fromHex('14 01 00 31 82 21') }),
  );
  t.is(reply.reportedAddress, '218231000114');
});
