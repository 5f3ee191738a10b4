/**
 * DL/T 645 (2007 and 1997) link frames:
 *
 *   [FE×0–4] 68 A0..A5 68 C L DATA CS 16
 *
 * The address is 6 BCD bytes sent low byte first; we write it as 12 digits
 * most significant first, as printed on the meter's nameplate. Every DATA byte
 * carries +0x33 on the wire; `Dlt645Frame.data` holds the bytes without it.
 * CS is the byte sum mod 256 from the first 68 through the last data byte.
 */
import { toHex } from '../bytes.js';
import { Dlt645ChecksumError, Dlt645FrameError, Dlt645RequestError } from './errors.js';
import { FRAME_END, FRAME_START, PREAMBLE, frameLength, sumMod256, type FrameShape } from './framing.js';

export type Dlt645Version = '2007' | '1997';

export interface Dlt645Frame {
  /** 12 hex digits, most significant first (normally decimal digits; AA… is the wildcard). */
  address: string;
  control: number;
  /** The data field with the 0x33 offset removed. */
  data: Uint8Array;
}

/** Read-address requests go to this wildcard; every meter on a point-to-point link answers. */
export const DLT645_WILDCARD_ADDRESS = 'AAAAAAAAAAAA';
/** Broadcast (time sync, freeze); meters never answer it. */
export const DLT645_BROADCAST_ADDRESS = '999999999999';

/** Control byte: bit 7 direction (1 = from meter), bit 6 abnormal reply, bit 5 follow-up frame, bits 4–0 function. */
export const DLT645_DIRECTION_BIT = 0x80;
export const DLT645_ABNORMAL_BIT = 0x40;
export const DLT645_FOLLOW_UP_BIT = 0x20;
export const DLT645_FUNCTION_MASK = 0x1f;

export const Dlt645Function = {
  BROADCAST_TIME: 0x08,
  READ_DATA: 0x11,
  READ_FOLLOW_UP: 0x12,
  READ_ADDRESS: 0x13,
  WRITE_DATA: 0x14,
  WRITE_ADDRESS: 0x15,
  FREEZE: 0x16,
  CHANGE_BAUD: 0x17,
  CHANGE_PASSWORD: 0x18,
  CLEAR_DEMAND: 0x19,
  CLEAR_METER: 0x1a,
  CLEAR_EVENTS: 0x1b,
  /** DL/T 645-1997 function codes. */
  READ_DATA_1997: 0x01,
  READ_FOLLOW_UP_1997: 0x02,
  REREAD_1997: 0x03,
  WRITE_DATA_1997: 0x04,
  WRITE_ADDRESS_1997: 0x0a,
  CHANGE_BAUD_1997: 0x0c,
  CHANGE_PASSWORD_1997: 0x0f,
  CLEAR_DEMAND_1997: 0x10,
} as const;

/** Bytes of a data identifier in each edition. */
export function dataIdLength(version: Dlt645Version): 4 | 2 {
  return version === '2007' ? 4 : 2;
}

export const DLT645_SHAPE: FrameShape = {
  headerLength: 10,
  lengthOffset: 9,
  plausibleHeader: (buffer, start, available) => available < 8 || buffer[start + 7] === FRAME_START,
};

const ADDRESS_DIGITS = 12;

/**
 * Accepts "000000000161", "161" (left-padded), 161, "00-00-00-00-01-61" and
 * "AAAAAAAAAAAA". Returns 12 upper-case hex digits.
 */
export function normalizeDlt645Address(address: string | number): string {
  const text = typeof address === 'number' ? (Number.isSafeInteger(address) && address >= 0 ? String(address) : '') : address.replace(/[\s:_-]/g, '');
  if (!/^[0-9a-fA-F]{1,12}$/.test(text)) {
    throw new Dlt645RequestError(`meter address ${JSON.stringify(String(address))} is not up to 12 digits`,
      'give the 12-digit address printed on the meter (e.g. 000000000161), most significant digit first; use AAAAAAAAAAAA to ask a lone meter for its address');
  }
  return text.toUpperCase().padStart(ADDRESS_DIGITS, '0');
}

/** Address as 6 wire bytes, low byte first. */
export function encodeDlt645Address(address: string): Uint8Array {
  const digits = normalizeDlt645Address(address);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(digits.slice(10 - 2 * i, 12 - 2 * i), 16);
  return out;
}

export function decodeDlt645Address(bytes: Uint8Array, offset = 0): string {
  let out = '';
  for (let i = 5; i >= 0; i--) out += toHex(bytes.subarray(offset + i, offset + i + 1));
  return out.toUpperCase();
}

/** Data identifier ("00010000", "9010") as wire bytes DI0 first, without the 0x33 offset. */
export function encodeDataId(di: string): Uint8Array {
  if (!/^([0-9a-fA-F]{4}|[0-9a-fA-F]{8})$/.test(di)) {
    throw new Dlt645RequestError(`data identifier ${JSON.stringify(di)} is not 8 hex digits (2007) or 4 (1997)`,
      'write the DI as printed in the standard, most significant byte first: 00010000 (2007) or 9010 (1997)');
  }
  const count = di.length / 2;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = parseInt(di.slice(di.length - 2 - 2 * i, di.length - 2 * i), 16);
  return out;
}

/** Read `length` DI bytes at `offset` of a data field (DI0 first) as hex DI3..DI0. */
export function decodeDataId(data: Uint8Array, offset: number, length: number): string {
  let out = '';
  for (let i = length - 1; i >= 0; i--) out += toHex(data.subarray(offset + i, offset + i + 1));
  return out.toUpperCase();
}

