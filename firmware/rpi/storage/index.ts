/** Node storage for the store-and-forward log: segments in `<dir>/log`, the meta entry in `<dir>/kv`. */
import path from 'node:path';
import type { FileSystem, KeyValueStore } from '../../../drivers/ports/storage.js';
import { NodeFileSystem } from './node-file-system.js';
import { NodeKeyValueStore } from './node-key-value-store.js';

export { NodeFileSystem } from './node-file-system.js';
export { NodeKeyValueStore } from './node-key-value-store.js';
export { makePrivateDirectory, tightenDirectory } from './private-files.js';

export function nodeStorePorts(dir: string): { files: FileSystem; meta: KeyValueStore } {
  return { files: new NodeFileSystem(path.join(dir, 'log')), meta: new NodeKeyValueStore(path.join(dir, 'kv')) };
}
