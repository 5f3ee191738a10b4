import { test } from '../../test/kit/core-test.js';
import { mulberry32 } from '../../simulators/models/prng.js';
import type { FileSystem } from '../ports/storage.js';
import { MemoryFileSystem } from './memory-file-system.js';
import { RECORD_OVERHEAD_BYTES } from './record.js';
import { segmentName } from './segment.js';
import { StoreAndForward, type DropReport } from './store.js';
import { payloadFor, pendingOf, rig, seqsOf } from './test-support.js';

// With 10-byte payloads a record is 23 bytes, so a 256-byte segment holds 11.
const PER_SEGMENT = Math.floor(256 / (10 + RECORD_OVERHEAD_BYTES));

test('append hands out increasing seqs; peek shows the oldest without removing; ack is cumulative and idempotent', (t) => {
  const store = rig().open();
  const seqs = [1, 2, 3, 4, 5].map((n) => store.append('reading', payloadFor(n)));
  t.deepEqual(seqs, [1, 2, 3, 4, 5]);
  t.deepEqual(seqsOf(store.peek(3)), [1, 2, 3]);
  t.deepEqual(seqsOf(store.peek(3)), [1, 2, 3], 'peek does not consume');
  t.deepEqual(store.peek(1)[0].payload, payloadFor(1));
  t.is(store.ack(2), 2, 'acknowledging 2 acknowledges 1 and 2');
  t.is(store.next()?.seq, 3);
  t.is(store.ack(2), 0, 'a repeated ack is harmless');
  t.is(store.ack(99), 0, 'an unknown seq acknowledges nothing');
  t.is(store.ack(5), 3);
  t.is(store.next(), undefined);
  t.deepEqual(store.peek(10), []);
  t.is(store.status().pendingReadings, 0);
  t.is(store.append('reading', payloadFor(6)), 6);
  t.is(store.next()?.seq, 6);
});

test('alerts are served before readings, each queue oldest first, and acks stay within their queue', (t) => {
  const store = rig().open();
  const kinds = ['reading', 'alert', 'reading', 'reading', 'alert', 'reading'] as const;
  kinds.forEach((kind, i) => store.append(kind, payloadFor(i)));
  t.deepEqual(seqsOf(store.peek(10)), [2, 5], 'a peek returns one queue: alerts first');
  t.deepEqual(seqsOf(store.peek(10, 'reading')), [1, 3, 4, 6]);
  t.is(store.ack(4), 3, 'acknowledging reading 4 covers readings 1, 3 and 4, not alert 2');
  t.deepEqual(seqsOf(store.peek(10, 'alert')), [2, 5]);
  t.is(store.ack(2), 1);
  t.is(store.next()?.seq, 5);
  t.is(store.ack(5), 1);
  t.deepEqual(seqsOf(store.peek(10)), [6], 'readings once no alert is pending');
  store.append('alert', payloadFor(9));
  t.is(store.next()?.seq, 7, 'a new alert jumps the reading queue');
});

test('sequence numbers, pending records and durable acks survive a restart; an unsynced ack is re-sent', (t) => {
  const r = rig();
  let store = r.open();
  for (let i = 0; i < 30; i++) store.append(i % 7 === 0 ? 'alert' : 'reading', payloadFor(i));
  store.ack(store.peek(10, 'reading')[9].seq);
  store.sync();
  store.ack(store.peek(1, 'reading')[0].seq); // not synced
  const next = store.nextSeq;
  store.close();
  store = r.open();
  t.is(store.nextSeq, next);
  t.is(store.status().pendingAlerts, 5);
  t.is(store.status().pendingReadings, 14, '25 readings, 11 acknowledged (close() synced the last ack)');
  t.is(store.recovery.truncatedBytes, 0);

  const before = store.status();
  store.ack(store.peek(1, 'reading')[0].seq);
  r.files.crash(() => 0);
  store = r.open();
  t.is(store.status().pendingReadings, before.pendingReadings, 'the unsynced ack is gone: that reading is sent again');
  t.is(store.append('reading', payloadFor(0)), next, 'seqs continue where they were');
});

