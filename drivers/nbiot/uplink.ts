/**
 * UplinkPort over an NB-IoT modem. send() resolves only when the far side has
 * acknowledged the message: an ack frame echoing the sequence id (UDP, CoAP
 * platform; see frame.ts) or the broker's PUBACK (MQTT). Failed attempts are
 * retried with a growing pause; a module reboot in the middle is survived by
 * re-initialising the modem and reopening the transport on the next attempt.
 * Sends are serialised: one message in flight, in submission order.
 */
import type { UplinkMessage, UplinkPort } from '../ports/uplink.js';
import { sleep, type Clock, type TimerHandle } from '../ports/clock.js';
import { NbIotError } from './errors.js';
import { DATA_HEADER_BYTES, decodeFrame, encodeFrame } from './frame.js';
import type { NbIotModem } from './modem.js';
import { createTransport, type FrameTransport, type NbIotTransportConfig } from './transports.js';

export interface NbIotUplinkOptions {
  modem: NbIotModem;
  transport: NbIotTransportConfig;
  /** Wait for the ack frame per attempt. NB-IoT round trips take 1–10 s in deep coverage. Default 15 000. */
  ackTimeoutMs?: number;
  /** Attempts per message. Default 3. */
  attempts?: number;
  /** Pause before the 2nd attempt; grows linearly. Default 2000. */
  retryPauseMs?: number;
  /** First sequence id. Default: derived from the wall clock so a restarted gateway does not reuse recent ids. */
  firstSequence?: number;
}

export interface NbIotUplinkStats {
  sent: number;
  attempts: number;
  ackTimeouts: number;
  downlinks: number;
  duplicateDownlinks: number;
}

interface AckWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: TimerHandle;
}

/** Errors that another attempt cannot fix. */
const FINAL = new Set(['NBIOT_NOT_ATTACHED', 'NBIOT_PAYLOAD_TOO_LARGE', 'NBIOT_BAD_ARGUMENT', 'NBIOT_CLOSED', 'NBIOT_LINK']);

