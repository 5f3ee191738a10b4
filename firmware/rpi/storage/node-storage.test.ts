import test from 'ava';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StoreAndForward } from '../../../drivers/store/store.js';
import { nodeStorePorts, NodeFileSystem, NodeKeyValueStore, tightenDirectory } from './index.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'axon-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('NodeFileSystem: create, append, read, sync, truncate, reopen, list and remove', (t) => {
  const dir = tempDir(t);
  const files = new NodeFileSystem(dir);
  const file = files.open('a.seg');
  t.is(file.size(), 0);
  file.append(new Uint8Array([1, 2, 3]));
  file.append(new Uint8Array([4, 5]));
  file.sync();
  t.deepEqual(file.read(1, 3), new Uint8Array([2, 3, 4]));
  t.deepEqual(file.read(3, 10), new Uint8Array([4, 5]), 'reads stop at the end');
  t.false(Buffer.isBuffer(file.read(0, 1)), 'plain Uint8Array, as the core expects');
  file.truncate(2);
  file.append(new Uint8Array([9]));
  file.close();
  t.deepEqual(files.open('a.seg').read(0, 10), new Uint8Array([1, 2, 9]));
  t.deepEqual(files.list(), ['a.seg']);
  files.remove('a.seg');
  files.remove('a.seg');
  t.deepEqual(files.list(), []);
  t.throws(() => files.open('../escape'), { message: /must be 1-128 characters/ });
});

test('NodeKeyValueStore: values replace atomically and survive a new instance; leftovers of a cut write are ignored', (t) => {
  const dir = tempDir(t);
  const kv = new NodeKeyValueStore(dir);
  t.is(kv.get('sf.meta'), undefined);
  kv.set('sf.meta', new Uint8Array([1, 2]));
  kv.set('sf.meta', new Uint8Array([3, 4, 5]));
  writeFileSync(path.join(dir, 'sf.meta.tmp'), 'half-written'); // a power cut before the rename
  const again = new NodeKeyValueStore(dir);
  t.deepEqual(again.get('sf.meta'), new Uint8Array([3, 4, 5]));
  again.delete('sf.meta');
  again.delete('sf.meta');
  t.is(again.get('sf.meta'), undefined);
  t.throws(() => again.set('x.tmp', new Uint8Array(1)), { message: /reserved/ });
});

test('the store on real files: restart keeps records, acks and seqs; a torn file tail is cut', (t) => {
  const dir = tempDir(t);
  const options = { ...nodeStorePorts(dir), capacityBytes: 8192, segmentBytes: 1024 };
  let store = StoreAndForward.open(options);
  for (let i = 0; i < 100; i++) store.append(i % 10 === 0 ? 'alert' : 'reading', new Uint8Array([i, i, i]));
  store.ack(store.peek(10)[9].seq);
  store.ack(store.peek(5, 'reading')[4].seq);
  store.close();
  t.true(readdirSync(path.join(dir, 'log')).length > 1);

  store = StoreAndForward.open({ ...nodeStorePorts(dir), capacityBytes: 8192, segmentBytes: 1024 });
  t.deepEqual(store.status().pendingAlerts, 0);
  t.deepEqual(store.status().pendingReadings, 85);
  t.is(store.nextSeq, 101);
  store.close();

  const segments = readdirSync(path.join(dir, 'log')).sort();
  const last = path.join(dir, 'log', segments[segments.length - 1]);
  truncateSync(last, statSync(last).size - 5); // tear the last record
  store = StoreAndForward.open({ ...nodeStorePorts(dir), capacityBytes: 8192, segmentBytes: 1024 });
  t.is(store.recovery.truncatedBytes, 16 - 5);
  t.is(store.status().pendingReadings, 84);
  t.is(store.append('reading', new Uint8Array([7])), 101, 'the meta written at close holds the seq floor, so even the torn seq is not reused');
  store.close();
});

test('private: the store and key-value files are 0600 in 0700 directories; an older 0755/0644 directory is tightened', (t) => {
  const dir = path.join(tempDir(t), 'data');
  const { files, meta } = nodeStorePorts(dir);
  files.open('a.seg').append(new Uint8Array([1]));
  meta.set('k', new Uint8Array([2]));
  const mode = (file: string) => statSync(path.join(dir, file)).mode & 0o777;
  t.is(mode('log'), 0o700);
  t.is(mode('kv'), 0o700);
  t.is(mode('log/a.seg'), 0o600);
  t.is(mode('kv/k'), 0o600);

  chmodSync(dir, 0o755);
  chmodSync(path.join(dir, 'kv'), 0o755);
  chmodSync(path.join(dir, 'kv/k'), 0o644);
  writeFileSync(path.join(dir, 'old-notes'), 'x', { mode: 0o644 });
  const changed = tightenDirectory(dir).map((p) => path.relative(dir, p)).sort();
  t.deepEqual(changed, ['', 'kv', 'kv/k', 'old-notes']);
  t.is(mode(''), 0o700);
  t.is(mode('old-notes'), 0o600);
  t.deepEqual(tightenDirectory(dir), [], 'nothing left to change');
});
