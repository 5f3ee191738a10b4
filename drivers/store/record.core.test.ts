import { test } from '../../test/kit/core-test.js';
import { asciiBytes, toHex } from '../bytes.js';
import { crc32 } from './crc32.js';
import { decodeMeta, encodeMeta } from './meta.js';
import { crcMatches, encodeRecord, readHeader, RECORD_OVERHEAD_BYTES } from './record.js';
import { parseSegmentName, segmentName } from './segment.js';

test('crc32 gives the CRC-32/IEEE check value and rejects zero and erased-flash runs', (t) => {
  t.is(crc32(asciiBytes('123456789')), 0xcbf43926);
  t.is(crc32(new Uint8Array(0)), 0);
  // A header of zeros or 0xFF with a zero / 0xFF "CRC" must not validate.
  t.false(crcMatches(new Uint8Array(RECORD_OVERHEAD_BYTES), 0, RECORD_OVERHEAD_BYTES));
  t.false(crcMatches(new Uint8Array(RECORD_OVERHEAD_BYTES).fill(0xff), 0, RECORD_OVERHEAD_BYTES));
});

test('a record is length, type, 48-bit seq, payload, CRC-32, big-endian', (t) => {
  const record = encodeRecord('reading', 0x0102_0304_0506, new Uint8Array([0xaa, 0xbb]));
  t.is(toHex(record.subarray(0, 11)), '000202010203040506aabb');
  t.is(record.length, 2 + RECORD_OVERHEAD_BYTES);
  t.true(crcMatches(record, 0, record.length));
  t.deepEqual(readHeader(record, 0), { size: record.length, kind: 'reading', seq: 0x0102_0304_0506 });
  t.is(readHeader(encodeRecord('alert', 1, new Uint8Array(0)), 0).kind, 'alert');
  for (let i = 0; i < record.length; i++) {
    const torn = record.slice();
    torn[i] ^= 0x10;
    t.false(crcMatches(torn, 0, torn.length), `a flipped bit in byte ${i} is caught`);
  }
  t.throws(() => encodeRecord('alert', 0, new Uint8Array(1)), { name: 'RangeError' });
  t.throws(() => encodeRecord('alert', 2 ** 48, new Uint8Array(1)), { name: 'RangeError' });
});

test('meta round-trips and refuses damaged bytes', (t) => {
  const meta = { alertAckedThrough: 7, readingAckedThrough: 2 ** 40 + 3, droppedReadings: 12, droppedThroughSegment: 9, seqFloor: 2 ** 40 + 10, segmentFloor: 11 };
  const bytes = encodeMeta(meta);
  t.deepEqual(decodeMeta(bytes), meta);
  bytes[5] ^= 1;
  t.is(decodeMeta(bytes), undefined);
  t.is(decodeMeta(new Uint8Array(3)), undefined);
});

test('segment names sort by number and parse back; foreign names are ignored', (t) => {
  t.is(segmentName('sf', 'alert', 0x2a), 'sf-a-0000002a.seg');
  t.deepEqual(parseSegmentName('sf', 'sf-r-ffffffff.seg'), { kind: 'reading', number: 0xffffffff });
  for (const name of ['sf.meta', 'sf-x-0000002a.seg', 'sf-a-0000002g.seg', 'other-a-0000002a.seg', 'sf-a-2a.seg', 'sf-a-0000002a.tmp']) {
    t.is(parseSegmentName('sf', name), undefined, name);
  }
});
