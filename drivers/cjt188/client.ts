/**
 * CJ/T 188 master over a ByteStream: reads the 901F metering record (and
 * other DIs raw) from water, heat and gas meters, and asks a lone meter for
 * its address. Replies are accepted in either DI byte order.
 */
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock } from '../ports/clock.js';
import { MeterLink, withRetries, type FrameVerdict, type MeterLinkStats } from '../dlt645/link.js';
import {
  Cjt188AddressMismatchError,
  Cjt188ChecksumError,
  Cjt188DeviceError,
  Cjt188FrameError,
  Cjt188LinkError,
  Cjt188TimeoutError,
  Cjt188UnexpectedReplyError,
  type Cjt188Context,
} from './errors.js';
import {
  CJT188_ANY_METER_TYPE,
  CJT188_READ_ADDRESS_DI,
  CJT188_SHAPE,
  CJT188_WILDCARD_ADDRESS,
  Cjt188Function,
  CjtMeterType,
  cjt188FunctionCode,
  cjt188ReadRequest,
  decodeCjt188DataId,
  encodeCjt188Frame,
  inspectCjt188Frame,
  isAbnormalReply,
  isFromMeter,
  type Cjt188DiOrder,
  type Cjt188Frame,
} from './frame.js';
import { decodeCjt188Record, type Cjt188Record } from './record.js';

export interface Cjt188ClientOptions {
  stream: ByteStream;
  clock: Clock;
  /** Response timeout per attempt, ms (default 1500: battery meters wake slowly). */
  timeoutMs?: number;
  /** Extra attempts after a timeout or corrupt reply (default 1). */
  retries?: number;
  /** FE bytes before each request (default 2). */
  preambleBytes?: number;
  /** How to send DIs; replies are accepted in both orders. Default 'as-written' (90 1F). */
  diOrder?: Cjt188DiOrder;
  port?: string;
}

export interface Cjt188RequestOptions {
  timeoutMs?: number;
  retries?: number;
  /** Meter type T (default 0x10, cold water). */
  meterType?: number;
}

export interface Cjt188Reading {
  address: string;
  meterType: number;
  di: string;
  /** The DI byte order the meter used in its reply. */
  diOrder: Cjt188DiOrder;
  ser: number;
  /** Bytes after DI and SER. */
  data: Uint8Array;
  /** The decoded 901F record, for DI 901F. */
  record?: Cjt188Record;
}

export class Cjt188Client {
  readonly #link: MeterLink;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #preambleBytes: number;
  readonly #diOrder: Cjt188DiOrder;
  readonly #port: string | undefined;
  #ser = 0;

  constructor(options: Cjt188ClientOptions) {
    this.#link = new MeterLink(options.stream, options.clock, CJT188_SHAPE);
    this.#timeoutMs = options.timeoutMs ?? 1500;
    this.#retries = options.retries ?? 1;
    this.#preambleBytes = options.preambleBytes ?? 2;
    this.#diOrder = options.diOrder ?? 'as-written';
    this.#port = options.port;
  }

  get stats(): MeterLinkStats {
    return this.#link.stats;
  }

