/**
 * Modbus application layer (PDU), shared by RTU and TCP: request encoding,
 * parameter checks and reply validation per function code.
 */
import {
  ModbusExceptionError,
  ModbusFunctionMismatchError,
  ModbusMalformedResponseError,
  ModbusRequestError,
  type TransactionContext,
} from './errors.js';

export type ReadFunction = 1 | 2 | 3 | 4;
export type WriteFunction = 5 | 6 | 15 | 16;
export type FunctionCode = ReadFunction | WriteFunction;

/** Spec limits per function (Modbus Application Protocol v1.1b3 §6). */
const MAX_COUNT: Record<FunctionCode, number> = { 1: 2000, 2: 2000, 3: 125, 4: 125, 5: 1, 6: 1, 15: 1968, 16: 123 };

export interface PreparedRequest {
  ctx: TransactionContext;
  pdu: Uint8Array;
  /** Length of a normal reply PDU (function code included). */
  replyLength: number;
}

export function checkUnit(unit: number, allowBroadcast: boolean): void {
  const min = allowBroadcast ? 0 : 1;
  if (!Number.isInteger(unit) || unit < min || unit > 247) {
    throw new ModbusRequestError(
      `unit id ${unit} is out of range`,
      allowBroadcast ? 'use 1–247, or 0 to broadcast a write' : 'use a unit id from 1 to 247 (0 is broadcast, writes only)',
    );
  }
}

function checkRange(fc: FunctionCode, address: number, count: number): void {
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) {
    throw new ModbusRequestError(`address ${address} is out of range`, 'addresses are zero-based 0–65535 on the wire (register 40001 is address 0)');
  }
  const max = MAX_COUNT[fc];
  if (!Number.isInteger(count) || count < 1 || count > max) {
    throw new ModbusRequestError(`count ${count} is out of range for FC${String(fc).padStart(2, '0')}`, `use 1–${max}; split larger reads`);
  }
  if (address + count > 0x10000) {
    throw new ModbusRequestError(`address ${address} + count ${count} runs past 65535`, 'lower the address or the count');
  }
}

export function prepareRead(unit: number, fc: ReadFunction, address: number, count: number): PreparedRequest {
  checkUnit(unit, false);
  checkRange(fc, address, count);
  const pdu = new Uint8Array([fc, address >> 8, address & 0xff, count >> 8, count & 0xff]);
  const dataBytes = fc <= 2 ? Math.ceil(count / 8) : count * 2;
  return { ctx: { unit, fc, address, count }, pdu, replyLength: 2 + dataBytes };
}

export function prepareWriteSingleCoil(unit: number, address: number, value: boolean): PreparedRequest {
  checkUnit(unit, true);
  checkRange(5, address, 1);
  const pdu = new Uint8Array([5, address >> 8, address & 0xff, value ? 0xff : 0x00, 0x00]);
  return { ctx: { unit, fc: 5, address, count: 1 }, pdu, replyLength: 5 };
}

export function prepareWriteSingleRegister(unit: number, address: number, value: number): PreparedRequest {
  checkUnit(unit, true);
  checkRange(6, address, 1);
  if (!Number.isInteger(value) || value < -0x8000 || value > 0xffff) {
    throw new ModbusRequestError(`register value ${value} does not fit 16 bits`, 'write an integer from -32768 to 65535');
  }
  const word = value & 0xffff;
  const pdu = new Uint8Array([6, address >> 8, address & 0xff, word >> 8, word & 0xff]);
  return { ctx: { unit, fc: 6, address, count: 1 }, pdu, replyLength: 5 };
}

export function prepareWriteMultipleCoils(unit: number, address: number, values: readonly boolean[]): PreparedRequest {
  checkUnit(unit, true);
  checkRange(15, address, values.length);
  const byteCount = Math.ceil(values.length / 8);
  const pdu = new Uint8Array(6 + byteCount);
  pdu.set([15, address >> 8, address & 0xff, values.length >> 8, values.length & 0xff, byteCount]);
  values.forEach((on, i) => {
    if (on) pdu[6 + (i >> 3)] |= 1 << (i & 7);
  });
  return { ctx: { unit, fc: 15, address, count: values.length }, pdu, replyLength: 5 };
}

