/**
 * What the MAC keeps across reboots, in the host's KeyValueStore (ESP32 NVS:
 * keys ≤ 15 characters). With the default prefix 'lw.':
 *
 *   lw.fcntup    tag(8) + next FCntUp to use      write-ahead, every N frames
 *   lw.fcntdn    tag(8) + last FCntDown accepted  on every accepted downlink
 *   lw.devnonce  last DevNonce used (2)           before every join request
 *   lw.session   the OTAA session (session.ts)    after every join accept
 *
 * FCntUp write-ahead: flash wears out and NVS rewrites cost a page entry, so
 * the uplink counter is not written per frame. Before using counter n the
 * store makes sure the persisted value P is greater than n, writing P = n + N
 * when it is not. After a reboot the MAC resumes at P: at most N − 1 counters
 * are skipped, none is reused (a reused counter with the same keys repeats the
 * AES keystream and the network drops the frame as a replay). N = 16 by
 * default: one NVS write per 16 uplinks; the gap stays far below the 16,384
 * the network tolerates (MAX_FCNT_GAP).
 *
 * FCntDown is written on every accepted downlink (class A downlinks are rare)
 * so a replayed downlink is refused after a reboot too.
 */
import type { KeyValueStore } from '../../ports/storage.js';
import { readUintLE, writeUintLE } from '../wire.js';
import { LorawanMacError } from './errors.js';

/** ESP32 NVS limit on key length. */
export const MAX_KEY_LENGTH = 15;
export const DEFAULT_KEY_PREFIX = 'lw.';
export const DEFAULT_FCNT_WRITE_AHEAD = 16;
const MAX_FCNT = 0xffff_ffff;

export interface PersistenceOptions {
  store: KeyValueStore;
  /** Prefix of every key (default 'lw.'); distinct prefixes let several MACs share a store. */
  keyPrefix?: string;
  /** N of the FCntUp write-ahead (default 16). */
  fCntWriteAhead?: number;
}

export class MacPersistence {
  readonly keys: { fCntUp: string; fCntDown: string; devNonce: string; session: string };
  readonly writeAhead: number;
  readonly #store: KeyValueStore;

  constructor(options: PersistenceOptions) {
    const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.keys = { fCntUp: `${prefix}fcntup`, fCntDown: `${prefix}fcntdn`, devNonce: `${prefix}devnonce`, session: `${prefix}session` };
    for (const key of Object.values(this.keys)) {
      if (key.length > MAX_KEY_LENGTH) {
        throw new LorawanMacError('LORAWAN_CONFIG', `storage key '${key}' is longer than ${MAX_KEY_LENGTH} characters (ESP32 NVS limit)`, `use a key prefix of at most ${MAX_KEY_LENGTH - 8} characters`);
      }
    }
    this.writeAhead = options.fCntWriteAhead ?? DEFAULT_FCNT_WRITE_AHEAD;
    if (!Number.isInteger(this.writeAhead) || this.writeAhead < 1 || this.writeAhead > 1024) {
      throw new LorawanMacError('LORAWAN_CONFIG', `fCntWriteAhead ${this.writeAhead} is not 1–1024`, 'keep it small: a reboot skips up to that many counters');
    }
    this.#store = options.store;
  }

  /**
   * The DevNonce for the next join request, persisted before it is returned
   * so a power cut after the request went out can never make it repeat.
   */
  takeDevNonce(): number {
    const stored = this.#store.get(this.keys.devNonce);
    const next = stored?.length === 2 ? readUintLE(stored, 0, 2) + 1 : 0;
    if (next > 0xffff) {
      throw new LorawanMacError('LORAWAN_DEVNONCE_EXHAUSTED', 'all 65,536 DevNonces have been used', 'provision the device again (new DevEUI or a network-side DevNonce reset)', this.keys.devNonce);
    }
    const bytes = new Uint8Array(2);
    writeUintLE(bytes, 0, next, 2);
    this.#store.set(this.keys.devNonce, bytes);
    return next;
  }

  /** The last DevNonce used, if any. */
  lastDevNonce(): number | undefined {
    const stored = this.#store.get(this.keys.devNonce);
    return stored?.length === 2 ? readUintLE(stored, 0, 2) : undefined;
  }

  loadSessionBytes(): Uint8Array | undefined {
    return this.#store.get(this.keys.session);
  }

  saveSessionBytes(bytes: Uint8Array): void {
    this.#store.set(this.keys.session, bytes);
  }

  /** The frame counters of the session with this tag (a fresh pair when the stored ones belong to another session). */
  counters(tag: number): FrameCounters {
    return new FrameCounters(this.#store, this.keys.fCntUp, this.keys.fCntDown, tag, this.writeAhead);
  }
}

export class FrameCounters {
  readonly #store: KeyValueStore;
  readonly #upKey: string;
  readonly #downKey: string;
  readonly #tag: number;
  readonly #writeAhead: number;
  /** Next FCntUp to use. */
  #next: number;
  /** Persisted ceiling: counters below it may have been used before a reboot. */
  #reserved: number;
  #lastDown: number | undefined;

  constructor(store: KeyValueStore, upKey: string, downKey: string, tag: number, writeAhead: number) {
    this.#store = store;
    this.#upKey = upKey;
    this.#downKey = downKey;
    this.#tag = tag;
    this.#writeAhead = writeAhead;
    this.#reserved = this.#read(upKey) ?? 0;
    this.#next = this.#reserved;
    this.#lastDown = this.#read(downKey);
  }

  /** The FCntUp the next new frame will carry. */
  get nextUp(): number {
    return this.#next;
  }

  /** The last FCntDown accepted in this session, undefined before the first downlink. */
  get lastDown(): number | undefined {
    return this.#lastDown;
  }

  /** Take the next FCntUp, persisting the write-ahead ceiling first when it is reached. */
  takeUp(): number {
    const n = this.#next;
    // 0xFFFFFFFF itself is never used, so the persisted ceiling always fits 32 bits.
    if (n >= MAX_FCNT) {
      throw new LorawanMacError('LORAWAN_FCNT_EXHAUSTED', 'the 32-bit uplink frame counter is exhausted', 'join again (OTAA) or provision new ABP keys', this.#upKey);
    }
    if (n >= this.#reserved) {
      this.#reserved = Math.min(n + this.#writeAhead, MAX_FCNT);
      this.#write(this.#upKey, this.#reserved);
    }
    this.#next = n + 1;
    return n;
  }

  acceptDown(fCnt: number): void {
    this.#lastDown = fCnt;
    this.#write(this.#downKey, fCnt);
  }

  #read(key: string): number | undefined {
    const bytes = this.#store.get(key);
    if (bytes === undefined || bytes.length !== 13 || readUintLE(bytes, 0, 4) + readUintLE(bytes, 4, 4) * 0x1_0000_0000 !== this.#tag || bytes[12] !== 0xa5) return undefined;
    return readUintLE(bytes, 8, 4);
  }

  #write(key: string, value: number): void {
    const bytes = new Uint8Array(13);
    writeUintLE(bytes, 0, this.#tag % 0x1_0000_0000, 4);
    writeUintLE(bytes, 4, Math.floor(this.#tag / 0x1_0000_0000), 4);
    writeUintLE(bytes, 8, value, 4);
    // A marker byte: a record torn or written by another format reads as "absent".
    bytes[12] = 0xa5;
    this.#store.set(key, bytes);
  }
}
