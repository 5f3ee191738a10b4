/**
 * The FileSystem port on Node: one directory, files opened O_APPEND, written
 * straight through with writeSync (no user-space buffer, so a killed process
 * loses nothing it wrote), fdatasync on sync() and a directory fsync after
 * every create and remove, as the port's durability contract requires.
 * Files are 0600 in a 0700 directory (private-files.ts).
 */
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AppendFile, FileSystem } from '../../../drivers/ports/storage.js';
import { checkFlatName, fsyncDirectory } from './fsync-dir.js';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from './private-files.js';

export class NodeFileSystem implements FileSystem {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    makePrivateDirectory(dir);
  }

  open(name: string): AppendFile {
    checkFlatName(name, 'file');
    const file = path.join(this.dir, name);
    const created = !existsSync(file);
    const fd = openSync(file, 'a+', PRIVATE_FILE_MODE);
    if (created) fsyncDirectory(this.dir);
    return new NodeAppendFile(fd, file);
  }

  remove(name: string): void {
    checkFlatName(name, 'file');
    try {
      unlinkSync(path.join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    fsyncDirectory(this.dir);
  }

  list(): string[] {
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  }
}

class NodeAppendFile implements AppendFile {
  readonly #path: string;
  #fd: number | undefined;
  #size: number;

  constructor(fd: number, file: string) {
    this.#fd = fd;
    this.#path = file;
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
    fdatasyncSync(this.#open());
  }

  truncate(length: number): void {
    ftruncateSync(this.#open(), length);
    this.#size = Math.min(this.#size, length);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}