export function prepareWriteMultipleRegisters(unit: number, address: number, values: ArrayLike<number>): PreparedRequest {
  checkUnit(unit, true);
  checkRange(16, address, values.length);
  const pdu = new Uint8Array(6 + values.length * 2);
  pdu.set([16, address >> 8, address & 0xff, values.length >> 8, values.length & 0xff, values.length * 2]);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isInteger(value) || value < -0x8000 || value > 0xffff) {
      throw new ModbusRequestError(`register value ${value} at index ${i} does not fit 16 bits`, 'write integers from -32768 to 65535');
    }
    pdu[6 + i * 2] = (value >> 8) & 0xff;
    pdu[7 + i * 2] = value & 0xff;
  }
  return { ctx: { unit, fc: 16, address, count: values.length }, pdu, replyLength: 5 };
}

/**
 * Check a reply PDU against its request. Returns the reply PDU when it is a
 * normal response; throws the matching Modbus error otherwise.
 */
export function checkReplyPdu(request: PreparedRequest, reply: Uint8Array): Uint8Array {
  const { ctx } = request;
  const fc = ctx.fc;
  if (reply.length === 0) throw new ModbusMalformedResponseError(ctx, 'empty PDU', reply);
  if (reply[0] === (fc | 0x80)) {
    if (reply.length !== 2) throw new ModbusMalformedResponseError(ctx, `exception reply of ${reply.length} bytes (expected 2)`, reply);
    throw new ModbusExceptionError(ctx, reply[1]);
  }
  if (reply[0] !== fc) throw new ModbusFunctionMismatchError(ctx, reply[0] & 0x7f, reply);
  if (reply.length !== request.replyLength) {
    throw new ModbusMalformedResponseError(ctx, `reply PDU has ${reply.length} bytes, expected ${request.replyLength}`, reply);
  }
  if (fc <= 4) {
    if (reply[1] !== request.replyLength - 2) {
      throw new ModbusMalformedResponseError(ctx, `byte count ${reply[1]} does not match the ${request.replyLength - 2} data bytes requested`, reply);
    }
  } else {
    // Writes echo address and value (FC05/06) or address and quantity (FC15/16).
    for (let i = 1; i < 5; i++) {
      if (reply[i] !== request.pdu[i]) {
        throw new ModbusMalformedResponseError(ctx, 'write reply does not echo the request', reply);
      }
    }
  }
  return reply;
}

/**
 * Length of the reply PDU a device would send for the PDU starting at `pdu[0]`,
 * judged from the bytes alone (used to frame RTU replies): undefined when more
 * bytes are needed to tell.
 */
export function replyPduLengthFromBytes(pdu: Uint8Array, offset: number, available: number): number | undefined {
  if (available < 1) return undefined;
  const fc = pdu[offset];
  if (fc & 0x80) return 2;
  if (fc >= 1 && fc <= 4) return available < 2 ? undefined : 2 + pdu[offset + 1];
  if (fc === 5 || fc === 6 || fc === 15 || fc === 16) return 5;
  return undefined;
}

export function bitsFromReply(reply: Uint8Array, count: number): boolean[] {
  const bits: boolean[] = new Array(count);
  for (let i = 0; i < count; i++) bits[i] = ((reply[2 + (i >> 3)] >> (i & 7)) & 1) === 1;
  return bits;
}

export function registersFromReply(reply: Uint8Array, count: number): Uint16Array {
  const words = new Uint16Array(count);
  for (let i = 0; i < count; i++) words[i] = (reply[2 + i * 2] << 8) | reply[3 + i * 2];
  return words;
}
