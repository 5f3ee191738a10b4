/**
 * The request → reply logic of a Modbus server at PDU level (function code +
 * data, no unit id, no CRC, no MBAP), on top of a DeviceSimulator. Shared by the
 * RTU slave here and by any TCP front; runtime-neutral.
 */
import type { DeviceSimulator, ModbusExceptionResult } from '../device-sim.js';

export const ILLEGAL_FUNCTION = 1;
const ILLEGAL_DATA_VALUE = 3;

/** The reply PDU a device gives to `pdu`; an exception reply is `[fc | 0x80, code]`. */
export function answerPdu(device: DeviceSimulator, pdu: Uint8Array): Uint8Array {
  const fc = pdu[0];
  const u16 = (at: number) => (pdu[at] << 8) | pdu[at + 1];
  const fail = (code: number) => Uint8Array.of((fc | 0x80) & 0xff, code);
  switch (fc) {
    case 1:
    case 2: {
      if (pdu.length !== 5) return fail(ILLEGAL_DATA_VALUE);
      const result = device.readBits(fc, u16(1), u16(3));
      if (isException(result)) return fail(result.exception);
      const bytes = new Uint8Array(2 + Math.ceil(result.length / 8));
      bytes[0] = fc;
      bytes[1] = bytes.length - 2;
      result.forEach((on, i) => {
        if (on) bytes[2 + (i >> 3)] |= 1 << (i & 7);
      });
      return bytes;
    }
    case 3:
    case 4: {
      if (pdu.length !== 5) return fail(ILLEGAL_DATA_VALUE);
      const result = device.readRegisters(fc, u16(1), u16(3));
      if (isException(result)) return fail(result.exception);
      const bytes = new Uint8Array(2 + result.length * 2);
      bytes[0] = fc;
      bytes[1] = result.length * 2;
      result.forEach((word, i) => {
        bytes[2 + i * 2] = (word >> 8) & 0xff;
        bytes[3 + i * 2] = word & 0xff;
      });
      return bytes;
    }
    case 5: {
      const value = u16(3);
      if (pdu.length !== 5 || (value !== 0xff00 && value !== 0)) return fail(ILLEGAL_DATA_VALUE);
      const result = device.writeCoil(u16(1), value === 0xff00);
      return result === undefined ? pdu.slice() : fail(result.exception);
    }
    case 6: {
      if (pdu.length !== 5) return fail(ILLEGAL_DATA_VALUE);
      const result = device.writeRegister(u16(1), u16(3));
      return result === undefined ? pdu.slice() : fail(result.exception);
    }
    case 15: {
      const quantity = u16(3);
      const byteCount = pdu[5];
      if (pdu.length < 6 || byteCount !== Math.ceil(quantity / 8) || pdu.length !== 6 + byteCount) return fail(ILLEGAL_DATA_VALUE);
      const values: boolean[] = [];
      for (let i = 0; i < quantity; i++) values.push((pdu[6 + (i >> 3)] & (1 << (i & 7))) !== 0);
      const result = device.writeCoils(u16(1), values);
      return result === undefined ? pdu.slice(0, 5) : fail(result.exception);
    }
    case 16: {
      const quantity = u16(3);
      const byteCount = pdu[5];
      if (pdu.length < 6 || byteCount !== quantity * 2 || pdu.length !== 6 + byteCount) return fail(ILLEGAL_DATA_VALUE);
      const values: number[] = [];
      for (let i = 0; i < quantity; i++) values.push(u16(6 + i * 2));
      const result = device.writeRegisters(u16(1), values);
      return result === undefined ? pdu.slice(0, 5) : fail(result.exception);
    }
    default:
      return fail(ILLEGAL_FUNCTION);
  }
}

function isException<T>(result: T[] | ModbusExceptionResult): result is ModbusExceptionResult {
  return !Array.isArray(result);
}
