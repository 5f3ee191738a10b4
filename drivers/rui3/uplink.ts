/**
 * UplinkPort over a RAK RUI3 LoRaWAN module (RAK3172 class) on a serial line.
 * The module runs its own LoRaWAN MAC; the driver configures it (band, class
 * A, OTAA keys, ADR, data rate), joins with AT+JOIN and sends with AT+SEND,
 * choosing confirmed (AT+CFM=1) or unconfirmed frames per message with the
 * same policy as our own MAC's uplink (drivers/lorawan/mac/uplink.ts):
 *   - alerts jump the queue and go confirmed: send() resolves on
 *     +EVT:SEND_CONFIRMED_OK and rejects on +EVT:SEND_CONFIRMED_FAILED, so the
 *     store-and-forward log keeps the record;
 *   - data goes unconfirmed by default (delivery 'application'): send()
 *     resolves on +EVT:TX_DONE and the platform's data-ack releases the record
 *     (docs/app-ack.md); `delivery: 'network'` confirms every frame.
 * Downlinks arrive as +EVT:RX_<window>:<rssi>:<snr>:UNICAST:<port>:<hex>.
 *
 * What the module does not tell us (duty-cycle budget, FOpts room, the
 * network's ADR decisions until we ask AT+DR=?) is in docs/rui3.md.
 *
 * The shared AT engine (drivers/nbiot/at-engine.ts) runs the serial line with
 * the RUI3 dialect (dialect.ts).
 */
import { toHex } from '../bytes.js';
import { AtEngine, type AtCommandOptions, type AtEngineOptions, type AtResponse } from '../nbiot/at-engine.js';
import { createRegion, type Region, type RegionName } from '../lorawan/regions/index.js';
import type { ByteStream } from '../ports/byte-stream.js';
import { sleep, type Clock, type TimerHandle } from '../ports/clock.js';
import { enqueueByPriority, type UplinkMessage, type UplinkPort } from '../ports/uplink.js';
import { RUI3_BAND } from './band.js';
import { EVT, RUI3_DIALECT } from './dialect.js';
import { Rui3Error } from './errors.js';
import { parseRui3Event, type Rui3Event } from './events.js';

/** Room for the join duty cycle in the wait for a join round's end: a 1.5 s SF12 request at 1 % waits up to 150 s. */
const JOIN_DUTY_ALLOWANCE_MS = 300_000;
/** Plain AT commands sent before a module counts as silent. */
const SYNC_ATTEMPTS = 5;

export type Rui3State = 'idle' | 'configuring' | 'joining' | 'joined' | 'closed';

export interface Rui3Credentials {
  /** 16 hex digits; absent: the module's own (RAK3172s ship with a DevEUI). */
  devEui?: string;
  /** JoinEUI (RUI3 calls it AppEUI), 16 hex digits. */
  joinEui?: string;
  /** 32 hex digits. */
  appKey?: string;
}

export interface Rui3UplinkOptions {
  stream: ByteStream;
  clock: Clock;
  /** The site's LoRaWAN region; written with AT+BAND. */
  region: RegionName;
  /** OTAA keys written to the module before joining; absent fields keep what is provisioned in it. */
  credentials?: Rui3Credentials;
  /** AT+ADR (default true). */
  adr?: boolean;
  /** AT+DR before joining (default: the module's). */
  dataRate?: number;
  /** 'application' (default): data unconfirmed, released by the platform's data-ack; 'network': every frame confirmed. */
  delivery?: 'application' | 'network';
  /** Join requests per AT+JOIN (the module's own retries), default 3. */
  joinAttempts?: number;
  /** Seconds between them (RUI3 accepts 7-255), default 10. */
  joinIntervalS?: number;
  /** Pause after a failed join round before the next one, ms; doubles up to 16×. Default 60 000. */
  joinBackoffMs?: number;
  /**
   * Wait for the +EVT that ends a send, ms. The module holds a frame until its
   * duty cycle allows it and may send a confirmed one several times with
   * back-off (minutes at DR0 under a 1 % duty cycle). Default 600 000.
   */
  sendTimeoutMs?: number;
  /** Attempts while the module answers AT_BUSY_ERROR, default 5, 2 s apart. */
  busyAttempts?: number;
  /** Passed to the AT engine (port name for errors, default timeout). */
  engine?: Omit<AtEngineOptions, 'stream' | 'clock' | 'dialect'>;
  onState?: (state: Rui3State, error?: Error) => void;
}

