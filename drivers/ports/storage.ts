/**
 * Persistent storage as the core sees it: small named values (frame counters,
 * alarm state) and append-only files (the store-and-forward log). Node backs it
 * with files and fsync; ESP32 with Preference (NVS) and littlefs.
 */
export interface KeyValueStore {
  get(key: string): Uint8Array | undefined;
  /** Durable when it returns (hosts sync before returning). */
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
}

export interface AppendFile {
  /** Current length in bytes. */
  size(): number;
  read(offset: number, length: number): Uint8Array;
  append(bytes: Uint8Array): void;
  /** Make everything appended so far survive a power cut. */
  sync(): void;
  /** Cut the file to `length` bytes (used to drop a torn tail). */
  truncate(length: number): void;
  close(): void;
}

/**
 * A flat directory of append-only files (the store-and-forward log keeps one
 * file per fixed-size segment, so space comes back by deleting whole files
 * rather than rewriting). Small on purpose: littlefs on ESP32 and a directory
 * with fsync on Node both implement it directly.
 *
 * Durability: a file created by `open` and a `remove` are durable when the call
 * returns (hosts sync the directory); file contents are durable after the
 * file's `sync()`.
 */
export interface FileSystem {
  /** Open `name` for reading and appending, creating it empty when absent. Names are short, flat ASCII (no '/'). */
  open(name: string): AppendFile;
  /** Delete `name`; no error when it does not exist. Callers close open handles first. */
  remove(name: string): void;
  /** Names of the files in this directory, in no particular order. */
  list(): string[];
}

/** In-memory KeyValueStore for tests and simulations. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #values = new Map<string, Uint8Array>();
  get(key: string): Uint8Array | undefined {
    const value = this.#values.get(key);
    return value === undefined ? undefined : value.slice();
  }
  set(key: string, value: Uint8Array): void {
    this.#values.set(key, value.slice());
  }
  delete(key: string): void {
    this.#values.delete(key);
  }
}