export interface EncodeOptions {
  /** FE wake-up bytes before the frame; the standard suggests 4, some meters need none. */
  preambleBytes?: number;
}

export function encodeDlt645Frame(frame: Dlt645Frame, options: EncodeOptions = {}): Uint8Array {
  const preamble = options.preambleBytes ?? 0;
  if (frame.data.length > 255) {
    throw new Dlt645RequestError(`data field of ${frame.data.length} bytes is longer than 255`, 'split the request');
  }
  const out = new Uint8Array(preamble + frameLength(DLT645_SHAPE, frame.data.length));
  out.fill(PREAMBLE, 0, preamble);
  let i = preamble;
  out[i++] = FRAME_START;
  out.set(encodeDlt645Address(frame.address), i);
  i += 6;
  out[i++] = FRAME_START;
  out[i++] = frame.control & 0xff;
  out[i++] = frame.data.length;
  for (const byte of frame.data) out[i++] = (byte + 0x33) & 0xff;
  out[i] = sumMod256(out, preamble, i);
  out[i + 1] = FRAME_END;
  return out;
}

/** A frame plus what a human inspecting it wants to know. */
export interface Dlt645FrameInspection {
  frame: Dlt645Frame;
  /** FE bytes (or other leading bytes) skipped before the first 68. */
  leadingBytes: number;
  /** Bytes after the 16 end byte. */
  trailingBytes: number;
  checksum: number;
  expectedChecksum: number;
  checksumOk: boolean;
  /** The data field as sent (with +0x33). */
  wireData: Uint8Array;
}

/**
 * Parse one frame without insisting on a good checksum (for `axon decode`).
 * Leading FE bytes are skipped; anything else before the 68 is an error here
 * (the receive framer in the client is the tolerant path).
 */
export function inspectDlt645Frame(bytes: Uint8Array): Dlt645FrameInspection {
  let start = 0;
  while (start < bytes.length && bytes[start] === PREAMBLE) start++;
  const where = `byte ${start}`;
  if (start >= bytes.length) throw new Dlt645FrameError(bytes.length === 0 ? 'no bytes' : 'only FE preamble bytes', where, bytes);
  if (bytes[start] !== FRAME_START) throw new Dlt645FrameError(`starts with 0x${hexByte(bytes[start])}, expected 68`, where, bytes);
  const available = bytes.length - start;
  if (available < DLT645_SHAPE.headerLength + 2) throw new Dlt645FrameError(`only ${available} bytes, a frame has at least 12`, where, bytes);
  if (bytes[start + 7] !== FRAME_START) {
    throw new Dlt645FrameError(`byte 7 of the frame is 0x${hexByte(bytes[start + 7])}, expected the second 68`, `byte ${start + 7}`, bytes);
  }
  const dataLength = bytes[start + 9];
  const total = frameLength(DLT645_SHAPE, dataLength);
  if (available < total) {
    throw new Dlt645FrameError(`length byte says ${dataLength} data bytes (frame of ${total}), but only ${available} bytes follow`, `byte ${start + 9}`, bytes);
  }
  const end = start + total;
  if (bytes[end - 1] !== FRAME_END) throw new Dlt645FrameError(`frame ends with 0x${hexByte(bytes[end - 1])}, expected 16`, `byte ${end - 1}`, bytes);
  const wireData = bytes.slice(start + 10, start + 10 + dataLength);
  const data = wireData.map((b) => (b - 0x33) & 0xff);
  const expectedChecksum = sumMod256(bytes, start, end - 2);
  return {
    frame: { address: decodeDlt645Address(bytes, start + 1), control: bytes[start + 8], data },
    leadingBytes: start,
    trailingBytes: bytes.length - end,
    checksum: bytes[end - 2],
    expectedChecksum,
    checksumOk: expectedChecksum === bytes[end - 2],
    wireData,
  };
}

/** Strict decode: one frame (FE preamble allowed), valid checksum, nothing after the end byte. */
export function decodeDlt645Frame(bytes: Uint8Array): Dlt645Frame {
  const inspection = inspectDlt645Frame(bytes);
  if (!inspection.checksumOk) {
    throw new Dlt645ChecksumError({ address: inspection.frame.address }, bytes,
      `checksum is 0x${hexByte(inspection.checksum)}, expected 0x${hexByte(inspection.expectedChecksum)}`);
  }
  if (inspection.trailingBytes > 0) {
    throw new Dlt645FrameError(`${inspection.trailingBytes} bytes follow the end byte`, `byte ${bytes.length - inspection.trailingBytes}`, bytes);
  }
  return inspection.frame;
}

export function isFromMeter(control: number): boolean {
  return (control & DLT645_DIRECTION_BIT) !== 0;
}

export function isAbnormalReply(control: number): boolean {
  return (control & DLT645_ABNORMAL_BIT) !== 0;
}

export function functionCode(control: number): number {
  return control & DLT645_FUNCTION_MASK;
}

/** Read-data request for `di` (8 hex digits: 2007, control 11; 4 hex digits: 1997, control 01). */
export function readDataRequest(address: string, di: string): Dlt645Frame {
  const version = versionOfDataId(di);
  return {
    address: normalizeDlt645Address(address),
    control: version === '2007' ? Dlt645Function.READ_DATA : Dlt645Function.READ_DATA_1997,
    data: encodeDataId(di),
  };
}

/** The edition a DI belongs to, from its length. */
export function versionOfDataId(di: string): Dlt645Version {
  if (di.length === 8) return '2007';
  if (di.length === 4) return '1997';
  encodeDataId(di); // throws the descriptive error
  return '2007';
}

function hexByte(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
