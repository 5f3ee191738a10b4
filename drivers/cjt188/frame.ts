/**
 * CJ/T 188-2004 link frames (water, heat and gas meters):
 *
 *   [FE…] 68 T A0..A6 C L DATA CS 16
 *
 * T is the meter type, the address is 7 BCD bytes low byte first (written
 * here as 14 digits most significant first), DATA carries no offset, and CS is
 * the byte sum mod 256 from 68 through the last data byte. The receive framer
 * is shared with DL/T 645 (drivers/dlt645/framing.ts).
 */
import { toHex } from '../bytes.js';
import { FRAME_END, FRAME_START, PREAMBLE, frameLength, sumMod256, type FrameShape } from '../dlt645/framing.js';
import { Cjt188ChecksumError, Cjt188FrameError, Cjt188RequestError } from './errors.js';

export interface Cjt188Frame {
  /** Meter type T: 0x10 cold water, 0x11 hot water, 0x12 drinking water, 0x13 reclaimed water, 0x20 heat, 0x30 gas. */
  meterType: number;
  /** 14 hex digits, most significant first (AA… is the wildcard). */
  address: string;
  control: number;
  data: Uint8Array;
}

export const CJT188_WILDCARD_ADDRESS = 'AAAAAAAAAAAAAA';
/** Meter type wildcard, for read-address when the type is unknown. */
export const CJT188_ANY_METER_TYPE = 0xaa;

export const CjtMeterType = {
  COLD_WATER: 0x10,
  HOT_WATER: 0x11,
  DRINKING_WATER: 0x12,
  RECLAIMED_WATER: 0x13,
  HEAT: 0x20,
  COOLING: 0x21,
  GAS: 0x30,
} as const;

export type Cjt188MeterFamily = 'water' | 'heat' | 'gas' | 'other';

/** The standard groups types by decade: 1x water, 2x heat, 3x gas, 4x other (electric). */
export function meterFamily(meterType: number): Cjt188MeterFamily {
  if (meterType >= 0x10 && meterType <= 0x19) return 'water';
  if (meterType >= 0x20 && meterType <= 0x29) return 'heat';
  if (meterType >= 0x30 && meterType <= 0x39) return 'gas';
  return 'other';
}

const METER_TYPE_NAMES: Record<number, string> = {
  0x10: 'cold water meter',
  0x11: 'domestic hot water meter',
  0x12: 'drinking water meter',
  0x13: 'reclaimed water meter',
  0x20: 'heat meter (heating)',
  0x21: 'heat meter (cooling)',
  0x30: 'gas meter',
  0x40: 'electricity meter',
  0xaa: 'any meter type',
};

export function meterTypeName(meterType: number): string {
  return METER_TYPE_NAMES[meterType] ?? `${meterFamily(meterType)} meter type 0x${meterType.toString(16).padStart(2, '0')}`;
}

/** Control byte: bit 7 direction (1 = from meter), bit 6 abnormal reply, bits 5–0 function. */
export const CJT188_DIRECTION_BIT = 0x80;
export const CJT188_ABNORMAL_BIT = 0x40;
export const CJT188_FUNCTION_MASK = 0x3f;

export const Cjt188Function = {
  READ_DATA: 0x01,
  READ_ADDRESS: 0x03,
  WRITE_DATA: 0x04,
  READ_KEY_VERSION: 0x09,
  WRITE_ADDRESS: 0x15,
  WRITE_SYNC_DATA: 0x16,
} as const;

export const CJT188_SHAPE: FrameShape = {
  headerLength: 11,
  lengthOffset: 10,
  // A stray 68 followed by an impossible meter type is not a header.
  plausibleHeader: (buffer, start, available) => available < 2 || isPlausibleMeterType(buffer[start + 1]),
};

function isPlausibleMeterType(t: number): boolean {
  return (t >= 0x10 && t <= 0x49) || t === CJT188_ANY_METER_TYPE;
}

