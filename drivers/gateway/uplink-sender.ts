/**
 * The one loop that talks to the uplink. It drains the store-and-forward log
 * (the store serves alerts before readings), removes a record only after the
 * uplink confirmed it (at-least-once), and on failure waits with bounded
 * exponential back-off without ever dropping what is unacknowledged. A status
 * message goes out when asked (a period) and after every recovery, after the
 * pending alerts and before the backlog of readings.
 *
 * One loop, not one send per event: an uplink (a LoRaWAN MAC, a modem) does
 * one thing at a time, and a single owner keeps the order the store gives.
 *
 * With an uplink whose delivery is 'application' (LoRaWAN: data unconfirmed),
 * send() only means "on the air": data frames then go through an
 * AppAckWindow, which wraps them with a sequence number and keeps them in the
 * log until the platform's data-ack (docs/app-ack.md). Resends are scheduled
 * by the window, never waited for here, so an alert is never stuck behind a
 * data frame: each turn of the loop takes alerts first. Alerts that wait
 * together go as one alert group (docs/batch-format.md §6.1), released from
 * the log by the one acknowledgement of that frame. When the uplink sends
 * alerts unconfirmed too (alertDelivery 'application'), alert frames go
 * through a second window over the alert queue, numbered in the same
 * sequence, and the same data-acks release them.
 */
import { AxonError } from '../errors.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { UplinkMessage, UplinkPort } from '../ports/uplink.js';
import type { StoreAndForward, StoredRecord } from '../store/store.js';
import { encodeSequenced } from '../batch/sequenced.js';
import { ALERT_GROUP_HEADER_BYTES, packAlerts } from '../batch/alert-group.js';
import type { AppAckWindow, DataSend, FrameMaker } from './app-ack-window.js';

/** The alert window's frames: the oldest waiting alerts as one group, or a lone alert; nothing when even one does not fit. */
export const alertFrames: FrameMaker = (records, maxBytes) => {
  if (records[0].payload.length > maxBytes) return undefined;
  return packAlerts(records.map((r) => r.payload), maxBytes);
};

/** How soon an idle sender looks again if a window reports something due yet offers nothing (a safety net). */
const IDLE_RECHECK_MS = 1000;

/** Alerts one frame can carry at most: every group entry takes at least 4 bytes of a 242-byte payload. */
export const ALERTS_PER_FRAME = 60;

export type UplinkState = 'idle' | 'sending' | 'backoff' | 'stopped';
export type SentKind = 'alert' | 'reading' | 'status';

export interface UplinkSenderOptions {
  store: StoreAndForward;
  uplink: UplinkPort;
  clock: Clock;
  /** Application ports: readings and status on `data`, alerts on `alert`. */
  ports: { data: number; alert: number };
  /** The status message, built at the moment it is sent (its counters must be current). */
  status: () => Uint8Array;
  /** Cut a stored reading frame that has become larger than the uplink allows (ADR lowered the limit); undefined when it cannot be cut. */
  recut: (payload: Uint8Array, maxBytes: number) => Uint8Array[] | undefined;
  /** First retry delay after a failure, ms (default 1000); doubles per failure up to retryMaxMs. */
  retryFirstMs?: number;
  /** Longest retry delay, ms (default 60000). */
  retryMaxMs?: number;
  /** Data frames are delivered when the platform acknowledges them (uplinks whose delivery is 'application'). */
  appAck?: AppAckWindow;
  /** Alert frames too (uplinks whose alertDelivery is 'application'): the window over the alert queue, numbered with the data's. */
  alertAck?: AppAckWindow;
  onSent?: (kind: SentKind, payload: Uint8Array) => void;
  onFailure?: (error: Error) => void;
}

export interface UplinkSenderStats {
  alertsSent: number;
  /** Frames that carried alerts: one per alert, or one per alert group. */
  alertFramesSent: number;
  framesSent: number;
  statusSent: number;
  bytesSent: number;
  failures: number;
  /** Reading frames re-cut because the payload limit fell below their size. */
  recut: number;
}

/** Nothing to send until a planned alert copy falls due: wait for it (anything stored meanwhile wakes the loop). */
interface CopyWait {
  waitMs: number;
}

interface Job {
  kind: SentKind;
  /** The (last) record the message carries: acknowledging it releases every earlier one of its queue. */
  record?: StoredRecord;
  /** Alert events the message carries (several when grouped). */
  alerts?: number;
  /** A frame under application acknowledgement, and the window it belongs to. */
  data?: DataSend;
  window?: AppAckWindow;
  message: UplinkMessage;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new AxonError('UPLINK_FAILED', String(error));
}

