/** Node storage for the store-and-forward log: segments in `<dir>/log`, the meta entry in `<dir>/kv`. */
import path from 'node:path';
import type { FileSystem, KeyValueStore } from '../../../drivers/ports/storage.js';
import { NodeFileSystem } from './node-file-system.js';
import { NodeKeyValueStore } from './node-key-value-store.js';
import { GroupCommit } from './group-commit.js';

export { NodeFileSystem } from './node-file-system.js';
export { NodeKeyValueStore } from './node-key-value-store.js';
export { makePrivateDirectory, tightenDirectory } from './private-files.js';
export { GroupCommit, type GroupCommitStats } from './group-commit.js';

/**
 * Without `groupCommit` every sync happens on the caller's thread before it
 * returns; with one, syncs are grouped off the event loop (group-commit.ts):
 * what the gateway host uses.
 */
export function nodeStorePorts(dir: string, options: { groupCommit?: GroupCommit } = {}): { files: FileSystem; meta: KeyValueStore } {
  return { files: new NodeFileSystem(path.join(dir, 'log'), options), meta: new NodeKeyValueStore(path.join(dir, 'kv'), options) };
}

/**
 * The gateway host's storage: the same ports with one GroupCommit for both,
 * so no alarm transition or log sync waits for the disk on the event loop.
 * Await `groupCommit.idle()` before exiting.
 */
export function hostStorePorts(dir: string, onError: (error: Error) => void): { files: FileSystem; meta: KeyValueStore; groupCommit: GroupCommit } {
  const groupCommit = new GroupCommit({ onError });
  return { ...nodeStorePorts(dir, { groupCommit }), groupCommit };
}