test('a power cut loses unsynced readings only: alerts and anything peeked are durable', (t) => {
  const r = rig({ syncAfterReadings: 1000, syncAfterBytes: 1 << 20, capacityBytes: 4096 });
  let store = r.open();
  store.append('reading', payloadFor(1));
  store.append('reading', payloadFor(2));
  t.is(store.peek(1)[0].seq, 1, 'peek syncs before handing records out');
  store.append('reading', payloadFor(3));
  store.append('alert', payloadFor(4)); // syncs everything so far
  store.append('reading', payloadFor(5));
  store.append('reading', payloadFor(6));
  t.true(store.dirty);
  const lost = r.files.crash(() => 0);
  t.is(lost.lostBytes, 2 * (10 + RECORD_OVERHEAD_BYTES));
  store = r.open();
  t.deepEqual(seqsOf(pendingOf(store, 'alert')), [4]);
  t.deepEqual(seqsOf(pendingOf(store, 'reading')), [1, 2, 3]);
  t.is(store.nextSeq, 5, 'seqs that only ever lived in unsynced bytes (never sent) are given out again');
  t.false(store.dirty);
});

test('at capacity the oldest reading segment is dropped, counted exactly, reported and persisted', (t) => {
  const drops: DropReport[] = [];
  const r = rig({ onDrop: (d) => drops.push(d) });
  let store = r.open();
  const total = 4 * PER_SEGMENT; // fills all four segments
  for (let i = 1; i <= total; i++) store.append('reading', payloadFor(i));
  t.is(store.droppedReadings, 0, 'nothing is dropped before the store is full');
  t.is(store.ack(3), 3);
  store.append('reading', payloadFor(total + 1));
  t.deepEqual(drops, [{ count: PER_SEGMENT - 3, firstSeq: 4, lastSeq: PER_SEGMENT, droppedReadings: PER_SEGMENT - 3 }]);
  t.is(store.droppedReadings, PER_SEGMENT - 3, 'acknowledged readings in the dropped segment do not count');
  t.is(store.next()?.seq, PER_SEGMENT + 1, 'the oldest surviving reading comes next');
  t.true(store.status().usedBytes <= store.capacityBytes);
  store.close();
  store = r.open();
  t.is(store.droppedReadings, PER_SEGMENT - 3);
  const pending = pendingOf(store, 'reading');
  t.is(pending.length, total + 1 - PER_SEGMENT);
  t.is(pending[0].seq, PER_SEGMENT + 1);
  t.is(total + 1, 3 + pending.length + store.droppedReadings, 'appended = acknowledged + pending + dropped');
});

test('alerts are never dropped: readings go first, and a store full of alerts refuses more', (t) => {
  const r = rig();
  const store = r.open();
  for (let i = 0; i < 2 * PER_SEGMENT; i++) store.append('reading', payloadFor(i));
  for (let i = 0; i < 3 * PER_SEGMENT; i++) store.append('alert', payloadFor(i));
  t.is(store.droppedReadings, PER_SEGMENT, 'one reading segment made room for the third alert segment');
  for (let i = 0; i < PER_SEGMENT; i++) store.append('alert', payloadFor(i));
  t.is(store.droppedReadings, 2 * PER_SEGMENT);
  t.is(store.status().pendingAlerts, 4 * PER_SEGMENT);
  t.throws(() => store.append('alert', payloadFor(0)), { code: 'STORE_FULL' });
  t.throws(() => store.append('reading', payloadFor(0)), { code: 'STORE_FULL' });
  store.ack(store.peek(PER_SEGMENT)[PER_SEGMENT - 1].seq);
  t.truthy(store.append('alert', payloadFor(0)), 'an acknowledged segment makes room again');
});

test('acknowledged segments are deleted; the write segment stays', (t) => {
  const r = rig();
  const store = r.open();
  for (let i = 0; i < 3 * PER_SEGMENT; i++) store.append('reading', payloadFor(i));
  t.is(r.files.list().length, 3);
  store.ack(2 * PER_SEGMENT + 1);
  t.is(r.files.list().filter((n) => n.endsWith('.seg')).length, 3, 'nothing is deleted before the ack is durable');
  store.sync();
  t.deepEqual(r.files.list().sort(), [segmentName('sf', 'reading', 3)]);
  store.ack(3 * PER_SEGMENT);
  store.sync();
  t.deepEqual(r.files.list(), [segmentName('sf', 'reading', 3)]);
  t.is(store.append('reading', payloadFor(0)), 3 * PER_SEGMENT + 1);
});

