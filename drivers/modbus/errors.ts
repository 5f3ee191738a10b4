/**
 * One error class per way a Modbus transaction can fail, so a field engineer
 * (and the scheduler's circuit breaker) can tell a dead device from a noisy
 * cable from a misconfigured map. Every error names the unit and function.
 */
import { AxonError } from '../errors.js';

export interface TransactionContext {
  /** Port name or URL, for messages. */
  port?: string;
  unit: number;
  fc: number;
  address?: number;
  count?: number;
}

export function describeTransaction(ctx: TransactionContext): string {
  const range = ctx.address === undefined ? '' : ` address ${ctx.address}${ctx.count === undefined ? '' : ` count ${ctx.count}`}`;
  return `${ctx.port ? ctx.port + ' ' : ''}unit ${ctx.unit} FC${String(ctx.fc).padStart(2, '0')}${range}`;
}

export abstract class ModbusError extends AxonError {
  static override readonly errorName: string = 'ModbusError';
  readonly unit: number;
  readonly fc: number;
  constructor(code: string, message: string, ctx: TransactionContext, fix: string, bytes?: Uint8Array) {
    super(code, message, { where: describeTransaction(ctx), fix });
    this.unit = ctx.unit;
    this.fc = ctx.fc;
    if (bytes !== undefined) this.received = bytes;
  }
  /** The raw bytes received, when any. */
  received: Uint8Array | undefined;
}

/** Nothing at all came back within the response timeout. */
export class ModbusTimeoutError extends ModbusError {
  static override readonly errorName: string = 'ModbusTimeoutError';
  constructor(ctx: TransactionContext, timeoutMs: number) {
    super('MODBUS_TIMEOUT', `no response within ${timeoutMs} ms`, ctx,
      'check the unit id, wiring (A/B swapped?), baud rate and parity; run `axon modbus scan` to find the device');
  }
}

/** A complete, valid reply arrived, but after the timeout had expired. */
export class ModbusLateResponseError extends ModbusError {
  static override readonly errorName: string = 'ModbusLateResponseError';
  readonly elapsedMs: number;
  constructor(ctx: TransactionContext, timeoutMs: number, elapsedMs: number) {
    super('MODBUS_LATE_RESPONSE', `the device answered after ${Math.round(elapsedMs)} ms, beyond the ${timeoutMs} ms timeout`, ctx,
      'raise the timeout for this device (manifest timeoutMs or --timeout) or check its turnaround setting');
    this.elapsedMs = elapsedMs;
  }
}

/** The reply had the expected shape but its CRC did not match: line noise or a bad termination. */
export class ModbusCrcError extends ModbusError {
  static override readonly errorName: string = 'ModbusCrcError';
  constructor(ctx: TransactionContext, bytes: Uint8Array) {
    super('MODBUS_CRC', `reply of ${bytes.length} bytes failed its CRC check`, ctx,
      'check RS-485 termination (120 Ω at both ends), shielding and ground; lower the baud rate on long lines', bytes);
  }
}

/** Bytes came back that do not form a Modbus frame at all. */
export class ModbusNoiseError extends ModbusError {
  static override readonly errorName: string = 'ModbusNoiseError';
  constructor(ctx: TransactionContext, bytes: Uint8Array) {
    super('MODBUS_NOISE', `received ${bytes.length} bytes that do not form a Modbus reply`, ctx,
      'check baud rate and parity (a mismatch looks like noise), biasing resistors and for a second master on the bus', bytes);
  }
}

/** The reply started correctly but stopped before its expected length. */
export class ModbusTruncatedFrameError extends ModbusError {
  static override readonly errorName: string = 'ModbusTruncatedFrameError';
  constructor(ctx: TransactionContext, bytes: Uint8Array, expected: number) {
    super('MODBUS_TRUNCATED', `reply stopped after ${bytes.length} of ${expected} bytes`, ctx,
      'check for a loose connection or a converter dropping bytes; on USB adapters lower the latency timer', bytes);
  }
}

