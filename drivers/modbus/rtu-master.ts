/**
 * Modbus RTU master on a serial byte stream (RS-485).
 *
 * Framing follows the spec's timing where it matters and stays robust where
 * hosts are imprecise:
 * - before every request the line must have been quiet for t3.5, so a late
 *   reply from a previous transaction cannot collide with the next request;
 * - a reply is complete when a CRC-valid frame of the expected length is in
 *   the buffer, wherever it starts (leading noise is skipped and counted);
 * - a line gap (t3.5, or the host's floor for OS scheduling jitter) ends a
 *   segment: a corrupted reply of full length is reported at once as a CRC
 *   error; partial frames and noise keep the request waiting until its
 *   timeout, because the real reply may still come;
 * - when nothing at all arrived by the timeout the master keeps listening for
 *   `lateReplyWindowMs` so a slow device is reported as late (a settings
 *   problem) rather than silent (a wiring problem). A silent unit therefore
 *   costs timeoutMs + lateReplyWindowMs per attempt, and never more.
 */
import type { ByteStream, SerialLineSettings } from '../ports/byte-stream.js';
import { characterTimeMs } from '../ports/byte-stream.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { sleep } from '../ports/clock.js';
import { concatBytes } from '../bytes.js';
import { withCrc } from './crc16.js';
import { classifyLeftovers, errorForLeftovers, findReplyFrame } from './rtu-framing.js';
import {
  ModbusCrcError,
  ModbusLateResponseError,
  ModbusLinkError,
  ModbusUnitMismatchError,
} from './errors.js';
import { ModbusMaster, type MasterOptions } from './master.js';
import type { PreparedRequest } from './pdu.js';

export interface RtuMasterOptions extends MasterOptions {
  stream: ByteStream;
  clock: Clock;
  /** Line settings for timing; defaults to the stream's, else 9600 8N1. */
  line?: SerialLineSettings;
  /** How long to keep listening after a timeout with no byte received (default 500 ms). */
  lateReplyWindowMs?: number;
  /** Lower bound for the inter-frame gap, for hosts whose byte delivery jitters (Node: ~20 ms). */
  minFrameGapMs?: number;
  /** Time given to devices to act on a broadcast write (default 100 ms). */
  broadcastDelayMs?: number;
}

