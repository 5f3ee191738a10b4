/**
 * Test double of Moddable's `file` module as it behaves on littlefs
 * (modules/files/file/littlefs/modLittlefs.c): opening a missing file
 * read-only throws, opening it for writing creates it (never truncates);
 * read() past the end throws; rename() with a bare name renames within the
 * directory; Directory.create() ignores an existing directory; Iterator lists
 * "." and ".." and sub-directories without a length, files with one. Files
 * live in host.files; nothing here models power loss or flash wear.
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
    if (!host.files.has(path)) {
      if (!write) throw new Error('No directory entry');
      if (!host.directories.has(parentOf(path))) throw new Error('No directory entry');
      host.files.set(path, new Uint8Array(0));
    }
    this.#path = path;
  }

  get length(): number {
    return this.#data().length;
  }

  get position(): number {
    return this.#position;
  }

  set position(value: number) {
    this.#position = value;
  }

  read<T extends typeof ArrayBuffer | typeof String>(type: T, count?: number): T extends typeof String ? string : ArrayBuffer {
    host.touch();
    const data = this.#data();
    let length = count ?? -1;
    if (length === -1 || data.length < this.#position + length) {
      if (this.#position >= data.length) throw new Error('read past end of file');
      length = data.length - this.#position;
    }
    const bytes = data.slice(this.#position, this.#position + length);
    this.#position += length;
    const result = (type as unknown) === String ? String.fromCharCode(...bytes) : bytes.buffer;
    return result as T extends typeof String ? string : ArrayBuffer;
  }

  write(...values: Array<ArrayBufferLike | string | number>): void {
    host.touch();
    for (const value of values) {
      const bytes = typeof value === 'string' ? Uint8Array.from(value, (c) => c.charCodeAt(0)) : typeof value === 'number' ? Uint8Array.of(value) : new Uint8Array(value);
      const data = this.#data();
      const end = this.#position + bytes.length;
      const grown = new Uint8Array(Math.max(data.length, end));
      grown.set(data);
      grown.set(bytes, this.#position);
      host.files.set(this.#path, grown);
      this.#position = end;
    }
  }

  close(): void {
    host.touch();
    this.#closed = true;
  }

  #data(): Uint8Array {
    if (this.#closed) throw new Error('file closed');
    const data = host.files.get(this.#path);
    if (data === undefined) throw new Error('No directory entry');
    return data;
  }

  static delete(path: string): boolean {
    host.touch();
    return host.files.delete(path);
  }

  static exists(path: string): boolean {
    host.touch();
    return host.files.has(path) || host.directories.has(path.endsWith('/') ? path : `${path}/`);
  }

  static rename(from: string, to: string): boolean {
    host.touch();
    const data = host.files.get(from);
    if (data === undefined) return false;
    const target = to.startsWith('/') ? to : parentOf(from) + to;
    host.files.delete(from);
    host.files.set(target, data);
    return true;
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
    for (const [file, data] of host.files) {
      const rest = file.slice(directory.length);
      if (file.startsWith(directory) && !rest.includes('/')) this.#entries.push({ name: rest, length: data.length });
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
    for (const data of host.files.values()) used += data.length;
    return { used, total: host.storageBytes };
  }
}