export function normalizeCjt188Address(address: string | number): string {
  const text = typeof address === 'number' ? (Number.isSafeInteger(address) && address >= 0 ? String(address) : '') : address.replace(/[\s:_-]/g, '');
  if (!/^[0-9a-fA-F]{1,14}$/.test(text)) {
    throw new Cjt188RequestError(`meter address ${JSON.stringify(String(address))} is not up to 14 digits`,
      'give the 14-digit address printed on the meter, most significant digit first; use AAAAAAAAAAAAAA to ask a lone meter for its address');
  }
  return text.toUpperCase().padStart(14, '0');
}

export function encodeCjt188Address(address: string): Uint8Array {
  const digits = normalizeCjt188Address(address);
  const out = new Uint8Array(7);
  for (let i = 0; i < 7; i++) out[i] = parseInt(digits.slice(12 - 2 * i, 14 - 2 * i), 16);
  return out;
}

export function decodeCjt188Address(bytes: Uint8Array, offset = 0): string {
  let out = '';
  for (let i = 6; i >= 0; i--) out += toHex(bytes.subarray(offset + i, offset + i + 1));
  return out.toUpperCase();
}

/**
 * Byte order of the 2-byte DI on the wire. 'as-written' sends 901F as 90 1F
 * (the order in DESIGN.md's example and most meters); 'swapped' sends 1F 90.
 */
export type Cjt188DiOrder = 'as-written' | 'swapped';

/** DIs whose meaning we know; they let a decoder tell which byte order a meter used. */
export const CJT188_KNOWN_DATA_IDS: readonly string[] = [
  '901F',
  'D120', 'D121', 'D122', 'D123', 'D124', 'D125', 'D126', 'D127', 'D128', 'D129', 'D12A', 'D12B',
  '8102', '8103', '8104', '8105', '8106', '810A',
  'A010', 'A011', 'A012', 'A013', 'A014', 'A015', 'A016', 'A017', 'A018', 'A019',
];
const KNOWN = new Set(CJT188_KNOWN_DATA_IDS);

/** The DI that reads the address (used with function 03). */
export const CJT188_READ_ADDRESS_DI = '810A';

export function encodeCjt188DataId(di: string, order: Cjt188DiOrder = 'as-written'): Uint8Array {
  if (!/^[0-9a-fA-F]{4}$/.test(di)) {
    throw new Cjt188RequestError(`data identifier ${JSON.stringify(di)} is not 4 hex digits`, 'write the DI as in the standard, e.g. 901F');
  }
  const hi = parseInt(di.slice(0, 2), 16);
  const lo = parseInt(di.slice(2, 4), 16);
  return order === 'as-written' ? Uint8Array.of(hi, lo) : Uint8Array.of(lo, hi);
}

/** Read a DI in either byte order: a known DI in one order wins; otherwise as written. */
export function decodeCjt188DataId(data: Uint8Array, offset = 0): { di: string; order: Cjt188DiOrder } {
  const asWritten = (toHex(data.subarray(offset, offset + 1)) + toHex(data.subarray(offset + 1, offset + 2))).toUpperCase();
  const swapped = asWritten.slice(2, 4) + asWritten.slice(0, 2);
  if (!KNOWN.has(asWritten) && KNOWN.has(swapped)) return { di: swapped, order: 'swapped' };
  return { di: asWritten, order: 'as-written' };
}

export interface EncodeOptions {
  preambleBytes?: number;
}

export function encodeCjt188Frame(frame: Cjt188Frame, options: EncodeOptions = {}): Uint8Array {
  const preamble = options.preambleBytes ?? 0;
  if (frame.data.length > 255) throw new Cjt188RequestError(`data field of ${frame.data.length} bytes is longer than 255`, 'split the request');
  const out = new Uint8Array(preamble + frameLength(CJT188_SHAPE, frame.data.length));
  out.fill(PREAMBLE, 0, preamble);
  let i = preamble;
  out[i++] = FRAME_START;
  out[i++] = frame.meterType & 0xff;
  out.set(encodeCjt188Address(frame.address), i);
  i += 7;
  out[i++] = frame.control & 0xff;
  out[i++] = frame.data.length;
  out.set(frame.data, i);
  i += frame.data.length;
  out[i] = sumMod256(out, preamble, i);
  out[i + 1] = FRAME_END;
  return out;
}

