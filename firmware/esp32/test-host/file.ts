/**
 * Test double of Moddable's `file` module as it behaves on littlefs
 * (modules/files/file/littlefs/modLittlefs.c): opening a missing file
 * read-only throws, opening it for writing creates it (never truncates);
 * read() past the end throws; rename() with a bare name renames within the
 * directory; Directory.create() ignores an existing directory; Iterator lists
 * "." and ".." and sub-directories without a length, files with one. File
 * bytes live in host.files (flash-files.ts: JavaScript arrays in the xsnap
 * test, C buffers in the lin build); nothing here models power loss or flash
 * wear.
 */
import { host } from './host.js';

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

export class File {
  readonly #path: string;
  #position = 0;
  #closed = false;

  constructor(path: string, write = false) {
    host.touch();
    if (host.files.length(path) === undefined) {
      if (!write) throw new Error('No directory entry');
      if (!host.directories.has(parentOf(path))) throw new Error('No directory entry');
      host.files.write(path, 0, new Uint8Array(0));
    }
    this.#path = path;
  }

  get length(): number {
    return this.#length();
  }

  get position(): number {
    return this.#position;
  }

  set position(value: number) {
    this.#position = value;
  }

  read<T extends typeof ArrayBuffer | typeof String>(type: T, count?: number): T extends typeof String ? string : ArrayBuffer {
    host.touch();
    const size = this.#length();
    let length = count ?? -1;
    if (length === -1 || size < this.#position + length) {
      if (this.#position >= size) throw new Error('read past end of file');
      length = size - this.#position;
    }
    const bytes = host.files.read(this.#path, this.#position, length);
    this.#position += length;
    const result = (type as unknown) === String ? String.fromCharCode(...bytes) : bytes.buffer;
    return result as T extends typeof String ? string : ArrayBuffer;
  }

  write(...values: Array<ArrayBufferLike | string | number>): void {
    host.touch();
    for (const value of values) {
      const bytes = typeof value === 'string' ? Uint8Array.from(value, (c) => c.charCodeAt(0)) : typeof value === 'number' ? Uint8Array.of(value) : new Uint8Array(value);
      this.#length();
      host.files.write(this.#path, this.#position, bytes);
      this.#position += bytes.length;
    }
  }

  close(): void {
    host.touch();
    this.#closed = true;
  }

  /** The open file's length; throws as the SDK does once it is closed or deleted. */
  #length(): number {
    if (this.#closed) throw new Error('file closed');
    const length = host.files.length(this.#path);
    if (length === undefined) throw new Error('No directory entry');
    return length;
  }

  static delete(path: string): boolean {
    host.touch();
    return host.files.delete(path);
  }

  static exists(path: string): boolean {
    host.touch();
    return host.files.length(path) !== undefined || host.directories.has(path.endsWith('/') ? path : `${path}/`);
  }

  static rename(from: string, to: string): boolean {
    host.touch();
    return host.files.rename(from, to.startsWith('/') ? to : parentOf(from) + to);
  }
}

export class Iterator {
  readonly #entries: Array<{ name: string; length?: number }>;

  constructor(path: string) {
    host.touch();
    const directory = path.endsWith('/') ? path : `${path}/`;
    if (!host.directories.has(directory)) throw new Error('No directory entry');
    this.#entries = [{ name: '.' }, { name: '..' }];
    for (const sub of host.directories) {
      const rest = sub.slice(directory.length, -1);
      if (sub !== directory && sub.startsWith(directory) && !rest.includes('/')) this.#entries.push({ name: rest });
    }
    for (const file of host.files.paths()) {
      const rest = file.slice(directory.length);
      if (file.startsWith(directory) && !rest.includes('/')) this.#entries.push({ name: rest, length: host.files.length(file) });
    }
  }

  next(): { name: string; length: undefined } | { name: string; length: number } | undefined {
    host.touch();
    const entry = this.#entries.shift();
    if (entry === undefined) return undefined;
    return entry.length === undefined ? { name: entry.name, length: undefined } : { name: entry.name, length: entry.length };
  }
}

export class Directory {
  static create(path: string): void {
    host.touch();
    // littlefs's lfs_mkdir takes the last path component as the name, so a trailing '/' is refused.
    if (path.endsWith('/')) throw new Error('No directory entry');
    const directory = `${path}/`;
    if (!host.directories.has(parentOf(directory.slice(0, -1)))) throw new Error('No directory entry');
    host.directories.add(directory);
  }

  static delete(path: string): boolean {
    host.touch();
    return host.directories.delete(path.endsWith('/') ? path : `${path}/`);
  }
}

export class System {
  static config(): { maxPathLength: number } {
    return { maxPathLength: 255 };
  }

  static info(): { used: number; total: number } {
    let used = 0;
    for (const file of host.files.paths()) used += host.files.length(file) ?? 0;
    return { used, total: host.storageBytes };
  }
}
