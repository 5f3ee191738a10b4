/**
 * In-memory FileSystem that can simulate a power cut. Every file remembers how
 * many of its bytes were synced; `crash()` keeps those and, of the unsynced
 * rest, keeps an arbitrary prefix with arbitrary bytes of it garbled, which is
 * what a flash page or disk sector half-written at power loss looks like.
 * File creation and removal are durable at once, as the FileSystem port
 * promises.
 */
import type { AppendFile, FileSystem } from '../ports/storage.js';

interface MemoryFile {
  data: Uint8Array;
  length: number;
  synced: number;
}

export interface CrashReport {
  /** Unsynced bytes that did not survive. */
  lostBytes: number;
  /** Unsynced bytes that survived garbled. */
  garbledBytes: number;
}

export class MemoryFileSystem implements FileSystem {
  readonly #files = new Map<string, MemoryFile>();
  /** Bumped by crash(): handles from before a crash belong to the program that died. */
  #generation = 0;

  open(name: string): AppendFile {
    let file = this.#files.get(name);
    if (file === undefined) {
      file = { data: new Uint8Array(256), length: 0, synced: 0 };
      this.#files.set(name, file);
    }
    return new MemoryAppendFile(this, name, file, this.#generation);
  }

  remove(name: string): void {
    this.#files.delete(name);
  }

  list(): string[] {
    return [...this.#files.keys()];
  }

  /** The current bytes of `name` (undefined when it does not exist), for tests. */
  contents(name: string): Uint8Array | undefined {
    const file = this.#files.get(name);
    return file === undefined ? undefined : file.data.slice(0, file.length);
  }

  /** Unsynced bytes over all files. */
  get unsyncedBytes(): number {
    let total = 0;
    for (const file of this.#files.values()) total += file.length - file.synced;
    return total;
  }

  /**
   * Cut the power. `random` (values in [0, 1)) decides, per file, how much of
   * the unsynced tail survives and which of its bytes are garbled; pass a
   * seeded generator so a failing run replays.
   */
  crash(random: () => number): CrashReport {
    this.#generation++;
    const report: CrashReport = { lostBytes: 0, garbledBytes: 0 };
    for (const file of this.#files.values()) {
      const unsynced = file.length - file.synced;
      if (unsynced === 0) continue;
      const kept = Math.floor(random() * (unsynced + 1));
      report.lostBytes += unsynced - kept;
      // Garble a few surviving unsynced bytes in about a third of the files.
      if (kept > 0 && random() < 0.35) {
        const count = 1 + Math.floor(random() * Math.min(4, kept));
        for (let i = 0; i < count; i++) {
          const at = file.synced + Math.floor(random() * kept);
          file.data[at] ^= 1 + Math.floor(random() * 255);
          report.garbledBytes++;
        }
      }
      file.length = file.synced + kept;
      file.synced = file.length;
    }
    return report;
  }

  /** @internal Throws when a handle outlived a crash. */
  checkGeneration(generation: number, name: string): void {
    if (generation !== this.#generation) throw new Error(`${name}: file handle used after a simulated crash`);
  }

  /** @internal Whether the handle's file still exists. */
  exists(name: string, file: MemoryFile): boolean {
    return this.#files.get(name) === file;
  }
}

class MemoryAppendFile implements AppendFile {
  readonly #fs: MemoryFileSystem;
  readonly #name: string;
  readonly #file: MemoryFile;
  readonly #generation: number;
  #closed = false;

  constructor(fs: MemoryFileSystem, name: string, file: MemoryFile, generation: number) {
    this.#fs = fs;
    this.#name = name;
    this.#file = file;
    this.#generation = generation;
  }

  #check(): MemoryFile {
    if (this.#closed) throw new Error(`${this.#name}: file is closed`);
    this.#fs.checkGeneration(this.#generation, this.#name);
    if (!this.#fs.exists(this.#name, this.#file)) throw new Error(`${this.#name}: file was removed`);
    return this.#file;
  }

  size(): number {
    return this.#check().length;
  }

  read(offset: number, length: number): Uint8Array {
    const file = this.#check();
    const end = Math.min(file.length, offset + length);
    return file.data.slice(Math.min(offset, end), end);
  }

  append(bytes: Uint8Array): void {
    const file = this.#check();
    if (file.length + bytes.length > file.data.length) {
      const grown = new Uint8Array(Math.max(file.data.length * 2, file.length + bytes.length));
      grown.set(file.data.subarray(0, file.length));
      file.data = grown;
    }
    file.data.set(bytes, file.length);
    file.length += bytes.length;
  }

  sync(): void {
    const file = this.#check();
    file.synced = file.length;
  }

  truncate(length: number): void {
    const file = this.#check();
    if (length < file.length) file.length = length;
    file.synced = Math.min(file.synced, file.length);
  }

  close(): void {
    this.#closed = true;
  }
}
