/**
 * A recording UplinkPort for tests and benches: "the cloud" in one object.
 * Delivery takes `latencyMs` of clock time; while offline (a window on the
 * clock, or set by hand) or when a seeded loss die says so, send() rejects
 * and the gateway keeps the record. A lost acknowledgement (`ackLossRate`)
 * is the other way round: the far side has the message, send() rejects all
 * the same, and the gateway sends it again. Everything delivered is kept with its
 * arrival time and, once `channels` is set, decoded with sdk/codec's
 * decodeUplink, so tests assert on what the far side understood rather than
 * on gateway internals. Runtime-neutral (runs in XS).
 */
import { AxonError } from '../../drivers/errors.js';
import type { DecodedAlert } from '../../drivers/batch/alert.js';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import type { Clock } from '../../drivers/ports/clock.js';
import type { UplinkMessage, UplinkPort } from '../../drivers/ports/uplink.js';
import { alertsIn, decodeUplink, type DecodedUplink } from '../../sdk/codec/decode-uplink.js';
import { mulberry32 } from '../models/prng.js';

export interface MemoryUplinkOptions {
  clock: Clock;
  /** Largest payload accepted (default 51: CN470/EU868 at a low data rate). Change `maxPayload` later to play ADR. */
  maxPayloadBytes?: number;
  /** Clock ms from send() to the far side's acknowledgement (default 0). */
  latencyMs?: number;
  /** Outages on the clock's monotonic time: [fromMs, toMs). */
  offline?: ReadonlyArray<{ fromMs: number; toMs: number }>;
  /** Share of messages lost in transit (0–1, default 0), drawn from a seeded generator. */
  lossRate?: number;
  /** Share of delivered messages whose acknowledgement is lost (0–1, default 0): received, yet send() rejects, so they are sent again. */
  ackLossRate?: number;
  seed?: number;
  /** Decode with this table (the gateway's `channelTable`); can also be set later. */
  channels?: ChannelTable;
}

export interface ReceivedMessage {
  /** Clock ms (monotonic) at arrival. */
  atMs: number;
  port: number;
  priority: UplinkMessage['priority'];
  payload: Uint8Array;
  /** decodeUplink's result, when a channel table was known. */
  decoded?: DecodedUplink;
  /** Why decoding failed, if it did. */
  decodeError?: string;
  /** Received, but the acknowledgement was lost: the gateway will send this again. */
  ackLost?: boolean;
}

export class MemoryUplink implements UplinkPort {
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  maxPayload: number;
  latencyMs: number;
  readonly received: ReceivedMessage[] = [];
  /** send() calls that were refused or lost. */
  failures = 0;
  /** Share of delivered messages whose acknowledgement is lost; can be changed while running. */
  ackLossRate: number;
  readonly #clock: Clock;
  readonly #windows: ReadonlyArray<{ fromMs: number; toMs: number }>;
  readonly #lossRate: number;
  readonly #random: () => number;
  #forcedOffline = false;
  #channels: ChannelTable | undefined;

  constructor(options: MemoryUplinkOptions) {
    this.#clock = options.clock;
    this.maxPayload = options.maxPayloadBytes ?? 51;
    this.latencyMs = options.latencyMs ?? 0;
    this.#windows = options.offline ?? [];
    this.#lossRate = options.lossRate ?? 0;
    this.ackLossRate = options.ackLossRate ?? 0;
    this.#random = mulberry32(options.seed ?? 1);
    this.#channels = options.channels;
  }

  /** The table to decode with; setting it decodes what arrived before. */
  set channels(table: ChannelTable | undefined) {
    this.#channels = table;
    for (const message of this.received) this.#decode(message);
  }

  get channels(): ChannelTable | undefined {
    return this.#channels;
  }

  /** Force the link down (true) or give it back to the offline windows (false). */
  setOffline(offline: boolean): void {
    this.#forcedOffline = offline;
  }

  get online(): boolean {
    if (this.#forcedOffline) return false;
    const now = this.#clock.now();
    return !this.#windows.some((w) => now >= w.fromMs && now < w.toMs);
  }

  maxPayloadBytes(): number {
    return this.maxPayload;
  }

  send(message: UplinkMessage): Promise<void> {
    if (message.payload.length > this.maxPayload) {
      this.failures++;
      return Promise.reject(new AxonError('UPLINK_TOO_LARGE', `message of ${message.payload.length} bytes exceeds the ${this.maxPayload}-byte limit`));
    }
    if (!this.online) {
      this.failures++;
      return Promise.reject(new AxonError('UPLINK_OFFLINE', 'the simulated uplink is offline'));
    }
    const payload = message.payload.slice();
    return new Promise<void>((resolve, reject) => {
      this.#clock.schedule(this.latencyMs, () => {
        // The link can drop while the message is on its way; the ack is then never seen.
        if (!this.online || (this.#lossRate > 0 && this.#random() < this.#lossRate)) {
          this.failures++;
          reject(new AxonError('UPLINK_LOST', 'the simulated uplink lost the message'));
          return;
        }
        const received: ReceivedMessage = { atMs: this.#clock.now(), port: message.port, priority: message.priority, payload };
        this.#decode(received);
        this.received.push(received);
        if (this.ackLossRate > 0 && this.#random() < this.ackLossRate) {
          received.ackLost = true;
          this.failures++;
          reject(new AxonError('UPLINK_ACK_LOST', 'the simulated uplink delivered the message but lost its acknowledgement'));
          return;
        }
        resolve();
      });
    });
  }

  /** Deliver a downlink to the gateway (the platform sending configuration or an acknowledgement). */
  downlink(port: number, payload: Uint8Array): void {
    this.onDownlink?.({ port, payload: payload.slice() });
  }

  /** Decoded messages of one type, in arrival order, with their arrival time. */
  decoded<T extends DecodedUplink['type']>(type: T): Array<Extract<DecodedUplink, { type: T }> & { atMs: number }> {
    const out: Array<Extract<DecodedUplink, { type: T }> & { atMs: number }> = [];
    for (const message of this.received) {
      if (message.decoded?.type === type) out.push({ ...(message.decoded as Extract<DecodedUplink, { type: T }>), atMs: message.atMs });
    }
    return out;
  }

  /** Every alert received, alone or in a group (docs/batch-format.md §6.1), in arrival order, with its message's arrival time. */
  alerts(): Array<DecodedAlert & { atMs: number }> {
    const out: Array<DecodedAlert & { atMs: number }> = [];
    for (const message of this.received) {
      if (message.decoded !== undefined) for (const alert of alertsIn(message.decoded)) out.push({ ...alert, atMs: message.atMs });
    }
    return out;
  }

  #decode(message: ReceivedMessage): void {
    if (this.#channels === undefined || message.decoded !== undefined) return;
    try {
      message.decoded = decodeUplink(message.payload, this.#channels);
      message.decodeError = undefined;
    } catch (error) {
      message.decodeError = error instanceof Error ? error.message : String(error);
    }
  }
}
