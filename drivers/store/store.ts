/**
 * Crash-safe store-and-forward log: what the gateway measured or raised waits
 * here until the uplink acknowledges it, across backhaul outages and power
 * cuts. See docs/store-and-forward.md for the format and the contract.
 *
 * Shape: two queues (alerts, readings) of fixed-size segment files on the
 * FileSystem port, plus one small meta entry in the KeyValueStore. Records
 * are never rewritten; space comes back by deleting whole segments once all
 * their records are acknowledged, or (readings only, at capacity) dropped.
 */
import { AxonError } from '../errors.js';
import type { FileSystem, KeyValueStore } from '../ports/storage.js';
import { decodeMeta, encodeMeta, initialMeta, type StoreMeta } from './meta.js';
import { crcMatches, encodeRecord, MAX_RECORD_PAYLOAD, RECORD_HEADER_BYTES, RECORD_OVERHEAD_BYTES, type RecordHeader, type RecordKind } from './record.js';
import { openSegment, parseSegmentName, type Segment } from './segment.js';

export type { RecordKind } from './record.js';

export interface StoredRecord {
  seq: number;
  kind: RecordKind;
  payload: Uint8Array;
}

export interface StoreOptions {
  files: FileSystem;
  /** Holds the store's meta entry (key `<name>.meta`, 37 bytes). */
  meta: KeyValueStore;
  /** Bytes the segment files may take in all; a multiple of segmentBytes is best (the rest is unused). */
  capacityBytes: number;
  /** Size limit of one segment file (default 16384: four 4 KB littlefs blocks). */
  segmentBytes?: number;
  /** File and key prefix, so several stores can share a directory (default 'sf'; keep it short for NVS's 15-character keys). */
  name?: string;
  /** Sync once this many readings are unsynced (default 32). Alerts always sync. */
  syncAfterReadings?: number;
  /** Sync once this many record bytes are unsynced (default 4096). */
  syncAfterBytes?: number;
  /** Read window for scanning and peeking (default 4096 bytes). */
  readWindowBytes?: number;
  /** Called after readings were dropped at capacity (the drop is durable by then). */
  onDrop?: (drop: DropReport) => void;
}

export interface DropReport {
  /** Unacknowledged readings dropped now. */
  count: number;
  firstSeq: number;
  lastSeq: number;
  /** The running total, as `droppedReadings` reports it. */
  droppedReadings: number;
}

/** What opening the store found and repaired. */
export interface RecoveryReport {
  segments: number;
  records: number;
  /** Bytes cut from torn segment tails. */
  truncatedBytes: number;
  /** Segment files deleted while opening (acknowledged, or dropped by a drop a crash interrupted). */
  removedSegments: number;
  /** The meta entry was unreadable: acknowledgements and the drop counter restarted from zero (everything left is sent again). */
  metaReset: boolean;
}

/** Plain data for the gateway's status uplink. */
export interface StoreStatus {
  nextSeq: number;
  pendingAlerts: number;
  pendingReadings: number;
  /** Running total since the store was created; report it as a counter so a lost status message loses nothing. */
  droppedReadings: number;
  usedBytes: number;
  capacityBytes: number;
  alertAckedThrough: number;
  readingAckedThrough: number;
}

const KINDS: readonly RecordKind[] = ['alert', 'reading'];

/** The next unacknowledged record of a queue (or its end): a segment number and a byte offset. */
interface Cursor {
  segment: number;
  offset: number;
}

type Visit = (segment: Segment, offset: number, header: RecordHeader) => boolean;