  /** Read a DI (default 901F, the metering record) from the meter at `address`. */
  async readData(address: string, options: Cjt188RequestOptions & { di?: string } = {}): Promise<Cjt188Reading> {
    const di = (options.di ?? '901F').toUpperCase();
    const meterType = options.meterType ?? CjtMeterType.COLD_WATER;
    const request = cjt188ReadRequest(meterType, address, di, this.#nextSer(), this.#diOrder);
    const ctx = this.#context(request.address, di);
    const reading = await this.#transact<Cjt188Reading>(request, ctx, options, (reply, bytes) => {
      if (reply.data.length < 3) {
        return { kind: 'suspect', error: new Cjt188UnexpectedReplyError(ctx, `reply of ${reply.data.length} data bytes carries no DI and SER`, bytes) };
      }
      const replyDi = decodeCjt188DataId(reply.data, 0);
      if (replyDi.di !== di) {
        return { kind: 'suspect', error: new Cjt188UnexpectedReplyError(ctx, `reply is for DI ${replyDi.di}, not ${di}`, bytes) };
      }
      return {
        kind: 'accept',
        value: { address: reply.address, meterType: reply.meterType, di, diOrder: replyDi.order, ser: reply.data[2], data: reply.data.slice(3) },
      };
    });
    if (di === '901F') reading.record = decodeCjt188Record(reading.meterType, reading.data, ctx);
    return reading;
  }

  /** Ask the only meter on the line for its address (function 03, DI 810A, wildcard address and type). */
  async readAddress(options: Cjt188RequestOptions = {}): Promise<string> {
    const request: Cjt188Frame = {
      ...cjt188ReadRequest(options.meterType ?? CJT188_ANY_METER_TYPE, CJT188_WILDCARD_ADDRESS, CJT188_READ_ADDRESS_DI, this.#nextSer(), this.#diOrder),
      control: Cjt188Function.READ_ADDRESS,
    };
    return this.#transact(request, this.#context(CJT188_WILDCARD_ADDRESS, CJT188_READ_ADDRESS_DI), options, (reply) => ({ kind: 'accept', value: reply.address }));
  }

  close(): void {
    this.#link.close();
  }

  #transact<T>(request: Cjt188Frame, ctx: Cjt188Context, options: Cjt188RequestOptions, judge: (reply: Cjt188Frame, bytes: Uint8Array) => FrameVerdict<T>): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const wire = encodeCjt188Frame(request, { preambleBytes: this.#preambleBytes });
    const attempt = () =>
      this.#link.exchange<T>({
        request: wire,
        timeoutMs,
        corrupt: (bytes, reason) => new Cjt188ChecksumError(ctx, bytes, reason === 'checksum' ? 'bad checksum' : 'missing end byte 16'),
        timeout: () => new Cjt188TimeoutError(ctx, timeoutMs),
        linkFailed: (cause) => new Cjt188LinkError(ctx, cause),
        judge: (bytes) => {
          const reply = inspectCjt188Frame(bytes).frame;
          if (!isFromMeter(reply.control)) return { kind: 'ignore' };
          if (!addressMatches(request.address, reply.address)) {
            return { kind: 'suspect', error: new Cjt188AddressMismatchError(ctx, reply.address, bytes) };
          }
          if (cjt188FunctionCode(reply.control) !== cjt188FunctionCode(request.control)) {
            return { kind: 'suspect', error: new Cjt188UnexpectedReplyError(ctx, `reply has control 0x${reply.control.toString(16)}, which does not answer 0x${request.control.toString(16)}`, bytes) };
          }
          if (isAbnormalReply(reply.control)) {
            // Abnormal reply data: SER, then the 2-byte status word.
            const status = reply.data.length >= 3 ? reply.data[1] | (reply.data[2] << 8) : 0;
            return { kind: 'fail', error: new Cjt188DeviceError(ctx, status, bytes) };
          }
          return judge(reply, bytes);
        },
      });
    return this.#link.serialize(() => withRetries(this.#link, options.retries ?? this.#retries, isRetryable, attempt));
  }

  #nextSer(): number {
    const ser = this.#ser;
    this.#ser = (this.#ser + 1) & 0xff;
    return ser;
  }

  #context(address: string, di: string): Cjt188Context {
    const ctx: Cjt188Context = { address, di };
    if (this.#port !== undefined) ctx.port = this.#port;
    return ctx;
  }
}

function isRetryable(error: unknown): boolean {
  return (
    error instanceof Cjt188TimeoutError ||
    error instanceof Cjt188ChecksumError ||
    error instanceof Cjt188FrameError ||
    error instanceof Cjt188AddressMismatchError ||
    error instanceof Cjt188UnexpectedReplyError
  );
}

function addressMatches(requested: string, replied: string): boolean {
  for (let i = 0; i < 14; i += 2) {
    const pair = requested.slice(i, i + 2);
    if (pair !== 'AA' && pair !== replied.slice(i, i + 2)) return false;
  }
  return true;
}