test('a torn last record, cut at every byte offset, loses only itself', (t) => {
  const r = rig({ capacityBytes: 4096 });
  const store = r.open();
  for (let i = 1; i <= 5; i++) store.append(i === 3 ? 'alert' : 'reading', payloadFor(i, 7 + i));
  store.close();
  const name = segmentName('sf', 'reading', 1);
  const full = r.files.contents(name);
  if (full === undefined) return t.fail('segment missing');
  const lastSize = 7 + 5 + RECORD_OVERHEAD_BYTES;
  const start = full.length - lastSize;
  for (let cut = start; cut < full.length; cut++) {
    const files = new MemoryFileSystem();
    for (const other of r.files.list()) {
      const bytes = other === name ? full.subarray(0, cut) : r.files.contents(other);
      if (bytes !== undefined) files.open(other).append(bytes);
    }
    const reopened = StoreAndForward.open({ files, meta: r.meta, ...r.options });
    t.deepEqual(seqsOf(pendingOf(reopened, 'reading')), [1, 2, 4], `cut at ${cut}`);
    t.deepEqual(seqsOf(pendingOf(reopened, 'alert')), [3]);
    t.is(reopened.recovery.truncatedBytes, cut - start);
    t.is(files.contents(name)?.length, start, 'the torn tail is cut off the file');
    t.is(reopened.append('reading', payloadFor(6)), 5, 'the torn seq was never durable, so it is free again');
  }
});

test('a garbled byte anywhere in the last record is cut off too', (t) => {
  const r = rig({ capacityBytes: 4096 });
  const store = r.open();
  for (let i = 1; i <= 4; i++) store.append('reading', payloadFor(i));
  store.close();
  const name = segmentName('sf', 'reading', 1);
  const full = r.files.contents(name) ?? new Uint8Array(0);
  const random = mulberry32(7);
  for (let at = full.length - 23; at < full.length; at++) {
    const files = new MemoryFileSystem();
    const bytes = full.slice();
    bytes[at] ^= 1 + Math.floor(random() * 255);
    files.open(name).append(bytes);
    const reopened = StoreAndForward.open({ files, meta: r.meta, ...r.options });
    t.deepEqual(seqsOf(pendingOf(reopened, 'reading')), [1, 2, 3], `garbled byte ${at}`);
  }
});

test('a drop interrupted between its meta write and the file deletion is finished on reopen', (t) => {
  const r = rig();
  let failRemoves = false;
  const files: FileSystem = {
    open: (name) => r.files.open(name),
    list: () => r.files.list(),
    remove: (name) => {
      if (failRemoves) throw new Error('power cut');
      r.files.remove(name);
    },
  };
  const store = StoreAndForward.open({ files, meta: r.meta, ...r.options });
  for (let i = 1; i <= 4 * PER_SEGMENT; i++) store.append('reading', payloadFor(i));
  failRemoves = true;
  t.throws(() => store.append('reading', payloadFor(0)), { message: 'power cut' });
  t.is(r.files.list().length, 4, 'the victim is still on the media');
  const reopened = r.open();
  t.is(reopened.recovery.removedSegments, 1);
  t.is(reopened.droppedReadings, PER_SEGMENT);
  t.is(pendingOf(reopened, 'reading')[0].seq, PER_SEGMENT + 1);
  t.is(reopened.nextSeq, 4 * PER_SEGMENT + 1);
});

test('an unreadable meta entry restarts acknowledgements from zero rather than losing records', (t) => {
  const r = rig();
  const store = r.open();
  for (let i = 0; i < 5; i++) store.append('reading', payloadFor(i));
  store.ack(3);
  store.close();
  r.meta.set('sf.meta', new Uint8Array([1, 2, 3]));
  const reopened = r.open();
  t.true(reopened.recovery.metaReset);
  t.deepEqual(seqsOf(pendingOf(reopened, 'reading')), [1, 2, 3, 4, 5]);
  t.is(reopened.nextSeq, 6);
});

test('configuration mistakes and oversized payloads are explained', (t) => {
  const r = rig();
  t.throws(() => StoreAndForward.open({ files: r.files, meta: r.meta, capacityBytes: 300, segmentBytes: 256 }), { code: 'STORE_CONFIG' });
  t.throws(() => StoreAndForward.open({ files: r.files, meta: r.meta, capacityBytes: 1024, segmentBytes: 10 }), { code: 'STORE_CONFIG' });
  const store = r.open();
  t.is(store.maxPayloadBytes, 256 - RECORD_OVERHEAD_BYTES);
  t.throws(() => store.append('alert', new Uint8Array(store.maxPayloadBytes + 1)), { code: 'STORE_RECORD_TOO_LARGE' });
  t.is(store.append('alert', new Uint8Array(store.maxPayloadBytes)), 1, 'a record may fill a segment exactly');
  store.close();
  t.throws(() => store.append('alert', new Uint8Array(1)), { code: 'STORE_CLOSED' });
});