export class StoreAndForward {
  readonly #files: FileSystem;
  readonly #kv: KeyValueStore;
  readonly #name: string;
  readonly #segmentBytes: number;
  readonly #maxSegments: number;
  readonly #syncAfterReadings: number;
  readonly #syncAfterBytes: number;
  readonly #windowBytes: number;
  readonly #onDrop: ((drop: DropReport) => void) | undefined;
  readonly #segments: Record<RecordKind, Segment[]> = { alert: [], reading: [] };
  readonly #cursor: Record<RecordKind, Cursor> = { alert: { segment: 0, offset: 0 }, reading: { segment: 0, offset: 0 } };
  readonly #pending: Record<RecordKind, number> = { alert: 0, reading: 0 };
  readonly #acked: Record<RecordKind, number> = { alert: 0, reading: 0 };
  #persisted: StoreMeta = initialMeta();
  #droppedReadings = 0;
  #droppedThroughSegment = 0;
  #metaDirty = false;
  #nextSeq = 1;
  #nextSegment = 1;
  #unsyncedRecords = 0;
  #unsyncedReadings = 0;
  #unsyncedBytes = 0;
  #closed = false;
  #recovery: RecoveryReport = { segments: 0, records: 0, truncatedBytes: 0, removedSegments: 0, metaReset: false };

  /** Open (creating or recovering) the store. Torn tails are cut and durable again when this returns. */
  static open(options: StoreOptions): StoreAndForward {
    const store = new StoreAndForward(options);
    store.#recover();
    return store;
  }

