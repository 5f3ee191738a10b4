/**
 * kv-blob: the channel table of a 1,000-device gateway (10,000 channels,
 * about 870 KB) is more than the 255 chunks a version-1 header counts; it is
 * saved with a version-2 header and read back. Small blobs keep the version-1
 * header every earlier firmware reads.
 */
import { test } from '../../test/kit/core-test.js';
import { encodeCbor, type CborValue } from '../batch/cbor-codec.js';
import { buildChannelTable } from '../batch/channels.js';
import { tenRegisterManifest, thousandDeviceSite } from '../batch/test-support.js';
import { bytesEqual } from '../bytes.js';
import { MemoryKeyValueStore } from '../ports/storage.js';
import { KV_CHUNK_BYTES, loadBlob, saveBlob } from './kv-blob.js';

test('the channel table of 1,000 ten-point devices is saved and read back', (t) => {
  const table = buildChannelTable(thousandDeviceSite(), new Map([['ten-registers', tenRegisterManifest()]]));
  const blob = encodeCbor(table as unknown as CborValue);
  t.true(blob.length > 255 * KV_CHUNK_BYTES, `${blob.length} bytes`);
  const kv = new MemoryKeyValueStore();
  saveBlob(kv, 'ct', blob);
  t.is(kv.get('ct')?.[0], 2, 'a version-2 header');
  t.true(bytesEqual(loadBlob(kv, 'ct') ?? new Uint8Array(0), blob));
  // Saved again (the next start): the other slot, and the first slot's chunks are gone.
  saveBlob(kv, 'ct', blob);
  t.true(bytesEqual(loadBlob(kv, 'ct') ?? new Uint8Array(0), blob));
  t.is(kv.get('cta0'), undefined);
});

test('a small blob keeps the version-1 header', (t) => {
  const kv = new MemoryKeyValueStore();
  const blob = Uint8Array.of(1, 2, 3, 4, 5);
  saveBlob(kv, 'pp', blob);
  t.deepEqual(Array.from(kv.get('pp') ?? []).slice(0, 3), [1, 0, 1]);
  t.deepEqual(Array.from(loadBlob(kv, 'pp') ?? []), [1, 2, 3, 4, 5]);
});
