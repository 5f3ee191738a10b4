/**
 * CJ/T 188 failures, one class per cause, mirroring drivers/dlt645/errors.ts:
 * a stable code, where it happened (port, meter, DI) and what to try.
 */
import { AxonError } from '../errors.js';
import { toHex } from '../bytes.js';

export interface Cjt188Context {
  port?: string;
  /** Meter address as 14 digits, most significant first. */
  address?: string;
  di?: string;
}

export function describeCjt188Context(ctx: Cjt188Context): string {
  const parts: string[] = [];
  if (ctx.port) parts.push(ctx.port);
  if (ctx.address) parts.push(`meter ${ctx.address}`);
  if (ctx.di) parts.push(`DI ${ctx.di}`);
  return parts.length > 0 ? parts.join(' ') : 'CJ/T 188 frame';
}

export abstract class Cjt188Error extends AxonError {
  static override readonly errorName: string = 'Cjt188Error';
  readonly received: Uint8Array | undefined;
  constructor(code: string, message: string, where: string, fix: string, received?: Uint8Array) {
    super(code, message, { where, fix });
    this.received = received;
  }
}

export class Cjt188TimeoutError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188TimeoutError';
  constructor(ctx: Cjt188Context, timeoutMs: number) {
    super('CJT188_TIMEOUT', `no reply within ${timeoutMs} ms`, describeCjt188Context(ctx),
      'check the 14-digit meter address and meter type, the M-Bus/RS-485 converter and line settings (often 2400 8E1); battery meters may need a longer timeout or a wake-up preamble');
  }
}

export class Cjt188ChecksumError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188ChecksumError';
  constructor(ctx: Cjt188Context, bytes: Uint8Array, detail: string) {
    super('CJT188_CHECKSUM', `${detail} in ${bytes.length}-byte frame ${toHex(bytes, ' ')}`, describeCjt188Context(ctx),
      'check parity (usually even), the M-Bus level converter and cabling; lower the baud rate on long lines', bytes);
  }
}

export class Cjt188FrameError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188FrameError';
  constructor(detail: string, where: string, bytes?: Uint8Array) {
    super('CJT188_MALFORMED', `not a CJ/T 188 frame: ${detail}`, where,
      'a CJ/T 188 frame is [FE…] 68 T A0..A6 C L DATA CS 16; check that the bytes are complete and are not DL/T 645 (which has a second 68 after the address)', bytes);
  }
}

export class Cjt188AddressMismatchError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188AddressMismatchError';
  readonly replyAddress: string;
  constructor(ctx: Cjt188Context, replyAddress: string, bytes: Uint8Array) {
    super('CJT188_WRONG_ADDRESS', `reply came from meter ${replyAddress}, not ${ctx.address ?? '?'}`, describeCjt188Context(ctx),
      'two meters share an address: give every meter on the bus a unique address', bytes);
    this.replyAddress = replyAddress;
  }
}

export class Cjt188UnexpectedReplyError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188UnexpectedReplyError';
  constructor(ctx: Cjt188Context, detail: string, bytes: Uint8Array) {
    super('CJT188_UNEXPECTED_REPLY', detail, describeCjt188Context(ctx),
      'the bus carries another master\'s traffic, or the meter uses a vendor variant of CJ/T 188', bytes);
  }
}

/** The meter answered with an abnormal reply (C bit 6 set); its status word says why. */
export class Cjt188DeviceError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188DeviceError';
  readonly status: number;
  constructor(ctx: Cjt188Context, status: number, bytes?: Uint8Array) {
    super('CJT188_DEVICE_ERROR', `meter answered with an abnormal reply (status 0x${status.toString(16).padStart(4, '0')})`, describeCjt188Context(ctx),
      'the meter does not support this data identifier or is in a fault state: check the DI and the meter type against the meter manual', bytes);
    this.status = status;
  }
}

export class Cjt188ValueError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188ValueError';
  /** The problem alone, without location and fix (for summaries). */
  readonly detail: string;
  constructor(ctx: Cjt188Context, detail: string, bytes?: Uint8Array) {
    super('CJT188_BAD_VALUE', detail, describeCjt188Context(ctx),
      'the meter\'s record layout differs from CJ/T 188-2004 for this meter type: check the meter type byte and the manual', bytes);
    this.detail = detail;
  }
}

export class Cjt188RequestError extends AxonError {
  static override readonly errorName: string = 'Cjt188RequestError';
  constructor(message: string, fix: string, where?: string) {
    super('CJT188_BAD_REQUEST', message, { fix, where });
  }
}

export class Cjt188LinkError extends Cjt188Error {
  static override readonly errorName: string = 'Cjt188LinkError';
  constructor(ctx: Cjt188Context, cause: Error) {
    super('CJT188_LINK', `link failed: ${cause.message}`, describeCjt188Context(ctx), 'check the serial adapter; the gateway retries on the next poll');
    (this as { cause?: unknown }).cause = cause;
  }
}
