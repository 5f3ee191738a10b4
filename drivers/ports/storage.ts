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
