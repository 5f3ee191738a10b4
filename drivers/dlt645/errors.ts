/**
 * One error class per way a DL/T 645 exchange can fail, so a field engineer
 * can tell a silent meter from a noisy line from a meter that refuses a data
 * identifier. Every error carries a stable code and names the meter and DI.
 */
import { AxonError } from '../errors.js';
import { toHex } from '../bytes.js';

export interface Dlt645Context {
  /** Port name, for messages. */
  port?: string;
  /** Meter address as 12 digits, most significant first. */
  address?: string;
  /** Data identifier as hex digits DI3..DI0 (or DI1 DI0 for 1997). */
  di?: string;
}

export function describeDlt645Context(ctx: Dlt645Context): string {
  const parts: string[] = [];
  if (ctx.port) parts.push(ctx.port);
  if (ctx.address) parts.push(`meter ${ctx.address}`);
  if (ctx.di) parts.push(`DI ${ctx.di}`);
  return parts.length > 0 ? parts.join(' ') : 'DL/T 645 frame';
}

export abstract class Dlt645Error extends AxonError {
  static override readonly errorName: string = 'Dlt645Error';
  /** The raw bytes received, when any. */
  readonly received: Uint8Array | undefined;
  constructor(code: string, message: string, where: string, fix: string, received?: Uint8Array) {
    super(code, message, { where, fix });
    this.received = received;
  }
}

/** Nothing usable came back before the response timeout. */
export class Dlt645TimeoutError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645TimeoutError';
  constructor(ctx: Dlt645Context, timeoutMs: number) {
    super('DLT645_TIMEOUT', `no reply within ${timeoutMs} ms`, describeDlt645Context(ctx),
      'check the meter address (run `axon dlt645 read-address` on a single-meter bus), wiring (A/B swapped?), and line settings: most meters use 2400 8E1');
  }
}

/** A frame arrived whose checksum (or end byte) is wrong: line noise or a parity mismatch. */
export class Dlt645ChecksumError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645ChecksumError';
  constructor(ctx: Dlt645Context, bytes: Uint8Array, detail: string) {
    super('DLT645_CHECKSUM', `${detail} in ${bytes.length}-byte frame ${toHex(bytes, ' ')}`, describeDlt645Context(ctx),
      'check the parity setting (DL/T 645 uses even parity, 8E1), RS-485 termination and grounding; lower the baud rate on long lines', bytes);
  }
}

/** Bytes that do not form a DL/T 645 frame at all. */
export class Dlt645FrameError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645FrameError';
  constructor(detail: string, where: string, bytes?: Uint8Array) {
    super('DLT645_MALFORMED', `not a DL/T 645 frame: ${detail}`, where,
      'a DL/T 645 frame is [FE…] 68 A0..A5 68 C L DATA CS 16; check that the bytes are complete and that this is not CJ/T 188 or Modbus traffic', bytes);
  }
}

/** A frame arrived from another meter than the one asked. */
export class Dlt645AddressMismatchError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645AddressMismatchError';
  readonly replyAddress: string;
  constructor(ctx: Dlt645Context, replyAddress: string, bytes: Uint8Array) {
    super('DLT645_WRONG_ADDRESS', `reply came from meter ${replyAddress}, not ${ctx.address ?? '?'}`, describeDlt645Context(ctx),
      'two meters share an address or one answers for another: give every meter on the bus a unique address', bytes);
    this.replyAddress = replyAddress;
  }
}

/** A valid frame that does not answer the request (another function, another DI, too short). */
export class Dlt645UnexpectedReplyError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645UnexpectedReplyError';
  constructor(ctx: Dlt645Context, detail: string, bytes: Uint8Array) {
    super('DLT645_UNEXPECTED_REPLY', detail, describeDlt645Context(ctx),
      'the bus carries another master\'s traffic, or the meter speaks the other DL/T 645 edition (1997 uses 4-digit DIs such as 9010)', bytes);
  }
}

