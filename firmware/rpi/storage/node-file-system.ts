/**
 * The FileSystem port on Node: one directory, files opened O_APPEND, written
 * straight through with writeSync (no user-space buffer, so a killed process
 * loses nothing it wrote), fdatasync on sync() and a directory fsync after
 * every create and remove, as the port's durability contract requires.
 * Files are 0600 in a 0700 directory (private-files.ts). With a GroupCommit
 * the syncs leave the event loop and are shared (group-commit.ts): what was
 * written still survives a killed process, and a power cut takes back at most
 * the last commit's few milliseconds.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AppendFile, FileSystem } from '../../../drivers/ports/storage.js';
import { diskSync } from './disk-sync.js';
import { checkFlatName, fsyncDirectory } from './fsync-dir.js';
import type { GroupCommit } from './group-commit.js';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from './private-files.js';

export class NodeFileSystem implements FileSystem {
  readonly dir: string;
  readonly #commit: GroupCommit | undefined;

  constructor(dir: string, options: { groupCommit?: GroupCommit } = {}) {
    this.dir = dir;
    this.#commit = options.groupCommit;
    makePrivateDirectory(dir);
  }

  #directoryChanged(): void {
    if (this.#commit === undefined) fsyncDirectory(this.dir);
    else this.#commit.directoryChanged(this.dir);
  }

  open(name: string): AppendFile {
    checkFlatName(name, 'file');
    const file = path.join(this.dir, name);
    const created = !existsSync(file);
    const fd = openSync(file, 'a+', PRIVATE_FILE_MODE);
    if (created) this.#directoryChanged();
    return new NodeAppendFile(fd, file, this.#commit);
  }

  remove(name: string): void {
    checkFlatName(name, 'file');
    try {
      unlinkSync(path.join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.#directoryChanged();
  }

  list(): string[] {
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  }
}

class NodeAppendFile implements AppendFile {
  readonly #path: string;
  readonly #commit: GroupCommit | undefined;
  #fd: number | undefined;
  #size: number;

  constructor(fd: number, file: string, commit: GroupCommit | undefined) {
    this.#fd = fd;
    this.#path = file;
    this.#commit = commit;
    this.#size = fstatSync(fd).size;
  }

  #open(): number {
    if (this.#fd === undefined) throw new Error(`${this.#path}: file is closed`);
    return this.#fd;
  }

  size(): number {
    return this.#size;
  }

  read(offset: number, length: number): Uint8Array {
    const fd = this.#open();
    const want = Math.max(0, Math.min(length, this.#size - offset));
    const out = new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const n = readSync(fd, out, done, want - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done === want ? out : out.subarray(0, done);
  }

  append(bytes: Uint8Array): void {
    const fd = this.#open();
    // O_APPEND puts every write at the end; loop because writeSync may write less than asked.
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    this.#size += bytes.length;
  }

  sync(): void {
    // fdatasync covers the data and the size change, which is all a reader needs after a power cut.
    if (this.#commit === undefined) diskSync.fdatasyncSync(this.#open());
    else this.#commit.dataSync(this.#open());
  }

  truncate(length: number): void {
    ftruncateSync(this.#open(), length);
    this.#size = Math.min(this.#size, length);
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.#commit?.closing(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
