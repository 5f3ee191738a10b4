/** Helpers shared by the store's core tests (runtime-neutral: they run in XS too). */
import { MemoryKeyValueStore, type KeyValueStore } from '../ports/storage.js';
import { MemoryFileSystem } from './memory-file-system.js';
import { StoreAndForward, type RecordKind, type StoreOptions, type StoredRecord } from './store.js';

export interface Rig {
  files: MemoryFileSystem;
  meta: KeyValueStore;
  options: Omit<StoreOptions, 'files' | 'meta'>;
  open(): StoreAndForward;
}

/** A crash-simulating file system and key-value store, and a way to (re)open a store on them. */
export function rig(options: Partial<Omit<StoreOptions, 'files' | 'meta'>> = {}): Rig {
  const files = new MemoryFileSystem();
  const meta = new MemoryKeyValueStore();
  const all = { capacityBytes: 1024, segmentBytes: 256, ...options };
  return { files, meta, options: all, open: () => StoreAndForward.open({ files, meta, ...all }) };
}

/** A payload whose bytes name the record (n as 4 bytes, then filler up to `length`). */
export function payloadFor(n: number, length = 10): Uint8Array {
  const out = new Uint8Array(Math.max(4, length));
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 0xff;
  out[2] = (n >>> 8) & 0xff;
  out[3] = n & 0xff;
  for (let i = 4; i < out.length; i++) out[i] = (n + i) & 0xff;
  return out;
}

/** Every pending record of one queue, oldest first. */
export function pendingOf(store: StoreAndForward, kind: RecordKind): StoredRecord[] {
  return store.peek(Number.MAX_SAFE_INTEGER, kind);
}

export function seqsOf(records: readonly StoredRecord[]): number[] {
  return records.map((r) => r.seq);
}