/**
 * Bits of the error status word (ERR) in an abnormal reply. The two editions
 * assign the bits differently, so the names depend on the version.
 */
export const DLT645_2007_ERROR_BITS: readonly string[] = [
  'OTHER_ERROR',
  'NO_DATA_REQUESTED',
  'UNAUTHORIZED',
  'BAUD_RATE_NOT_CHANGEABLE',
  'TOO_MANY_YEAR_ZONES',
  'TOO_MANY_DAY_PERIODS',
  'TOO_MANY_TARIFFS',
  'RESERVED_BIT7',
];

export const DLT645_1997_ERROR_BITS: readonly string[] = [
  'ILLEGAL_DATA',
  'BAD_DATA_IDENTIFIER',
  'PASSWORD_ERROR',
  'RESERVED_BIT3',
  'TOO_MANY_YEAR_ZONES',
  'TOO_MANY_DAY_PERIODS',
  'TOO_MANY_TARIFFS',
  'RESERVED_BIT7',
];

/** Names of the bits set in an ERR byte; an ERR of 0 (seen in the field) reads as UNSPECIFIED. */
export function dlt645ErrorNames(errorByte: number, version: '2007' | '1997'): string[] {
  const bits = version === '2007' ? DLT645_2007_ERROR_BITS : DLT645_1997_ERROR_BITS;
  const names: string[] = [];
  for (let bit = 0; bit < 8; bit++) if (errorByte & (1 << bit)) names.push(bits[bit]);
  return names.length > 0 ? names : ['UNSPECIFIED'];
}

const ERROR_FIXES: Record<string, string> = {
  NO_DATA_REQUESTED: 'the meter does not provide this data identifier: check the DI against the meter manual (three-phase DIs on a single-phase meter?)',
  BAD_DATA_IDENTIFIER: 'the meter does not know this data identifier: check the DI against the meter manual',
  UNAUTHORIZED: 'the operation needs a password or authorisation the gateway did not give',
  PASSWORD_ERROR: 'the operation needs the meter password',
};

/** The meter answered with an abnormal reply (D1 / C1) and an error status byte. */
export class Dlt645DeviceError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645DeviceError';
  readonly errorByte: number;
  readonly errorNames: string[];
  constructor(ctx: Dlt645Context, errorByte: number, version: '2007' | '1997', bytes?: Uint8Array) {
    const names = dlt645ErrorNames(errorByte, version);
    super('DLT645_DEVICE_ERROR', `meter refused the request: ${names.join(', ')} (ERR 0x${errorByte.toString(16).padStart(2, '0')})`,
      describeDlt645Context(ctx), names.map((n) => ERROR_FIXES[n]).find((f) => f !== undefined) ?? 'see the meter manual for this error status', bytes);
    this.errorByte = errorByte;
    this.errorNames = names;
  }
}

/** The request is invalid (bad address, unknown DI); thrown before anything is sent. */
export class Dlt645RequestError extends AxonError {
  static override readonly errorName: string = 'Dlt645RequestError';
  constructor(message: string, fix: string, where?: string) {
    super('DLT645_BAD_REQUEST', message, { fix, where });
  }
}

/** The port failed or was closed while a request was pending. */
export class Dlt645LinkError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645LinkError';
  constructor(ctx: Dlt645Context, cause: Error) {
    super('DLT645_LINK', `link failed: ${cause.message}`, describeDlt645Context(ctx),
      'check the serial adapter; the gateway retries on the next poll');
    (this as { cause?: unknown }).cause = cause;
  }
}

/** The reply was well framed but its value bytes cannot be decoded in the expected format. */
export class Dlt645ValueError extends Dlt645Error {
  static override readonly errorName: string = 'Dlt645ValueError';
  constructor(ctx: Dlt645Context, detail: string, bytes?: Uint8Array) {
    super('DLT645_BAD_VALUE', detail, describeDlt645Context(ctx),
      'the meter uses another data format for this DI: check the meter manual and give the point an explicit format', bytes);
  }
}
