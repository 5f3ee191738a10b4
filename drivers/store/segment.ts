/**
 * A segment: one append-only file holding records of one kind, named
 * `<store>-<a|r>-<8 hex digits>.seg` with a number that only ever grows, so
 * the order of segments (and of the records in them) survives a restart
 * without any index file.
 */
import type { AppendFile, FileSystem } from '../ports/storage.js';
import { RECORD_HEADER_BYTES, readHeader, type RecordHeader, type RecordKind } from './record.js';

const KIND_LETTER: Record<RecordKind, string> = { alert: 'a', reading: 'r' };
const HEX = '0123456789abcdef';

export function segmentName(store: string, kind: RecordKind, number: number): string {
  let digits = '';
  for (let shift = 28; shift >= 0; shift -= 4) digits += HEX[(number >>> shift) & 15];
  return `${store}-${KIND_LETTER[kind]}-${digits}.seg`;
}

/** The kind and number of a segment file of `store`, or undefined for any other file. */
export function parseSegmentName(store: string, name: string): { kind: RecordKind; number: number } | undefined {
  const prefix = `${store}-`;
  if (!name.startsWith(prefix) || !name.endsWith('.seg') || name.length !== prefix.length + 2 + 8 + 4) return undefined;
  const letter = name[prefix.length];
  const kind: RecordKind | undefined = letter === 'a' ? 'alert' : letter === 'r' ? 'reading' : undefined;
  if (kind === undefined || name[prefix.length + 1] !== '-') return undefined;
  let number = 0;
  for (let i = prefix.length + 2; i < prefix.length + 10; i++) {
    const digit = HEX.indexOf(name[i]);
    if (digit < 0) return undefined;
    number = number * 16 + digit;
  }
  return { kind, number };
}

/**
 * Reads go through a window of `windowBytes` so stepping through many small
 * records costs one storage read per window, not one per header; the window
 * stays small because ESP32 heap is tight.
 */
export class Segment {
  readonly name: string;
  readonly kind: RecordKind;
  readonly number: number;
  readonly file: AppendFile;
  /** Bytes in the file. */
  size: number;
  /** Records in the file. */
  records = 0;
  /** Highest seq in the file (0 when empty). */
  lastSeq = 0;
  /** Appended since its last sync. */
  dirty = false;
  #window: Uint8Array = new Uint8Array(0);
  #windowStart = 0;
  readonly #windowBytes: number;

  constructor(name: string, kind: RecordKind, number: number, file: AppendFile, windowBytes: number) {
    this.name = name;
    this.kind = kind;
    this.number = number;
    this.file = file;
    this.size = file.size();
    this.#windowBytes = windowBytes;
  }

  /** `length` bytes at `offset`, from the window when they are in it; the caller keeps offset + length <= size. */
  bytes(offset: number, length: number): { bytes: Uint8Array; at: number } {
    const windowEnd = this.#windowStart + this.#window.length;
    if (offset < this.#windowStart || offset + length > windowEnd) {
      if (length > this.#windowBytes) return { bytes: this.file.read(offset, length), at: 0 };
      this.#windowStart = offset;
      this.#window = this.file.read(offset, Math.min(this.#windowBytes, this.size - offset));
    }
    return { bytes: this.#window, at: offset - this.#windowStart };
  }

  /** The header at `offset`, or undefined when fewer than a header's bytes remain. */
  header(offset: number): RecordHeader | undefined {
    if (offset + RECORD_HEADER_BYTES > this.size) return undefined;
    const { bytes, at } = this.bytes(offset, RECORD_HEADER_BYTES);
    return readHeader(bytes, at);
  }

  append(record: Uint8Array, seq: number): void {
    this.file.append(record);
    this.size += record.length;
    this.records++;
    this.lastSeq = seq;
    this.dirty = true;
  }

  /** Cut a torn tail; the window may hold the cut bytes, so it goes too. */
  truncate(length: number): void {
    this.file.truncate(length);
    this.size = length;
    this.#window = new Uint8Array(0);
    this.#windowStart = 0;
  }
}

export function openSegment(files: FileSystem, store: string, kind: RecordKind, number: number, windowBytes: number): Segment {
  const name = segmentName(store, kind, number);
  return new Segment(name, kind, number, files.open(name), windowBytes);
}
