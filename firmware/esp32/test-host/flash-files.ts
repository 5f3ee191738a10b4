/**
 * Where the littlefs double (file.ts) keeps its files' bytes. In the xsnap
 * test: `MemoryFlashFiles`, JavaScript arrays. In the Moddable lin build of
 * esp32:sim: C buffers (sim/flash.c), so the XS heap the simulation measures
 * holds what the firmware holds and not the log, which on the device is in
 * flash.
 */
export interface FlashFiles {
  /** The file's length, or undefined when there is none. */
  length(path: string): number | undefined;
  /** `count` bytes from `offset` (within the file). */
  read(path: string, offset: number, count: number): Uint8Array;
  /** Creates the file if needed and writes `bytes` at `offset` (zeros fill a gap). */
  write(path: string, offset: number, bytes: Uint8Array): void;
  delete(path: string): boolean;
  /** Replaces a file at `to`; false when `from` does not exist. */
  rename(from: string, to: string): boolean;
  paths(): string[];
}

/** Files as growable byte arrays in the JavaScript heap (capacity doubles, so appends cost no copy of the file each). */
export class MemoryFlashFiles implements FlashFiles {
  readonly #files = new Map<string, { data: Uint8Array; length: number }>();

  length(path: string): number | undefined {
    return this.#files.get(path)?.length;
  }

  read(path: string, offset: number, count: number): Uint8Array {
    const file = this.#files.get(path);
    if (file === undefined || offset < 0 || count < 0 || offset + count > file.length) throw new RangeError('read outside the file');
    return file.data.slice(offset, offset + count);
  }

  write(path: string, offset: number, bytes: Uint8Array): void {
    let file = this.#files.get(path);
    if (file === undefined) this.#files.set(path, (file = { data: new Uint8Array(0), length: 0 }));
    const end = offset + bytes.length;
    if (end > file.data.length) {
      const grown = new Uint8Array(Math.max(end, file.data.length * 2, 256));
      grown.set(file.data.subarray(0, file.length));
      file.data = grown;
    }
    file.data.set(bytes, offset);
    file.length = Math.max(file.length, end);
  }

  delete(path: string): boolean {
    return this.#files.delete(path);
  }

  rename(from: string, to: string): boolean {
    const file = this.#files.get(from);
    if (file === undefined) return false;
    this.#files.delete(from);
    this.#files.set(to, file);
    return true;
  }

  paths(): string[] {
    return [...this.#files.keys()];
  }
}
