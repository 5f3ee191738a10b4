/**
 * DL/T 645 master over a ByteStream: reads data identifiers from meters on an
 * RS-485 bus, both editions on the same bus (the DI's length picks the
 * edition: 8 hex digits → 2007, control 11; 4 → 1997, control 01).
 */
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock } from '../ports/clock.js';
import { BcdDigitError, describeBcdFormat, type BcdFormat } from './bcd.js';
import { decodeDataValue, lookupDataId } from './data-ids.js';
import {
  Dlt645AddressMismatchError,
  Dlt645ChecksumError,
  Dlt645DeviceError,
  Dlt645FrameError,
  Dlt645LinkError,
  Dlt645RequestError,
  Dlt645TimeoutError,
  Dlt645UnexpectedReplyError,
  Dlt645ValueError,
  type Dlt645Context,
} from './errors.js';
import {
  DLT645_SHAPE,
  DLT645_WILDCARD_ADDRESS,
  Dlt645Function,
  dataIdLength,
  decodeDataId,
  decodeDlt645Address,
  encodeDlt645Frame,
  functionCode,
  inspectDlt645Frame,
  isAbnormalReply,
  isFromMeter,
  normalizeDlt645Address,
  readDataRequest,
  versionOfDataId,
  DLT645_FOLLOW_UP_BIT,
  type Dlt645Frame,
  type Dlt645Version,
} from './frame.js';
import { MeterLink, withRetries, type FrameVerdict, type MeterLinkStats } from './link.js';

export interface Dlt645ClientOptions {
  stream: ByteStream;
  clock: Clock;
  /** Response timeout per attempt, ms (default 1000: a 2400-baud reply of 30 bytes takes ~140 ms). */
  timeoutMs?: number;
  /** Extra attempts after a timeout or a corrupt/unexpected reply; never after the meter's error reply. Default 1. */
  retries?: number;
  /** FE wake-up bytes before each request (default 4, as the standard suggests). */
  preambleBytes?: number;
  /** Port name for error messages. */
  port?: string;
}

export interface Dlt645RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

/** Format for a DI missing from the built-in table. */
export interface Dlt645ValueFormat extends BcdFormat {
  unit?: string;
}

export interface Dlt645RawReading {
  /** Address the meter answered from. */
  address: string;
  di: string;
  /** Bytes after the DI, 0x33 offset removed. */
  data: Uint8Array;
  /** The meter set the follow-up flag (B1): more frames hold further data. */
  followUp: boolean;
}

export interface Dlt645Reading extends Dlt645RawReading {
  value: number;
  unit: string | undefined;
  /** Table name of the quantity (forward_active_energy_total, …) when known. */
  name: string | undefined;
}

export class Dlt645Client {
  readonly #link: MeterLink;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #preambleBytes: number;
  readonly #port: string | undefined;

  constructor(options: Dlt645ClientOptions) {
    this.#link = new MeterLink(options.stream, options.clock, DLT645_SHAPE);
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#retries = options.retries ?? 1;
    this.#preambleBytes = options.preambleBytes ?? 4;
    this.#port = options.port;
  }

  get stats(): MeterLinkStats {
    return this.#link.stats;
  }

  /** Read one DI and decode its value with the built-in table (or `options.format`). */
  async read(address: string, di: string, options: Dlt645RequestOptions & { format?: Dlt645ValueFormat } = {}): Promise<Dlt645Reading> {
    const entry = lookupDataId(di);
    const format: Dlt645ValueFormat | undefined = options.format ?? entry;
    if (format === undefined) {
      throw new Dlt645RequestError(`no built-in format for DI ${di}`,
        'pass a format ({ bytes, decimals, signed, unit }) or use readRaw(); see DLT645_DATA_IDS for the known DIs', `DI ${di}`);
    }
    const raw = await this.readRaw(address, di, options);
    const ctx = this.#context(raw.address, raw.di);
    if (raw.data.length < format.bytes) {
      throw new Dlt645ValueError(ctx, `value has ${raw.data.length} bytes, ${describeBcdFormat(format)} needs ${format.bytes}`, raw.data);
    }
    let value: number;
    try {
      value = decodeDataValue(format, raw.data.subarray(0, format.bytes));
    } catch (error) {
      if (error instanceof BcdDigitError) throw new Dlt645ValueError(ctx, `value bytes are not BCD: ${error.message}`, raw.data);
      throw error;
    }
    return { ...raw, value, unit: format.unit ?? entry?.unit, name: entry?.name };
  }