export interface Cjt188FrameInspection {
  frame: Cjt188Frame;
  leadingBytes: number;
  trailingBytes: number;
  checksum: number;
  expectedChecksum: number;
  checksumOk: boolean;
}

/** Parse one frame (FE preamble allowed) without insisting on a good checksum. */
export function inspectCjt188Frame(bytes: Uint8Array): Cjt188FrameInspection {
  let start = 0;
  while (start < bytes.length && bytes[start] === PREAMBLE) start++;
  const where = `byte ${start}`;
  if (start >= bytes.length) throw new Cjt188FrameError(bytes.length === 0 ? 'no bytes' : 'only FE preamble bytes', where, bytes);
  if (bytes[start] !== FRAME_START) throw new Cjt188FrameError(`starts with 0x${hexByte(bytes[start])}, expected 68`, where, bytes);
  const available = bytes.length - start;
  if (available < CJT188_SHAPE.headerLength + 2) throw new Cjt188FrameError(`only ${available} bytes, a frame has at least 13`, where, bytes);
  const dataLength = bytes[start + 10];
  const total = frameLength(CJT188_SHAPE, dataLength);
  if (available < total) {
    throw new Cjt188FrameError(`length byte says ${dataLength} data bytes (frame of ${total}), but only ${available} bytes follow`, `byte ${start + 10}`, bytes);
  }
  const end = start + total;
  if (bytes[end - 1] !== FRAME_END) throw new Cjt188FrameError(`frame ends with 0x${hexByte(bytes[end - 1])}, expected 16`, `byte ${end - 1}`, bytes);
  const expectedChecksum = sumMod256(bytes, start, end - 2);
  return {
    frame: {
      meterType: bytes[start + 1],
      address: decodeCjt188Address(bytes, start + 2),
      control: bytes[start + 9],
      data: bytes.slice(start + 11, start + 11 + dataLength),
    },
    leadingBytes: start,
    trailingBytes: bytes.length - end,
    checksum: bytes[end - 2],
    expectedChecksum,
    checksumOk: expectedChecksum === bytes[end - 2],
  };
}

/** Strict decode: one frame (FE preamble allowed), valid checksum, nothing after the end byte. */
export function decodeCjt188Frame(bytes: Uint8Array): Cjt188Frame {
  const inspection = inspectCjt188Frame(bytes);
  if (!inspection.checksumOk) {
    throw new Cjt188ChecksumError({ address: inspection.frame.address }, bytes,
      `checksum is 0x${hexByte(inspection.checksum)}, expected 0x${hexByte(inspection.expectedChecksum)}`);
  }
  if (inspection.trailingBytes > 0) {
    throw new Cjt188FrameError(`${inspection.trailingBytes} bytes follow the end byte`, `byte ${bytes.length - inspection.trailingBytes}`, bytes);
  }
  return inspection.frame;
}

export function isFromMeter(control: number): boolean {
  return (control & CJT188_DIRECTION_BIT) !== 0;
}

export function isAbnormalReply(control: number): boolean {
  return (control & CJT188_ABNORMAL_BIT) !== 0;
}

export function cjt188FunctionCode(control: number): number {
  return control & CJT188_FUNCTION_MASK;
}

/** Read-data request: DI + sequence byte SER. */
export function cjt188ReadRequest(meterType: number, address: string, di: string, ser: number, order: Cjt188DiOrder = 'as-written'): Cjt188Frame {
  const data = new Uint8Array(3);
  data.set(encodeCjt188DataId(di, order));
  data[2] = ser & 0xff;
  return { meterType, address: normalizeCjt188Address(address), control: Cjt188Function.READ_DATA, data };
}

function hexByte(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