/** A valid frame came from a different unit than the one asked. */
export class ModbusUnitMismatchError extends ModbusError {
  static override readonly errorName: string = 'ModbusUnitMismatchError';
  readonly replyUnit: number;
  constructor(ctx: TransactionContext, replyUnit: number, bytes: Uint8Array) {
    super('MODBUS_WRONG_UNIT', `reply came from unit ${replyUnit}, not ${ctx.unit}`, ctx,
      'two devices share an address or a device echoes another: give every device on the bus a unique unit id', bytes);
    this.replyUnit = replyUnit;
  }
}

/** A valid frame answered a different function than the one asked. */
export class ModbusFunctionMismatchError extends ModbusError {
  static override readonly errorName: string = 'ModbusFunctionMismatchError';
  constructor(ctx: TransactionContext, replyFc: number, bytes: Uint8Array) {
    super('MODBUS_WRONG_FUNCTION', `reply is for function ${replyFc}, not ${ctx.fc}`, ctx,
      'the line carries another master\'s traffic or a stale reply: make sure this gateway is the only master', bytes);
  }
}

/** The frame was valid but its contents are inconsistent (byte count, echo of a write). */
export class ModbusMalformedResponseError extends ModbusError {
  static override readonly errorName: string = 'ModbusMalformedResponseError';
  constructor(ctx: TransactionContext, detail: string, bytes: Uint8Array) {
    super('MODBUS_MALFORMED', `malformed reply: ${detail}`, ctx,
      'the device does not follow the Modbus spec for this function; try a smaller count or another function code', bytes);
  }
}

export const EXCEPTION_NAMES: Record<number, string> = {
  1: 'ILLEGAL_FUNCTION',
  2: 'ILLEGAL_DATA_ADDRESS',
  3: 'ILLEGAL_DATA_VALUE',
  4: 'SERVER_DEVICE_FAILURE',
  5: 'ACKNOWLEDGE',
  6: 'SERVER_DEVICE_BUSY',
  8: 'MEMORY_PARITY_ERROR',
  10: 'GATEWAY_PATH_UNAVAILABLE',
  11: 'GATEWAY_TARGET_FAILED_TO_RESPOND',
};

const EXCEPTION_FIXES: Record<number, string> = {
  1: 'the device does not support this function code: check its register map for FC03 vs FC04',
  2: 'the register range is not in the device map: check address (zero-based on the wire) and count',
  3: 'the value or count is out of range for this device',
  4: 'the device reports an internal failure: power-cycle it or check its sensor',
  6: 'the device is busy: retry later or poll less often',
};

/** The device answered with a Modbus exception response. */
export class ModbusExceptionError extends ModbusError {
  static override readonly errorName: string = 'ModbusExceptionError';
  readonly exceptionCode: number;
  readonly exceptionName: string;
  constructor(ctx: TransactionContext, exceptionCode: number) {
    const name = EXCEPTION_NAMES[exceptionCode] ?? `EXCEPTION_${exceptionCode}`;
    super('MODBUS_EXCEPTION', `device answered exception ${exceptionCode} (${name})`, ctx,
      EXCEPTION_FIXES[exceptionCode] ?? 'see the device manual for this exception code');
    this.exceptionCode = exceptionCode;
    this.exceptionName = name;
  }
}

/** A TCP reply carried another transaction id or protocol id. */
export class ModbusTransactionMismatchError extends ModbusError {
  static override readonly errorName: string = 'ModbusTransactionMismatchError';
  constructor(ctx: TransactionContext, detail: string, bytes: Uint8Array) {
    super('MODBUS_TRANSACTION_MISMATCH', detail, ctx, 'the Modbus TCP server or gateway mixed up replies; reconnect', bytes);
  }
}

/** The request itself is invalid (count out of range, bad unit id). Thrown before anything is sent. */
export class ModbusRequestError extends AxonError {
  static override readonly errorName: string = 'ModbusRequestError';
  constructor(message: string, fix: string) {
    super('MODBUS_BAD_REQUEST', message, { fix });
  }
}

/** The port closed or failed while a request was pending. */
export class ModbusLinkError extends AxonError {
  static override readonly errorName: string = 'ModbusLinkError';
  constructor(message: string, where: string, cause?: unknown) {
    super('MODBUS_LINK', message, { where, fix: 'check the serial adapter or TCP connection; the gateway reconnects on the next poll', cause });
  }
}