export interface Rui3UplinkStats {
  joins: number;
  joinFailures: number;
  sent: number;
  confirmedFailed: number;
  busy: number;
  downlinks: number;
  /** +EVT lines the driver does not act on. */
  otherEvents: number;
}

interface Waiting {
  message: UplinkMessage;
  resolve(): void;
  reject(error: unknown): void;
}

interface EventWait {
  promise: Promise<Rui3Event>;
  cancel(): void;
}

export class Rui3Uplink implements UplinkPort {
  readonly delivery: 'transport' | 'application';
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  readonly engine: AtEngine;
  readonly stats: Rui3UplinkStats = { joins: 0, joinFailures: 0, sent: 0, confirmedFailed: 0, busy: 0, downlinks: 0, otherEvents: 0 };
  readonly region: Region;
  readonly #options: Rui3UplinkOptions;
  readonly #clock: Clock;
  readonly #waiting: Waiting[] = [];
  readonly #eventListeners = new Set<(event: Rui3Event) => void>();
  #running = false;
  #state: Rui3State = 'idle';
  #configured = false;
  #joining: Promise<void> | undefined;
  #nextJoinAtMs = -Infinity;
  #joinBackoffMs: number;
  #confirm: boolean | undefined;
  #dataRate: number;

  constructor(options: Rui3UplinkOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.region = createRegion(options.region);
    this.delivery = options.delivery === 'network' ? 'transport' : 'application';
    this.#joinBackoffMs = options.joinBackoffMs ?? 60_000;
    this.#dataRate = options.dataRate ?? this.region.uplinkDataRates[0];
    this.engine = new AtEngine({ timeoutMs: 5000, ...options.engine, stream: options.stream, clock: options.clock, dialect: RUI3_DIALECT });
    this.engine.onUrc(EVT, (urc) => this.#onEvent(parseRui3Event(urc)));
  }

  get state(): Rui3State {
    return this.#state;
  }

  /** The data rate the module last reported (follows the network's ADR after each send). */
  get dataRate(): number {
    return this.#dataRate;
  }

  /** Messages waiting for the module (the one being sent excluded). */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Configure and join in the background; failures are reported through onState and retried on the next send. */
  start(): void {
    this.#ensureJoined().catch(() => undefined);
  }

  /** The largest payload at the module's current data rate (the module puts pending MAC answers in FOpts; see docs/rui3.md). */
  maxPayloadBytes(): number {
    try {
      return this.region.maxPayload(this.#dataRate);
    } catch {
      return this.region.maxPayload(this.region.uplinkDataRates[0]);
    }
  }

  send(message: UplinkMessage): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new Rui3Error('RUI3_CLOSED', 'the RUI3 uplink was closed'));
    return new Promise((resolve, reject) => {
      const entry: Waiting = { message: { ...message, payload: message.payload.slice() }, resolve, reject };
      enqueueByPriority(this.#waiting, entry);
      if (!this.#running) void this.#drain();
    });
  }

  /** Fail what is queued and stop listening; the stream stays open (its owner closes it). */
  close(): void {
    this.#setState('closed');
    const error = new Rui3Error('RUI3_CLOSED', 'the RUI3 uplink was closed');
    for (const waiting of this.#waiting.splice(0)) waiting.reject(error);
    this.engine.close();
  }

  command(command: string, options?: AtCommandOptions): Promise<AtResponse> {
    return this.engine.command(command, options);
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      for (let next = this.#waiting.shift(); next !== undefined; next = this.#waiting.shift()) {
        try {
          await this.#sendOne(next.message);
          next.resolve();
        } catch (error) {
          next.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #sendOne(message: UplinkMessage): Promise<void> {
    if (message.port < 1 || message.port > 223) {
      throw new Rui3Error('RUI3_BAD_ARGUMENT', `FPort ${message.port} is not an application port`, { fix: 'use a port from 1 to 223' });
    }
    if (message.payload.length > this.maxPayloadBytes()) {
      throw new Rui3Error('RUI3_PAYLOAD_TOO_LARGE', `message of ${message.payload.length} bytes exceeds the ${this.maxPayloadBytes()} bytes of DR${this.#dataRate}`, {
        fix: 'ask maxPayloadBytes() before batching; the data rate changes with ADR',
      });
    }
    await this.#ensureJoined();
    const confirmed = message.priority === 'alert' || this.delivery === 'transport';
    if (this.#confirm !== confirmed) {
      await this.command(`AT+CFM=${confirmed ? 1 : 0}`);
      this.#confirm = confirmed;
    }
    const command = `AT+SEND=${message.port}:${toHex(message.payload).toUpperCase()}`;
    const busyAttempts = Math.max(1, this.#options.busyAttempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      // Subscribe first: the end event can arrive in the same read as OK.
      const done = this.#waitEvent((e) => (confirmed ? e.type === 'send-confirmed-ok' || e.type === 'send-confirmed-failed' : e.type === 'tx-done'), this.#options.sendTimeoutMs ?? 600_000, command);
      try {
        await this.command(command);
      } catch (error) {
        done.cancel();
        const code = (error as Rui3Error).code;
        if (code === 'RUI3_NOT_JOINED') this.#lostSession();
        if (code === 'RUI3_BUSY' && attempt < busyAttempts) {
          this.stats.busy++;
          await sleep(this.#clock, 2000 * attempt);
          continue;
        }
        if (code === 'RUI3_TIMEOUT') this.#lostSession();
        throw error;
      }
      const event = await done.promise;
      if (event.type === 'send-confirmed-failed') {
        this.stats.confirmedFailed++;
        throw new Rui3Error('RUI3_SEND_FAILED', `the network did not acknowledge the confirmed frame${event.status === undefined ? '' : ` (module status ${event.status})`}`, {
          command,
          fix: 'check coverage and the network server; the record stays in the log and is sent again',
        });
      }
      this.stats.sent++;
      if (this.#options.adr ?? true) await this.#readDataRate();
      return;
    }
  }

  #ensureJoined(): Promise<void> {
    if (this.#state === 'joined') return Promise.resolve();
    if (this.#state === 'closed') return Promise.reject(new Rui3Error('RUI3_CLOSED', 'the RUI3 uplink was closed'));
    const wait = this.#nextJoinAtMs - this.#clock.now();
    if (this.#joining === undefined && wait > 0) {
      return Promise.reject(new Rui3Error('RUI3_NOT_JOINED', `not joined; the next join attempt is in ${Math.ceil(wait / 1000)} s`, {
        fix: 'check the keys (DevEUI, JoinEUI, AppKey) against the network server and the coverage; the driver keeps trying',
      }));
    }
    this.#joining ??= this.#join().finally(() => {
      this.#joining = undefined;
    });
    return this.#joining;
  }

  async #join(): Promise<void> {
    try {
      if (!this.#configured) {
        this.#setState('configuring');
        await this.#configure();
        this.#configured = true;
      }
      this.#setState('joining');
      const attempts = this.#options.joinAttempts ?? 3;
      const intervalS = Math.min(255, Math.max(7, this.#options.joinIntervalS ?? 10));
      const command = `AT+JOIN=1:0:${intervalS}:${attempts}`;
      // RUI3 reports every failed attempt (+EVT:JOIN_FAILED_RX_TIMEOUT); the round is over after `attempts` of them.
      // Each attempt: a join request, then JoinAcceptDelay2 (6 s) plus the RX2 window, then the interval;
      // the join duty cycle (1 % in the first hour) may hold a request back for minutes at SF12.
      let failed = 0;
      const joined = this.#waitEvent((e) => e.type === 'joined' || (e.type === 'join-failed' && ++failed >= attempts), attempts * (intervalS + 10) * 1000 + JOIN_DUTY_ALLOWANCE_MS, command);
      try {
        await this.command(command);
      } catch (error) {
        joined.cancel();
        throw error;
      }
      const event = await joined.promise;
      if (event.type !== 'joined') {
        throw new Rui3Error('RUI3_JOIN_FAILED', `the join failed after ${attempts} attempts (${event.type === 'join-failed' ? event.reason : 'no answer'})`, {
          command,
          fix: 'check the keys (DevEUI, JoinEUI, AppKey) against the network server, the band (AT+BAND) and the antenna',
        });
      }
      this.stats.joins++;
      this.#joinBackoffMs = this.#options.joinBackoffMs ?? 60_000;
      this.#confirm = undefined;
      await this.#readDataRate();
      this.#setState('joined');
    } catch (error) {
      this.stats.joinFailures++;
      const code = (error as Rui3Error).code;
      // The module may have been swapped or reset: configure again next time.
      if (code === 'RUI3_TIMEOUT' || code === 'RUI3_LINK') this.#configured = false;
      // Only join requests on the air count against the join duty cycle; a silent module is asked again on the next send.
      if (code === 'RUI3_JOIN_FAILED') {
        this.#nextJoinAtMs = this.#clock.now() + this.#joinBackoffMs;
        this.#joinBackoffMs = Math.min(this.#joinBackoffMs * 2, 16 * (this.#options.joinBackoffMs ?? 60_000));
      }
      this.#setState('idle', error as Error);
      throw error;
    }
  }

  async #configure(): Promise<void> {
    await this.#sync();
    const mode = await this.#query('AT+NWM=?');
    if (mode !== '1') {
      throw new Rui3Error('RUI3_STATUS', `the module is in work mode ${mode}, not LoRaWAN`, {
        command: 'AT+NWM=?',
        fix: 'send AT+NWM=1 once from a terminal (the module restarts and keeps it)',
      });
    }
    await this.command('AT+NJM=1');
    await this.command('AT+CLASS=A');
    await this.command(`AT+BAND=${RUI3_BAND[this.region.name]}`);
    const keys = this.#options.credentials ?? {};
    if (keys.devEui !== undefined) await this.command(`AT+DEVEUI=${keys.devEui.toUpperCase()}`);
    if (keys.joinEui !== undefined) await this.command(`AT+APPEUI=${keys.joinEui.toUpperCase()}`);
    if (keys.appKey !== undefined) await this.command(`AT+APPKEY=${keys.appKey.toUpperCase()}`);
    await this.command(`AT+ADR=${(this.#options.adr ?? true) ? 1 : 0}`);
    if (this.#options.dataRate !== undefined) await this.command(`AT+DR=${this.#options.dataRate}`);
  }

  /** Plain AT until the module answers: the first bytes after the port opens, or after the module boots, may be lost. */
  async #sync(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.command('AT', { timeoutMs: 1000 });
        return;
      } catch (error) {
        if ((error as Rui3Error).code !== 'RUI3_TIMEOUT' || attempt >= SYNC_ATTEMPTS) throw error;
      }
    }
  }

  async #query(command: string): Promise<string> {
    const response = await this.command(command);
    const value = response.lines[0];
    if (value === undefined) throw new Rui3Error('RUI3_BAD_REPLY', 'the module answered OK without a value', { command, fix: 'check the firmware is RUI3 (AT+VER=?)' });
    return value;
  }

  async #readDataRate(): Promise<void> {
    const text = await this.#query('AT+DR=?');
    if (!/^\d{1,2}$/.test(text)) throw new Rui3Error('RUI3_BAD_REPLY', `data rate ${JSON.stringify(text)} is not a number`, { command: 'AT+DR=?' });
    this.#dataRate = Number(text);
  }

  #lostSession(): void {
    if (this.#state === 'joined') this.#setState('idle');
  }

  #setState(state: Rui3State, error?: Error): void {
    if (this.#state === 'closed') return;
    if (this.#state === state && error === undefined) return;
    this.#state = state;
    this.#options.onState?.(state, error);
  }

  #onEvent(event: Rui3Event): void {
    if (event.type === 'rx') {
      // Port 0 carries MAC commands, which the module handles itself.
      if (event.port >= 1 && event.port <= 223) {
        this.stats.downlinks++;
        this.onDownlink?.({ port: event.port, payload: event.payload });
      }
    } else if (event.type === 'joined' && this.#state !== 'joining') {
      // Joined by itself (auto-join after a module restart): a fresh session.
      this.#confirm = undefined;
      this.#setState('joined');
    } else if (event.type === 'other') {
      this.stats.otherEvents++;
    }
    for (const listener of [...this.#eventListeners]) listener(event);
  }

  #waitEvent(matches: (event: Rui3Event) => boolean, timeoutMs: number, command: string): EventWait {
    let finish: (outcome: Rui3Event | Error) => void = () => undefined;
    const promise = new Promise<Rui3Event>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const listener = (event: Rui3Event) => {
        if (matches(event)) finish(event);
      };
      finish = (outcome) => {
        if (!this.#eventListeners.delete(listener)) return;
        if (timer !== undefined) this.#clock.cancel(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      this.#eventListeners.add(listener);
      timer = this.#clock.schedule(timeoutMs, () => {
        this.#lostSession();
        finish(new Rui3Error('RUI3_TIMEOUT', `no +EVT result within ${timeoutMs} ms`, {
          command,
          fix: 'the module accepted the request but never reported its end: check its power supply; the driver rejoins on the next send',
        }));
      });
    });
    promise.catch(() => undefined);
    return { promise, cancel: () => finish(new Rui3Error('RUI3_CLOSED', 'wait cancelled', { command })) };
  }
}
