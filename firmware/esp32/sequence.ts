/**
 * NB-IoT sequence ids that survive reboots. The server de-duplicates frames
 * on (device, seq) (docs/nbiot.md). NbIotUplink starts its ids from the wall
 * clock, which on this board reads 1970 at every boot, so every boot would
 * start near 0 again and the server could discard the first messages after a
 * reboot as duplicates. Instead the next id lives in NVS, saved ahead of use:
 * a block of RESERVE ids is claimed at a time, so after a power cut the next
 * boot starts past anything the last one can have sent.
 */
import type { KeyValueStore } from '../../drivers/ports/storage.js';
import type { UplinkMessage, UplinkPort } from '../../drivers/ports/uplink.js';

/** NVS key (≤ 15 characters). */
export const SEQUENCE_KEY = 'nbseq';
/** Ids claimed per NVS write: one write per 64 messages (about five hours at one message every five minutes). */
const RESERVE = 64;

export class PersistentSequence {
  /** The id for this boot's first message: pass it as NbIotUplink's firstSequence. */
  readonly first: number;
  readonly #meta: KeyValueStore;
  #next: number;
  #claimedUntil: number;

  constructor(meta: KeyValueStore) {
    this.#meta = meta;
    const saved = meta.get(SEQUENCE_KEY);
    this.first = saved !== undefined && saved.length === 2 ? (saved[0] << 8) | saved[1] : 0;
    this.#next = this.first;
    this.#claimedUntil = this.#claim(this.first);
  }

  /** Count one message handed to the uplink (each takes one id), claiming the next block when this one runs out. */
  take(): void {
    this.#next++;
    if (this.#next >= this.#claimedUntil) this.#claimedUntil = this.#claim(this.#next);
  }

  #claim(from: number): number {
    const until = from + RESERVE;
    this.#meta.set(SEQUENCE_KEY, Uint8Array.of((until >> 8) & 0xff, until & 0xff));
    return until;
  }
}

/** The uplink as the gateway sees it, counting every message against the persistent sequence. */
export class SequencedUplink implements UplinkPort {
  readonly #inner: UplinkPort;
  readonly #sequence: PersistentSequence;

  constructor(inner: UplinkPort, sequence: PersistentSequence) {
    this.#inner = inner;
    this.#sequence = sequence;
  }

  get onDownlink(): UplinkPort['onDownlink'] {
    return this.#inner.onDownlink;
  }

  set onDownlink(handler: UplinkPort['onDownlink']) {
    this.#inner.onDownlink = handler;
  }

  maxPayloadBytes(): number {
    return this.#inner.maxPayloadBytes();
  }

  send(message: UplinkMessage): Promise<void> {
    // NbIotUplink takes an id for every message it accepts (a refused one takes none: counting it anyway only skips an id).
    this.#sequence.take();
    return this.#inner.send(message);
  }
}