  /** Read one DI and return the bytes that follow it, undecoded. */
  async readRaw(address: string, di: string, options: Dlt645RequestOptions = {}): Promise<Dlt645RawReading> {
    const request = readDataRequest(address, di); // validates before anything is queued
    const version = versionOfDataId(di);
    const wantedDi = di.toUpperCase();
    const ctx = this.#context(request.address, wantedDi);
    return this.#transact(request, ctx, options, (reply, bytes) => {
      const diLength = dataIdLength(version);
      if (reply.data.length < diLength) {
        return { kind: 'suspect', error: new Dlt645UnexpectedReplyError(ctx, `reply of ${reply.data.length} data bytes carries no DI`, bytes) };
      }
      const replyDi = decodeDataId(reply.data, 0, diLength);
      if (replyDi !== wantedDi) {
        return { kind: 'suspect', error: new Dlt645UnexpectedReplyError(ctx, `reply is for DI ${replyDi}, not ${wantedDi}`, bytes) };
      }
      return {
        kind: 'accept',
        value: { address: reply.address, di: replyDi, data: reply.data.slice(diLength), followUp: (reply.control & DLT645_FOLLOW_UP_BIT) !== 0 },
      };
    });
  }

  /**
   * Ask the only meter on the line for its address. 2007 has a command for it
   * (13 → 93); 1997 meters answer a read of DI C032 (meter number) sent to the
   * wildcard address, and we take the address they answer from.
   */
  async readAddress(options: Dlt645RequestOptions & { version?: Dlt645Version } = {}): Promise<string> {
    const ctx = this.#context(DLT645_WILDCARD_ADDRESS, undefined);
    if (options.version === '1997') {
      return this.#transact(readDataRequest(DLT645_WILDCARD_ADDRESS, 'C032'), ctx, options, (reply) => ({ kind: 'accept', value: reply.address }));
    }
    const request: Dlt645Frame = { address: DLT645_WILDCARD_ADDRESS, control: Dlt645Function.READ_ADDRESS, data: new Uint8Array(0) };
    return this.#transact(request, ctx, options, (reply, bytes) => {
      if (reply.data.length < 6) {
        return { kind: 'suspect', error: new Dlt645UnexpectedReplyError(ctx, `read-address reply has ${reply.data.length} data bytes, expected 6`, bytes) };
      }
      return { kind: 'accept', value: decodeDlt645Address(reply.data, 0) };
    });
  }

  close(): void {
    this.#link.close();
  }

  /**
   * Send `request` and wait for a reply to it. Frames that are not from a meter
   * (our own echo) are ignored; abnormal replies end the exchange with the
   * meter's error; `judge` checks the payload of a normal reply.
   */
  #transact<T>(
    request: Dlt645Frame,
    ctx: Dlt645Context,
    options: Dlt645RequestOptions,
    judge: (reply: Dlt645Frame, bytes: Uint8Array) => FrameVerdict<T>,
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const wire = encodeDlt645Frame(request, { preambleBytes: this.#preambleBytes });
    const version: Dlt645Version = request.control === Dlt645Function.READ_DATA_1997 ? '1997' : '2007';
    const attempt = () =>
      this.#link.exchange<T>({
        request: wire,
        timeoutMs,
        corrupt: (bytes, reason) => new Dlt645ChecksumError(ctx, bytes, reason === 'checksum' ? 'bad checksum' : 'missing end byte 16'),
        timeout: () => new Dlt645TimeoutError(ctx, timeoutMs),
        linkFailed: (cause) => new Dlt645LinkError(ctx, cause),
        judge: (bytes) => {
          const reply = inspectDlt645Frame(bytes).frame; // the framer already checked shape and checksum
          if (!isFromMeter(reply.control)) return { kind: 'ignore' };
          if (!addressMatches(request.address, reply.address)) {
            return { kind: 'suspect', error: new Dlt645AddressMismatchError(ctx, reply.address, bytes) };
          }
          if (functionCode(reply.control) !== functionCode(request.control)) {
            return {
              kind: 'suspect',
              error: new Dlt645UnexpectedReplyError(ctx, `reply has control 0x${hex(reply.control)}, which does not answer 0x${hex(request.control)}`, bytes),
            };
          }
          if (isAbnormalReply(reply.control)) {
            return { kind: 'fail', error: new Dlt645DeviceError(ctx, reply.data.length > 0 ? reply.data[0] : 0, version, bytes) };
          }
          return judge(reply, bytes);
        },
      });
    return this.#link.serialize(() => withRetries(this.#link, options.retries ?? this.#retries, isRetryable, attempt));
  }

  #context(address: string, di: string | undefined): Dlt645Context {
    const ctx: Dlt645Context = { address };
    if (di !== undefined) ctx.di = di;
    if (this.#port !== undefined) ctx.port = this.#port;
    return ctx;
  }
}

/** Worth another attempt: the line, not the meter, was the problem. */
function isRetryable(error: unknown): boolean {
  return (
    error instanceof Dlt645TimeoutError ||
    error instanceof Dlt645ChecksumError ||
    error instanceof Dlt645FrameError ||
    error instanceof Dlt645AddressMismatchError ||
    error instanceof Dlt645UnexpectedReplyError
  );
}

/** AA bytes in the requested address are wildcards (DL/T 645-2007 short addressing). */
function addressMatches(requested: string, replied: string): boolean {
  const wanted = normalizeDlt645Address(requested);
  for (let i = 0; i < 12; i += 2) {
    const pair = wanted.slice(i, i + 2);
    if (pair !== 'AA' && pair !== replied.slice(i, i + 2)) return false;
  }
  return true;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