  private constructor(options: StoreOptions) {
    this.#files = options.files;
    this.#kv = options.meta;
    this.#name = options.name ?? 'sf';
    this.#segmentBytes = options.segmentBytes ?? 16384;
    this.#syncAfterReadings = options.syncAfterReadings ?? 32;
    this.#syncAfterBytes = options.syncAfterBytes ?? 4096;
    this.#windowBytes = options.readWindowBytes ?? 4096;
    this.#onDrop = options.onDrop;
    this.#maxSegments = Math.floor(options.capacityBytes / this.#segmentBytes);
    if (!Number.isInteger(this.#segmentBytes) || this.#segmentBytes < 64 || this.#segmentBytes > 0x7fffffff) {
      throw new AxonError('STORE_CONFIG', `segmentBytes ${this.#segmentBytes} is out of range`, { where: this.#name, fix: 'use a whole number of bytes from 64 up (16384 suits littlefs)' });
    }
    if (!(this.#maxSegments >= 2)) {
      throw new AxonError('STORE_CONFIG', `capacityBytes ${options.capacityBytes} holds fewer than two ${this.#segmentBytes}-byte segments`, {
        where: this.#name,
        fix: 'give the store at least two segments (one per queue); eight or more keeps drops small',
      });
    }
  }

  /** The largest payload one record may carry. */
  get maxPayloadBytes(): number {
    return Math.min(MAX_RECORD_PAYLOAD, this.#segmentBytes - RECORD_OVERHEAD_BYTES);
  }

  get capacityBytes(): number {
    return this.#maxSegments * this.#segmentBytes;
  }

  get recovery(): RecoveryReport {
    return { ...this.#recovery };
  }

  /** The sequence number the next append gets. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Readings dropped at capacity since the store was created (persisted; survives restarts). */
  get droppedReadings(): number {
    return this.#droppedReadings;
  }

  /** Records or acknowledgements that a power cut could still lose (false right after sync()). */
  get dirty(): boolean {
    return this.#unsyncedRecords > 0 || this.#metaDirty;
  }

  status(): StoreStatus {
    let usedBytes = 0;
    for (const kind of KINDS) for (const segment of this.#segments[kind]) usedBytes += segment.size;
    return {
      nextSeq: this.#nextSeq,
      pendingAlerts: this.#pending.alert,
      pendingReadings: this.#pending.reading,
      droppedReadings: this.#droppedReadings,
      usedBytes,
      capacityBytes: this.capacityBytes,
      alertAckedThrough: this.#acked.alert,
      readingAckedThrough: this.#acked.reading,
    };
  }

  /**
   * Append a record and return its sequence number. The bytes are written
   * when this returns; an alert is also durable (synced), a reading becomes
   * durable at the next sync (automatic every syncAfterReadings readings or
   * syncAfterBytes bytes, on any alert, on peek(), or when the caller syncs).
   * Throws STORE_FULL only when unacknowledged alerts fill the whole store.
   */
  append(kind: RecordKind, payload: Uint8Array): number {
    this.#checkOpen();
    if (payload.length > this.maxPayloadBytes) {
      throw new AxonError('STORE_RECORD_TOO_LARGE', `a ${kind} of ${payload.length} bytes does not fit a record (at most ${this.maxPayloadBytes} bytes)`, {
        where: this.#name,
        fix: 'split the batch, or raise segmentBytes',
      });
    }
    const seq = this.#nextSeq;
    const record = encodeRecord(kind, seq, payload);
    const segments = this.#segments[kind];
    let segment = segments[segments.length - 1];
    if (segment === undefined || segment.size + record.length > this.#segmentBytes) segment = this.#startSegment(kind);
    segment.append(record, seq);
    this.#nextSeq = seq + 1;
    this.#pending[kind]++;
    this.#unsyncedRecords++;
    this.#unsyncedBytes += record.length;
    if (kind === 'reading') this.#unsyncedReadings++;
    if (kind === 'alert' || this.#unsyncedReadings >= this.#syncAfterReadings || this.#unsyncedBytes >= this.#syncAfterBytes) this.sync();
    return seq;
  }

  /**
   * Up to `limit` of the oldest unacknowledged records of one queue, without
   * removing them: alerts while any are pending, else readings (or the queue
   * `kind` names). Syncs first, so nothing reaches the uplink that a power
   * cut could take back, and its sequence number is never given out again.
   */
  peek(limit = 1, kind?: RecordKind): StoredRecord[] {
    this.#checkOpen();
    const queue = kind ?? (this.#pending.alert > 0 ? 'alert' : 'reading');
    const out: StoredRecord[] = [];
    if (this.#pending[queue] === 0 || limit <= 0) return out;
    if (this.#unsyncedRecords > 0) this.sync();
    this.#walk(queue, (segment, offset, header) => {
      const { bytes, at } = segment.bytes(offset, header.size);
      if (!crcMatches(bytes, at, header.size)) {
        throw new AxonError('STORE_CORRUPT', `record ${header.seq} no longer matches its CRC: the storage returned other bytes than were written`, {
          where: `${segment.name} @ ${offset}`,
          fix: 'check the flash or disk; reopening the store cuts the segment at this record',
        });
      }
      out.push({ seq: header.seq, kind: queue, payload: bytes.slice(at + RECORD_HEADER_BYTES, at + header.size - 4) });
      return out.length < limit;
    });
    return out;
  }

  /** The record the uplink should send next (alerts first). */
  next(): StoredRecord | undefined {
    return this.peek(1)[0];
  }

  /**
   * Acknowledge `seq` and every earlier record of its queue (acknowledging the
   * last record of a batch acknowledges the batch). Returns how many records
   * this acknowledged: 0 for a seq already acknowledged, dropped or unknown,
   * so a duplicate acknowledgement is harmless. Durable at the next sync().
   */
  ack(seq: number): number {
    this.#checkOpen();
    for (const kind of KINDS) {
      const segments = this.#segments[kind];
      if (this.#pending[kind] === 0 || seq > segments[segments.length - 1].lastSeq) continue;
      let count = 0;
      let end: Cursor | undefined;
      this.#walk(kind, (segment, offset, header) => {
        if (header.seq > seq) return false;
        count++;
        if (header.seq === seq) end = { segment: segment.number, offset: offset + header.size };
        return end === undefined;
      });
      if (end === undefined) continue;
      this.#cursor[kind] = end;
      this.#pending[kind] -= count;
      this.#acked[kind] = seq;
      this.#metaDirty = true;
      return count;
    }
    return 0;
  }

  /** Make every appended record and every acknowledgement so far durable, then reclaim fully acknowledged segments. */
  sync(): void {
    this.#checkOpen();
    for (const kind of KINDS) {
      for (const segment of this.#segments[kind]) {
        if (!segment.dirty) continue;
        segment.file.sync();
        segment.dirty = false;
      }
    }
    this.#unsyncedRecords = 0;
    this.#unsyncedReadings = 0;
    this.#unsyncedBytes = 0;
    // Meta after data: a persisted acknowledgement never points past records that could still vanish.
    if (this.#metaDirty) this.#writeMeta();
    this.#reclaim();
  }

  /** Sync and release the files. */
  close(): void {
    if (this.#closed) return;
    this.sync();
    for (const kind of KINDS) for (const segment of this.#segments[kind]) segment.file.close();
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw new AxonError('STORE_CLOSED', 'the store is closed', { where: this.#name, fix: 'open it again with StoreAndForward.open()' });
  }

  get #metaKey(): string {
    return `${this.#name}.meta`;
  }

  #writeMeta(): void {
    const meta: StoreMeta = {
      alertAckedThrough: this.#acked.alert,
      readingAckedThrough: this.#acked.reading,
      droppedReadings: this.#droppedReadings,
      droppedThroughSegment: this.#droppedThroughSegment,
      seqFloor: this.#nextSeq,
      segmentFloor: this.#nextSegment,
    };
    this.#kv.set(this.#metaKey, encodeMeta(meta));
    this.#persisted = meta;
    this.#metaDirty = false;
  }

  /** Visit the records of a queue from its oldest unacknowledged one, while `visit` returns true. */
  #walk(kind: RecordKind, visit: Visit): void {
    const segments = this.#segments[kind];
    const cursor = this.#cursor[kind];
    let index = segments.findIndex((s) => s.number >= cursor.segment);
    if (index < 0) return;
    // A removed cursor segment (acknowledged or dropped) means: start of the next one.
    let offset = segments[index].number === cursor.segment ? cursor.offset : 0;
    for (; index < segments.length; index++, offset = 0) {
      const segment = segments[index];
      for (let header = segment.header(offset); header !== undefined; header = segment.header(offset)) {
        if (!visit(segment, offset, header)) return;
        offset += header.size;
      }
    }
  }

  /** A new write segment for `kind`, making room first when the store is at capacity. */
  #startSegment(kind: RecordKind): Segment {
    if (this.#segmentCount() >= this.#maxSegments) this.sync(); // persisting acknowledgements may free segments
    while (this.#segmentCount() >= this.#maxSegments) this.#dropOldestReadings();
    const segment = openSegment(this.#files, this.#name, kind, this.#nextSegment++, this.#windowBytes);
    this.#segments[kind].push(segment);
    return segment;
  }

  #segmentCount(): number {
    return this.#segments.alert.length + this.#segments.reading.length;
  }

  /** Delete the oldest reading segment, counting its unacknowledged readings as dropped. */
  #dropOldestReadings(): void {
    const victim = this.#segments.reading[0];
    if (victim === undefined) {
      throw new AxonError('STORE_FULL', `unacknowledged alerts fill the whole store (${this.capacityBytes} bytes); alerts are never dropped`, {
        where: this.#name,
        fix: 'restore the uplink so alerts are acknowledged, or give the store more capacity',
      });
    }
    let count = 0;
    let firstSeq = 0;
    let lastSeq = 0;
    for (let offset = 0, header = victim.header(0); header !== undefined; offset += header.size, header = victim.header(offset)) {
      if (header.seq <= this.#acked.reading) continue;
      count++;
      if (firstSeq === 0) firstSeq = header.seq;
      lastSeq = header.seq;
    }
    this.#droppedReadings += count;
    this.#droppedThroughSegment = victim.number;
    this.#pending.reading -= count;
    // The count and the intent go to durable meta before the file goes: a
    // crash in between makes recovery finish the deletion, and the count
    // never disagrees with what is on the media.
    this.#writeMeta();
    this.#removeSegment(victim);
    if (count > 0) this.#onDrop?.({ count, firstSeq, lastSeq, droppedReadings: this.#droppedReadings });
  }

  #removeSegment(segment: Segment): void {
    segment.file.close();
    this.#files.remove(segment.name);
    const list = this.#segments[segment.kind];
    list.splice(list.indexOf(segment), 1);
  }

  /** Delete fully acknowledged segments, except each queue's write segment; only acknowledgements already durable count. */
  #reclaim(): void {
    const acked: Record<RecordKind, number> = { alert: this.#persisted.alertAckedThrough, reading: this.#persisted.readingAckedThrough };
    for (const kind of KINDS) {
      const list = this.#segments[kind];
      while (list.length > 1 && list[0].lastSeq <= acked[kind]) this.#removeSegment(list[0]);
    }
  }

  #recover(): void {
    const raw = this.#kv.get(this.#metaKey);
    const decoded = raw === undefined ? initialMeta() : decodeMeta(raw);
    const meta = decoded ?? initialMeta();
    this.#recovery.metaReset = decoded === undefined;
    this.#persisted = meta;
    this.#acked.alert = meta.alertAckedThrough;
    this.#acked.reading = meta.readingAckedThrough;
    this.#droppedReadings = meta.droppedReadings;
    this.#droppedThroughSegment = meta.droppedThroughSegment;

    const found: Array<{ name: string; kind: RecordKind; number: number }> = [];
    for (const name of this.#files.list()) {
      const parsed = parseSegmentName(this.#name, name);
      if (parsed !== undefined) found.push({ name, ...parsed });
    }
    found.sort((a, b) => a.number - b.number);

    let maxSeq = 0;
    let maxSegment = 0;
    for (const { name, kind, number } of found) {
      maxSegment = Math.max(maxSegment, number);
      if (kind === 'reading' && number <= meta.droppedThroughSegment) {
        this.#files.remove(name); // a drop the crash interrupted
        this.#recovery.removedSegments++;
        continue;
      }
      const segment = openSegment(this.#files, this.#name, kind, number, this.#windowBytes);
      this.#scan(segment);
      this.#segments[kind].push(segment);
      maxSeq = Math.max(maxSeq, segment.lastSeq);
    }
    for (const kind of KINDS) {
      const last = this.#segments[kind][this.#segments[kind].length - 1];
      // With nothing pending the cursor waits at the end of the queue, past the acknowledged records.
      if (this.#pending[kind] === 0 && last !== undefined) this.#cursor[kind] = { segment: last.number, offset: last.size };
    }
    this.#nextSeq = Math.max(meta.seqFloor, maxSeq + 1);
    this.#nextSegment = Math.max(meta.segmentFloor, maxSegment + 1);
    const before = this.#segmentCount();
    this.#reclaim();
    this.#recovery.removedSegments += before - this.#segmentCount();
    this.#recovery.segments = this.#segmentCount();
  }

  /**
   * Validate a segment record by record and cut it at the first record that
   * is incomplete, fails its CRC, belongs to the other queue or does not
   * continue the queue's sequence: everything after a torn write is unsynced
   * by construction (append-only), so nothing durable lies beyond it.
   */
  #scan(segment: Segment): void {
    const kind = segment.kind;
    const previous = this.#segments[kind][this.#segments[kind].length - 1];
    let lastSeq = previous === undefined ? 0 : previous.lastSeq;
    let offset = 0;
    for (let header = segment.header(0); header !== undefined; header = segment.header(offset)) {
      if (header.kind !== kind || header.seq <= lastSeq || offset + header.size > segment.size) break;
      const { bytes, at } = segment.bytes(offset, header.size);
      if (!crcMatches(bytes, at, header.size)) break;
      if (header.seq > this.#acked[kind]) {
        if (this.#pending[kind] === 0) this.#cursor[kind] = { segment: segment.number, offset };
        this.#pending[kind]++;
      }
      segment.records++;
      segment.lastSeq = lastSeq = header.seq;
      offset += header.size;
    }
    this.#recovery.records += segment.records;
    if (offset < segment.size) {
      this.#recovery.truncatedBytes += segment.size - offset;
      segment.truncate(offset);
      segment.file.sync();
    }
    // An empty segment after a full one keeps the queue's sequence check meaningful.
    if (segment.records === 0) segment.lastSeq = lastSeq;
  }
}