export class NbIotUplink implements UplinkPort {
  onDownlink: ((message: { port: number; payload: Uint8Array }) => void) | undefined;
  readonly stats: NbIotUplinkStats = { sent: 0, attempts: 0, ackTimeouts: 0, downlinks: 0, duplicateDownlinks: 0 };
  readonly transport: FrameTransport;
  readonly #modem: NbIotModem;
  readonly #clock: Clock;
  readonly #ackTimeoutMs: number;
  readonly #attempts: number;
  readonly #retryPauseMs: number;
  readonly #waiters = new Map<number, AckWaiter>();
  readonly #recentDownlinks: number[] = [];
  readonly #offReboot: () => void;
  #seq: number;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: NbIotUplinkOptions) {
    this.#modem = options.modem;
    this.#clock = options.modem.clock;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.#attempts = Math.max(1, options.attempts ?? 3);
    this.#retryPauseMs = options.retryPauseMs ?? 2000;
    this.#seq = (options.firstSequence ?? Math.floor(this.#clock.unixTimeMs() / 1000)) & 0xffff;
    this.transport = createTransport(options.modem, options.transport);
    this.transport.onFrame = (bytes) => this.#onFrame(bytes);
    // An ack cannot come back through a module that just lost its socket: stop waiting and retry.
    this.#offReboot = options.modem.onReboot((cause) => {
      this.transport.reset();
      this.#failWaiters(new NbIotError('NBIOT_REBOOTED', `the module rebooted (${cause}) while waiting for an acknowledgement`, {
        fix: 'the driver re-initialises and resends',
      }));
    });
  }

  maxPayloadBytes(): number {
    return this.transport.maxFrameBytes - DATA_HEADER_BYTES;
  }

  send(message: UplinkMessage): Promise<void> {
    const run = this.#tail.then(() => this.#send(message));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#offReboot();
    this.#failWaiters(new NbIotError('NBIOT_CLOSED', 'the uplink was closed'));
    await this.transport.close();
  }

  async #send(message: UplinkMessage): Promise<void> {
    if (this.#closed) throw new NbIotError('NBIOT_CLOSED', 'the uplink was closed');
    if (message.payload.length > this.maxPayloadBytes()) {
      throw new NbIotError('NBIOT_PAYLOAD_TOO_LARGE', `message of ${message.payload.length} bytes exceeds the uplink's ${this.maxPayloadBytes()} bytes`, {
        fix: 'ask maxPayloadBytes() before batching and split larger batches',
      });
    }
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) & 0xffff;
    const frame = encodeFrame({ type: 'data', seq, port: message.port, alert: message.priority === 'alert', payload: message.payload });
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#attempts; attempt++) {
      if (attempt > 1) await sleep(this.#clock, this.#retryPauseMs * (attempt - 1));
      this.stats.attempts++;
      try {
        await this.#attempt(seq, frame);
        this.stats.sent++;
        return;
      } catch (error) {
        lastError = error;
        const code = (error as { code?: string }).code ?? '';
        if (FINAL.has(code)) throw error;
        this.#recover(code);
      }
    }
    if ((lastError as { code?: string }).code === 'NBIOT_ACK_TIMEOUT') {
      throw new NbIotError('NBIOT_ACK_TIMEOUT', `message ${seq} was not acknowledged after ${this.#attempts} attempts`, {
        fix: 'check that the server is running and answers with ack frames (docs/nbiot.md), and the coverage (AT+NUESTATS)',
        cause: lastError,
      });
    }
    throw lastError;
  }

  async #attempt(seq: number, frame: Uint8Array): Promise<void> {
    await this.#modem.ensureReady();
    await this.transport.ready();
    if (this.transport.confirms) {
      await this.transport.transmit(frame);
      return;
    }
    // Register before transmitting: on a fast link the ack can beat the module's OK.
    const acked = this.#waitAck(seq);
    try {
      await this.transport.transmit(frame);
    } catch (error) {
      this.#dropWaiter(seq);
      throw error;
    }
    await acked;
  }

  /** After a failure: a broken socket is reopened, an unresponsive module restarted. */
  #recover(code: string): void {
    if (code === 'NBIOT_SOCKET' || code === 'NBIOT_MQTT' || code === 'NBIOT_ACK_TIMEOUT') this.transport.reset();
    if (code === 'NBIOT_TIMEOUT' || code === 'NBIOT_NOT_RESPONDING' || code === 'NBIOT_BAD_REPLY') {
      this.transport.reset();
      this.#modem.reinitialise();
    }
  }

  #waitAck(seq: number): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => {
      const timer = this.#clock.schedule(this.#ackTimeoutMs, () => {
        this.#waiters.delete(seq);
        this.stats.ackTimeouts++;
        reject(new NbIotError('NBIOT_ACK_TIMEOUT', `no acknowledgement for message ${seq} within ${this.#ackTimeoutMs} ms`, {
          fix: 'check the server and the coverage',
        }));
      });
      this.#waiters.set(seq, { resolve, reject, timer });
    });
    promise.catch(() => undefined);
    return promise;
  }

  #dropWaiter(seq: number): void {
    const waiter = this.#waiters.get(seq);
    if (waiter === undefined) return;
    this.#clock.cancel(waiter.timer);
    this.#waiters.delete(seq);
  }

  #failWaiters(error: Error): void {
    for (const [seq, waiter] of [...this.#waiters]) {
      this.#dropWaiter(seq);
      waiter.reject(error);
    }
  }

  #onFrame(bytes: Uint8Array): void {
    const frame = decodeFrame(bytes);
    if (frame === undefined) return;
    if (frame.type === 'ack') {
      const waiter = this.#waiters.get(frame.seq);
      if (waiter === undefined) return; // a late ack for a message already retried and acked
      this.#dropWaiter(frame.seq);
      waiter.resolve();
      return;
    }
    if (frame.type !== 'downlink') return;
    // Ack every copy (the server resends when our ack is lost) but deliver each once.
    if (!this.transport.confirms) this.#transmitQuietly(encodeFrame({ type: 'ack', seq: frame.seq }));
    if (this.#recentDownlinks.includes(frame.seq)) {
      this.stats.duplicateDownlinks++;
      return;
    }
    this.#recentDownlinks.push(frame.seq);
    if (this.#recentDownlinks.length > 16) this.#recentDownlinks.shift();
    this.stats.downlinks++;
    this.onDownlink?.({ port: frame.port, payload: frame.payload });
  }

  #transmitQuietly(frame: Uint8Array): void {
    // A lost downlink ack only makes the server resend; it must never disturb an uplink in progress.
    this.transport.transmit(frame).catch(() => undefined);
  }
}
