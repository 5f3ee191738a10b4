/**
 * The KeyValueStore port on Node: one file per key, replaced atomically
 * (write a temporary file, fsync it, rename it over the old one, fsync the
 * directory), so a power cut leaves either the old value or the new one.
 * Files are 0600 in a 0700 directory (private-files.ts).
 *
 * With a GroupCommit (group-commit.ts) the replacement is still written and
 * renamed at once, so a killed process never loses it, but the fsyncs are
 * left to the next group commit, off the event loop. A power cut in between
 * may leave the old value or a torn new one; every reader of these keys
 * checks what it reads (alarm records, the log's meta entry, kv-blob's CRC)
 * and falls back safely, so `set` is durable within one commit instead of
 * when it returns.
 */
import { closeSync, fchmodSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { KeyValueStore } from '../../../drivers/ports/storage.js';
import { diskSync } from './disk-sync.js';
import { checkFlatName, fsyncDirectory } from './fsync-dir.js';
import type { GroupCommit } from './group-commit.js';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from './private-files.js';

const TEMP_SUFFIX = '.tmp';

export class NodeKeyValueStore implements KeyValueStore {
  readonly dir: string;
  readonly #commit: GroupCommit | undefined;

  constructor(dir: string, options: { groupCommit?: GroupCommit } = {}) {
    this.dir = dir;
    this.#commit = options.groupCommit;
    makePrivateDirectory(dir);
  }

  #file(key: string): string {
    checkFlatName(key, 'key');
    if (key.endsWith(TEMP_SUFFIX)) throw new Error(`key ${JSON.stringify(key)} must not end in ${TEMP_SUFFIX} (reserved for replacement files)`);
    return path.join(this.dir, key);
  }

  get(key: string): Uint8Array | undefined {
    try {
      return new Uint8Array(readFileSync(this.#file(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  set(key: string, value: Uint8Array): void {
    const file = this.#file(key);
    const temp = file + TEMP_SUFFIX;
    const fd = openSync(temp, 'w', PRIVATE_FILE_MODE);
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE); // a temporary file left by a crash keeps its old mode through 'w'
      let done = 0;
      while (done < value.length) done += writeSync(fd, value, done, value.length - done);
      if (this.#commit === undefined) diskSync.fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    if (this.#commit === undefined) fsyncDirectory(this.dir);
    else this.#commit.fileReplaced(file, this.dir);
  }

  delete(key: string): void {
    try {
      unlinkSync(this.#file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (this.#commit === undefined) fsyncDirectory(this.dir);
    else this.#commit.directoryChanged(this.dir);
  }
}
