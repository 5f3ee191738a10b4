/**
 * The store-and-forward FileSystem port on Moddable's `file` module (littlefs
 * on the ESP32). littlefs commits a file's data and metadata atomically when
 * the file is closed, so sync() closes and reopens; Moddable's File has no
 * truncate, so truncate() (only used to cut a torn tail at recovery) copies the
 * kept prefix to a temporary file and renames it over the original.
 */
import { File, Iterator } from 'file';
import type { AppendFile, FileSystem } from '../../../drivers/ports/storage.js';

export class LittleFsFileSystem implements FileSystem {
  /** `directory` ends with '/', e.g. config.file.root + "axon/". */
  constructor(private readonly directory: string) {}

  open(name: string): AppendFile {
    return new LittleFsAppendFile(this.directory + name);
  }

  remove(name: string): void {
    File.delete(this.directory + name);
  }

  list(): string[] {
    const names: string[] = [];
    const entries = new Iterator(this.directory);
    for (let entry = entries.next(); entry !== undefined; entry = entries.next()) {
      if (entry.length !== undefined) names.push(entry.name);
    }
    return names;
  }
}

class LittleFsAppendFile implements AppendFile {
  #file: File;

  constructor(private readonly path: string) {
    this.#file = new File(path, true);
  }

  size(): number {
    return this.#file.length;
  }

  read(offset: number, length: number): Uint8Array {
    this.#file.position = offset;
    return new Uint8Array(this.#file.read(ArrayBuffer, Math.min(length, this.#file.length - offset)));
  }

  append(bytes: Uint8Array): void {
    this.#file.position = this.#file.length;
    this.#file.write(bytes.slice().buffer);
  }

  sync(): void {
    this.#file.close();
    this.#file = new File(this.path, true);
  }

  truncate(length: number): void {
    if (length >= this.#file.length) return;
    const kept = length > 0 ? this.read(0, length) : new Uint8Array(0);
    this.#file.close();
    const temporary = this.path + '.t';
    File.delete(temporary);
    const copy = new File(temporary, true);
    if (kept.length > 0) copy.write(kept.slice().buffer);
    copy.close();
    File.delete(this.path);
    File.rename(temporary, this.path.slice(this.path.lastIndexOf('/') + 1));
    this.#file = new File(this.path, true);
  }

  close(): void {
    this.#file.close();
  }
}
