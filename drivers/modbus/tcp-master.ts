/**
 * Modbus TCP master (MBAP framing) on any byte stream: a TCP socket on the
 * gateway, or an in-memory pipe in tests. Replies are matched by transaction
 * id; a reply to an earlier, timed-out transaction is discarded and counted,
 * and one that arrives within the late window is reported as late.
 */
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { concatBytes } from '../bytes.js';
import {
  ModbusLateResponseError,
  ModbusLinkError,
  ModbusNoiseError,
  ModbusTimeoutError,
  ModbusTruncatedFrameError,
  ModbusUnitMismatchError,
  type ModbusError,
} from './errors.js';
import { ModbusMaster, type MasterOptions } from './master.js';
import type { PreparedRequest } from './pdu.js';

export interface TcpMasterOptions extends MasterOptions {
  stream: ByteStream;
  clock: Clock;
  /** How long to keep listening after a timeout with no byte received (default 500 ms). */
  lateReplyWindowMs?: number;
}

const MBAP_LENGTH = 7;

interface PendingExchange {
  request: PreparedRequest;
  transactionId: number;
  sentAt: number;
  timeoutMs: number;
  phase: 'waiting' | 'late';
  timer: TimerHandle | undefined;
  resolve(pdu: Uint8Array): void;
  reject(error: Error): void;
}

export class ModbusTcpMaster extends ModbusMaster {
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #lateWindowMs: number;
  #nextTransactionId = 1;
  #buffer: Uint8Array = new Uint8Array(0);
  /** Bytes of a desynchronised stream seen during the pending exchange. */
  #noise: Uint8Array | undefined;
  #pending: PendingExchange | undefined;

  constructor(options: TcpMasterOptions) {
    super(options);
    this.#stream = options.stream;
    this.#clock = options.clock;
    this.#lateWindowMs = options.lateReplyWindowMs ?? 500;
    this.#stream.onReadable = (bytes) => this.#receive(bytes);
    this.#stream.onError = (error) => this.#fail(new ModbusLinkError(`TCP link failed: ${error.message}`, this.name ?? 'Modbus TCP', error));
  }

  protected exchange(request: PreparedRequest, timeoutMs: number): Promise<Uint8Array> {
    const transactionId = this.#nextTransactionId;
    this.#nextTransactionId = (this.#nextTransactionId + 1) & 0xffff;
    this.#noise = undefined;
    this.#stream.write(mbapFrame(transactionId, request));
    return new Promise<Uint8Array>((resolve, reject) => {
      const pending: PendingExchange = {
        request,
        transactionId,
        sentAt: this.#clock.now(),
        timeoutMs,
        phase: 'waiting',
        timer: undefined,
        resolve,
        reject,
      };
      this.#pending = pending;
      pending.timer = this.#clock.schedule(timeoutMs, () => this.#onTimeout(pending));
    });
  }

  protected async broadcast(request: PreparedRequest): Promise<void> {
    // Unit 0 over TCP is addressed to the server itself; gateways forward it. No reply is expected.
    this.#stream.write(mbapFrame(this.#nextTransactionId, request));
    this.#nextTransactionId = (this.#nextTransactionId + 1) & 0xffff;
  }

  protected closeTransport(): void {
    this.#fail(new ModbusLinkError('the Modbus master was closed while a request was pending', this.name ?? 'Modbus TCP'));
    this.#stream.onReadable = undefined;
    this.#stream.close();
  }

  #receive(bytes: Uint8Array): void {
    this.#buffer = concatBytes(this.#buffer, bytes);
    for (;;) {
      if (this.#buffer.length < MBAP_LENGTH) return;
      const protocolId = (this.#buffer[2] << 8) | this.#buffer[3];
      const length = (this.#buffer[4] << 8) | this.#buffer[5];
      if (protocolId !== 0 || length < 2 || length > 254) {
        // Not MBAP: the stream lost sync. Drop what we have; the next reply starts afresh.
        this.#noise = concatBytes(this.#noise ?? new Uint8Array(0), this.#buffer);
        this.stats.discardedBytes += this.#buffer.length;
        this.#buffer = new Uint8Array(0);
        return;
      }
      const frameLength = 6 + length;
      if (this.#buffer.length < frameLength) return;
      const frame = this.#buffer.slice(0, frameLength);
      this.#buffer = this.#buffer.slice(frameLength);
      this.#onFrame(frame);
    }
  }

  #onFrame(frame: Uint8Array): void {
    const pending = this.#pending;
    const transactionId = (frame[0] << 8) | frame[1];
    if (pending === undefined || transactionId !== pending.transactionId) {
      this.stats.discardedBytes += frame.length; // a reply to an abandoned transaction
      return;
    }
    const unit = frame[6];
    if (unit !== pending.request.ctx.unit) {
      this.#settle(pending, new ModbusUnitMismatchError(pending.request.ctx, unit, frame));
    } else if (pending.phase === 'late') {
      this.#settle(pending, new ModbusLateResponseError(pending.request.ctx, pending.timeoutMs, this.#clock.now() - pending.sentAt));
    } else {
      this.#settle(pending, frame.slice(MBAP_LENGTH));
    }
  }

  #onTimeout(pending: PendingExchange): void {
    if (this.#pending !== pending) return;
    const nothing = this.#buffer.length === 0 && this.#noise === undefined;
    if (nothing && pending.phase === 'waiting' && this.#lateWindowMs > 0) {
      pending.phase = 'late';
      pending.timer = this.#clock.schedule(this.#lateWindowMs, () => this.#onTimeout(pending));
      return;
    }
    const ctx = pending.request.ctx;
    let error: ModbusError;
    if (this.#buffer.length > 0) {
      error = new ModbusTruncatedFrameError(ctx, this.#buffer, 6 + ((this.#buffer[4] << 8) | this.#buffer[5]));
      this.stats.discardedBytes += this.#buffer.length;
      this.#buffer = new Uint8Array(0);
    } else if (this.#noise !== undefined) {
      error = new ModbusNoiseError(ctx, this.#noise);
    } else {
      error = new ModbusTimeoutError(ctx, pending.timeoutMs);
    }
    this.#settle(pending, error);
  }

  #settle(pending: PendingExchange, outcome: Uint8Array | Error): void {
    if (this.#pending !== pending) return;
    this.#pending = undefined;
    if (pending.timer !== undefined) this.#clock.cancel(pending.timer);
    if (outcome instanceof Uint8Array) pending.resolve(outcome);
    else pending.reject(outcome);
  }

  /** The link failed or the master closed: the pending request fails with `error`. */
  #fail(error: Error): void {
    if (this.#pending !== undefined) this.#settle(this.#pending, error);
  }
}

/** The MBAP frame (7-byte header, then the PDU) a request goes out in. */
export function mbapFrame(transactionId: number, request: PreparedRequest): Uint8Array {
  const frame = new Uint8Array(MBAP_LENGTH + request.pdu.length);
  const length = request.pdu.length + 1;
  frame.set([transactionId >> 8, transactionId & 0xff, 0, 0, length >> 8, length & 0xff, request.ctx.unit]);
  frame.set(request.pdu, MBAP_LENGTH);
  return frame;
}