export class UplinkSender {
  readonly stats: UplinkSenderStats = { alertsSent: 0, alertFramesSent: 0, framesSent: 0, statusSent: 0, bytesSent: 0, failures: 0, recut: 0 };
  #state: UplinkState = 'stopped';
  #lastError: Error | undefined;
  #retryAt: number | undefined;
  #consecutiveFailures = 0;
  #statusWanted = false;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Sleeping for the air: anything stored wakes the loop, so an alert takes the slot. */
  #wakeOnKick = false;
  readonly #o: UplinkSenderOptions;

  constructor(options: UplinkSenderOptions) {
    this.#o = options;
  }

  get state(): UplinkState {
    return this.#state;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Clock time of the next attempt while backing off. */
  get retryAt(): number | undefined {
    return this.#retryAt;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /** Stop after the send in progress (it is never abandoned half-way: its ack decides). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Something was stored: send it now if the loop is idle (during back-off it waits its turn). */
  kick(): void {
    if (this.#state === 'idle' || this.#wakeOnKick) this.#wake?.();
  }

  /** Send a status message at the next opportunity. */
  requestStatus(): void {
    this.#statusWanted = true;
    this.kick();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const job = this.#next();
      if (job !== undefined && 'waitMs' in job) {
        this.#state = 'sending';
        await this.#sleep(job.waitMs, true);
        continue;
      }
      if (job === undefined) {
        // Idle: make the acks durable now, so a reboot does not send them again.
        if (this.#o.store.dirty) this.#o.store.sync();
        this.#state = 'idle';
        // Under application acks a probe may fall due with nothing new stored. The windows never report due what
        // cannot go (a frame ADR made too large is re-packed, re-cut or passed over by the probe); should one ever
        // do, the loop looks again a second later rather than spin at one instant of the clock.
        const dueMs = Math.min(this.#o.appAck?.dueInMs() ?? Infinity, this.#o.alertAck?.dueInMs() ?? Infinity);
        await this.#sleep(dueMs === 0 ? IDLE_RECHECK_MS : dueMs);
        continue;
      }
      this.#state = 'sending';
      // Everything waits for the air outside the uplink: an alert stored meanwhile takes the slot, and
      // alerts raised while the band is closed go out together in one group when it opens.
      const waitMs = this.#o.uplink.readyInMs?.(job.message.payload.length) ?? 0;
      if (waitMs > 0 && job.data?.copy === true && job.window?.copyWorthWaiting(waitMs) === false) {
        // Copies are worth only a short wait for the air: under a tight duty cycle the band's time goes to new
        // alerts and data, and a frame whose one copy was lost is repaired through the platform's gap report.
        job.window.dropCopies(job.data);
        continue;
      }
      if (waitMs > 0) {
        await this.#sleep(waitMs, true);
        continue;
      }
      if (job.data !== undefined) job.window?.sending(job.data);
      try {
        await this.#o.uplink.send(job.message);
      } catch (error) {
        await this.#failed(asError(error));
        continue;
      }
      this.#delivered(job);
    }
    this.#state = 'stopped';
  }

  /** The platform acknowledged these sequenced frames (a data-ack downlink). */
  acknowledged(base: number, seqs: readonly number[]): void {
    if (this.#o.appAck === undefined) return;
    this.#o.appAck.acknowledged(base, seqs);
    this.#o.alertAck?.acknowledged(base, seqs);
    this.kick();
  }

  #next(): Job | CopyWait | undefined {
    const store = this.#o.store;
    if (this.#o.appAck !== undefined) return this.#nextUnderAppAck(this.#o.appAck);
    const alert = this.#alertJob();
    if (alert !== undefined) return alert;
    const record = store.peek(1)[0];
    if (this.#statusWanted) return { kind: 'status', message: { payload: this.#o.status(), port: this.#o.ports.data, priority: 'data' } };
    if (record === undefined) return undefined;
    const max = this.#o.uplink.maxPayloadBytes();
    if (record.payload.length > max) {
      const pieces = this.#o.recut(record.payload, max);
      if (pieces !== undefined) {
        // Append the pieces before acknowledging the original: a power cut in between sends readings twice, never loses them.
        for (const piece of pieces) store.append('reading', piece);
        store.ack(record.seq);
        this.stats.recut++;
        return this.#next();
      }
    }
    return { kind: 'reading', record, message: { payload: record.payload, port: this.#o.ports.data, priority: 'data' } };
  }

  #nextUnderAppAck(window: AppAckWindow): Job | CopyWait | undefined {
    const store = this.#o.store;
    const alert = this.#sequencedAlertJob() ?? this.#alertJob();
    if (alert !== undefined) return alert;
    if (this.#statusWanted) return { kind: 'status', message: { payload: this.#o.status(), port: this.#o.ports.data, priority: 'data' } };
    const max = this.#o.uplink.maxPayloadBytes();
    const data = window.next(max);
    if (data === undefined || 'waitMs' in data) return data;
    if ('recut' in data) {
      const pieces = this.#o.recut(data.recut.payload, max - window.overheadBytes);
      if (pieces === undefined) return undefined;
      for (const piece of pieces) store.append('reading', piece);
      store.ack(data.recut.seq);
      window.forget(data.recut.seq);
      this.stats.recut++;
      return this.#next();
    }
    const payload = encodeSequenced({ seq: data.seq, ackRequested: data.ackRequested, inner: data.payload });
    return { kind: 'reading', data, window, message: { payload, port: this.#o.ports.data, priority: 'data' } };
  }

  /**
   * Alerts under application acknowledgement: a due resend, else the oldest
   * alerts not yet on the air as one sequenced frame. Undefined when none
   * waits, or when the window is full (they wait their turn in the log), or
   * when a single alert with its sequence number exceeds the payload limit
   * (US915 DR0's 11 bytes): #alertJob then sends it confirmed, unsequenced.
   */
  #sequencedAlertJob(): Job | CopyWait | undefined {
    const window = this.#o.alertAck;
    if (window === undefined) return undefined;
    const send = window.next(this.#o.uplink.maxPayloadBytes());
    if (send === undefined || 'recut' in send) return undefined;
    if ('waitMs' in send) return send;
    const payload = encodeSequenced({ seq: send.seq, ackRequested: send.ackRequested, inner: send.payload });
    return { kind: 'alert', data: send, window, alerts: send.resend ? 0 : send.count, message: { payload, port: this.#o.ports.alert, priority: 'alert', sequenced: true } };
  }

  /**
   * The waiting alerts as one message: the oldest that fit the payload limit
   * now, grouped (docs/batch-format.md §6.1), or a lone alert's own bytes.
   * A prefix of the alert queue, so acknowledging its last record releases all.
   */
  #alertJob(): Job | undefined {
    const max = this.#o.uplink.maxPayloadBytes();
    // Every entry is at least 4 bytes: more than this many can never fit.
    let limit = Math.max(1, Math.floor((max - ALERT_GROUP_HEADER_BYTES) / 4));
    // Under an alert window, only an alert too large to be sequenced comes here, with those after it that are not on the air.
    if (this.#o.alertAck !== undefined) {
      if (!this.#o.alertAck.headTooLarge(max)) return undefined;
      limit = this.#o.alertAck.notOnAirPrefix(limit);
    }
    const waiting = this.#o.store.peek(limit, 'alert');
    if (waiting.length === 0) return undefined;
    const { payload, count } = packAlerts(waiting.map((r) => r.payload), max);
    return { kind: 'alert', record: waiting[count - 1], alerts: count, message: { payload, port: this.#o.ports.alert, priority: 'alert' } };
  }

  #delivered(job: Job): void {
    if (job.record !== undefined) this.#o.store.ack(job.record.seq);
    // An acknowledged alert proves the network is back: repeat an unanswered data-ack request now.
    if (job.kind === 'alert' && job.window === undefined) this.#o.appAck?.networkAlive();
    if (job.kind === 'status') this.#statusWanted = false;
    // Back after an outage: tell the platform what was dropped and what is still queued, unless the
    // message that got through was that status itself (at start, the first status waits for the link).
    if (this.#consecutiveFailures > 0 && job.kind !== 'status') this.#statusWanted = true;
    this.#consecutiveFailures = 0;
    this.#retryAt = undefined;
    const bytes = job.message.payload.length;
    this.stats.bytesSent += bytes;
    if (job.kind === 'alert') {
      this.stats.alertsSent += job.alerts ?? 1;
      if (job.alerts !== 0) this.stats.alertFramesSent++;
    } else if (job.kind === 'reading') this.stats.framesSent++;
    else this.stats.statusSent++;
    this.#o.onSent?.(job.kind, job.message.payload);
  }

  async #failed(error: Error): Promise<void> {
    this.#lastError = error;
    this.stats.failures++;
    this.#consecutiveFailures++;
    this.#o.onFailure?.(error);
    const first = this.#o.retryFirstMs ?? 1000;
    const delay = Math.min(this.#o.retryMaxMs ?? 60_000, first * 2 ** Math.min(this.#consecutiveFailures - 1, 30));
    this.#state = 'backoff';
    this.#retryAt = this.#o.clock.now() + delay;
    await this.#sleep(delay);
  }

  /** Sleep `ms` of clock time, or until woken: by kick() when idle or waiting for the air (never during back-off), by stop() always. */
  #sleep(ms: number, wakeOnKick = false): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined;
      this.#wakeOnKick = wakeOnKick;
      const done = () => {
        if (timer !== undefined) this.#o.clock.cancel(timer);
        this.#wake = undefined;
        this.#wakeOnKick = false;
        resolve();
      };
      if (Number.isFinite(ms)) timer = this.#o.clock.schedule(ms, done);
      this.#wake = done;
    });
  }
}