const DEFAULT_LINE: SerialLineSettings = { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
const MAX_BUFFER = 512;

/** t3.5 in ms: 3.5 character times, fixed at 1.75 ms above 19200 baud (spec §2.5.1.1). */
export function interFrameDelayMs(line: SerialLineSettings): number {
  return line.baud > 19200 ? 1.75 : 3.5 * characterTimeMs(line);
}

interface PendingExchange {
  request: PreparedRequest;
  buffer: Uint8Array;
  length: number;
  sentAt: number;
  timeoutMs: number;
  /** 'waiting' until the timeout; 'late' while listening for a late reply. */
  phase: 'waiting' | 'late';
  timer: TimerHandle | undefined;
  gapTimer: TimerHandle | undefined;
  resolve(pdu: Uint8Array): void;
  reject(error: Error): void;
}

export class ModbusRtuMaster extends ModbusMaster {
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #charMs: number;
  readonly #t35: number;
  readonly #gapMs: number;
  readonly #lateWindowMs: number;
  readonly #broadcastDelayMs: number;
  #lastLineActivity = -Infinity;
  #pending: PendingExchange | undefined;

  constructor(options: RtuMasterOptions) {
    super({ ...options, name: options.name });
    this.#stream = options.stream;
    this.#clock = options.clock;
    const line = options.line ?? options.stream.line ?? DEFAULT_LINE;
    this.#charMs = characterTimeMs(line);
    this.#t35 = interFrameDelayMs(line);
    this.#gapMs = Math.max(this.#t35, options.minFrameGapMs ?? 0);
    this.#lateWindowMs = options.lateReplyWindowMs ?? 500;
    this.#broadcastDelayMs = options.broadcastDelayMs ?? 100;
    this.#stream.onReadable = (bytes) => this.#receive(bytes);
    this.#stream.onError = (error) => this.#fail(new ModbusLinkError(`serial link failed: ${error.message}`, this.name ?? 'serial port', error));
  }

  /** Wire time of `byteCount` characters at this line's settings, ms. */
  wireTimeMs(byteCount: number): number {
    return byteCount * this.#charMs;
  }

  protected async exchange(request: PreparedRequest, timeoutMs: number): Promise<Uint8Array> {
    const adu = await this.#send(request);
    return new Promise<Uint8Array>((resolve, reject) => {
      const sentAt = this.#clock.now() + this.wireTimeMs(adu.length);
      const pending: PendingExchange = {
        request,
        buffer: new Uint8Array(0),
        length: 0,
        sentAt,
        timeoutMs,
        phase: 'waiting',
        timer: undefined,
        gapTimer: undefined,
        resolve,
        reject,
      };
      this.#pending = pending;
      pending.timer = this.#clock.schedule(sentAt - this.#clock.now() + timeoutMs, () => this.#onTimeout(pending));
    });
  }

  protected async broadcast(request: PreparedRequest): Promise<void> {
    const adu = await this.#send(request);
    await sleep(this.#clock, this.wireTimeMs(adu.length) + this.#broadcastDelayMs);
  }

  protected closeTransport(): void {
    this.#fail(new ModbusLinkError('the Modbus master was closed while a request was pending', this.name ?? 'serial port'));
    this.#stream.onReadable = undefined;
    this.#stream.close();
  }

  /** Wait for a quiet line, then transmit. Returns the ADU sent. */
  async #send(request: PreparedRequest): Promise<Uint8Array> {
    // Loop because bytes may arrive while we wait; the epsilon keeps float
    // rounding from producing endless zero-length sleeps.
    for (;;) {
      const wait = this.#lastLineActivity + this.#t35 - this.#clock.now();
      if (wait <= 1e-6) break;
      await sleep(this.#clock, wait);
    }
    const header = new Uint8Array(1 + request.pdu.length);
    header[0] = request.ctx.unit;
    header.set(request.pdu, 1);
    const adu = withCrc(header);
    this.#lastLineActivity = this.#clock.now() + this.wireTimeMs(adu.length);
    this.#stream.write(adu);
    return adu;
  }

  #receive(bytes: Uint8Array): void {
    this.#lastLineActivity = this.#clock.now();
    const pending = this.#pending;
    if (pending === undefined) {
      this.stats.discardedBytes += bytes.length; // stray bytes between transactions
      return;
    }
    append(pending, bytes, this);
    if (pending.gapTimer !== undefined) this.#clock.cancel(pending.gapTimer);
    pending.gapTimer = undefined;
    const frame = findReplyFrame(pending.buffer, pending.length, pending.request.ctx.fc);
    if (frame !== undefined) {
      this.stats.discardedBytes += frame.start;
      const unit = pending.buffer[frame.start];
      const raw = pending.buffer.slice(frame.start, frame.start + frame.length);
      if (unit !== pending.request.ctx.unit) {
        this.#settle(pending, new ModbusUnitMismatchError(pending.request.ctx, unit, raw));
      } else if (pending.phase === 'late') {
        this.#settle(pending, new ModbusLateResponseError(pending.request.ctx, pending.timeoutMs, this.#clock.now() - pending.sentAt));
      } else {
        this.#settle(pending, raw.slice(1, raw.length - 2));
      }
      return;
    }
    pending.gapTimer = this.#clock.schedule(this.#gapMs, () => this.#onGap(pending));
  }

  /** The line went quiet without a valid frame: a full-length corrupted reply is final. */
  #onGap(pending: PendingExchange): void {
    pending.gapTimer = undefined;
    if (this.#pending !== pending) return;
    if (classifyLeftovers(pending.request, pending.buffer, pending.length).kind === 'crc') {
      this.#settle(pending, new ModbusCrcError(pending.request.ctx, pending.buffer.slice(0, pending.length)));
    }
  }

  #onTimeout(pending: PendingExchange): void {
    if (this.#pending !== pending) return;
    if (pending.length === 0 && pending.phase === 'waiting' && this.#lateWindowMs > 0) {
      pending.phase = 'late';
      pending.timer = this.#clock.schedule(this.#lateWindowMs, () => this.#onTimeout(pending));
      return;
    }
    this.#settle(pending, errorForLeftovers(pending.request, pending.buffer, pending.length, pending.timeoutMs));
  }

  #settle(pending: PendingExchange, outcome: Uint8Array | Error): void {
    if (this.#pending !== pending) return;
    this.#pending = undefined;
    if (pending.timer !== undefined) this.#clock.cancel(pending.timer);
    if (pending.gapTimer !== undefined) this.#clock.cancel(pending.gapTimer);
    if (outcome instanceof Uint8Array) pending.resolve(outcome);
    else pending.reject(outcome);
  }

  /** The link failed or the master closed: the pending request fails with `error`. */
  #fail(error: Error): void {
    if (this.#pending !== undefined) this.#settle(this.#pending, error);
  }
}

function append(pending: PendingExchange, bytes: Uint8Array, master: ModbusRtuMaster): void {
  let merged = concatBytes(pending.buffer.subarray(0, pending.length), bytes);
  if (merged.length > MAX_BUFFER) {
    // Endless noise: a valid reply can only be among the newest bytes.
    master.stats.discardedBytes += merged.length - MAX_BUFFER;
    merged = merged.slice(merged.length - MAX_BUFFER);
  }
  pending.buffer = merged;
  pending.length = merged.length;
}

