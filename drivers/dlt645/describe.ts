/**
 * Human-oriented decoding of one DL/T 645 frame, for `axon decode dlt645 <hex>`
 * and for logs: every field named, the data with the 0x33 offset removed, the
 * value decoded when the DI is in the table. The result is plain JSON data.
 */
import { toHex } from '../bytes.js';
import { BcdDigitError } from './bcd.js';
import { decodeDataValue, lookupDataId } from './data-ids.js';
import { dlt645ErrorNames } from './errors.js';
import {
  DLT645_FOLLOW_UP_BIT,
  Dlt645Function,
  dataIdLength,
  decodeDataId,
  decodeDlt645Address,
  functionCode,
  inspectDlt645Frame,
  isAbnormalReply,
  isFromMeter,
  type Dlt645Version,
} from './frame.js';

export interface Dlt645Description {
  protocol: 'dlt645';
  version: Dlt645Version;
  /** Meter address, 12 digits, most significant first. */
  address: string;
  /** Control byte as hex, e.g. "91". */
  control: string;
  function: string;
  direction: 'master-to-meter' | 'meter-to-master';
  /** The meter's abnormal-reply flag (D1/C1). */
  abnormal: boolean;
  followUp: boolean;
  dataLength: number;
  di?: string;
  name?: string;
  value?: number;
  unit?: string;
  /** Address carried in a read-address reply's data. */
  reportedAddress?: string;
  /** Data field without the 0x33 offset, hex. */
  data: string;
  /** Data field as on the wire, hex. */
  rawData: string;
  checksum: string;
  expectedChecksum: string;
  checksumOk: boolean;
  preambleBytes: number;
  /** The meter's error status in an abnormal reply. */
  error?: { err: string; names: string[] };
  /** Anything odd a reader should know (trailing bytes, undecodable value). */
  notes?: string[];
}

const FUNCTION_NAMES_2007: Record<number, string> = {
  0x08: 'broadcast time',
  0x11: 'read data',
  0x12: 'read follow-up data',
  0x13: 'read address',
  0x14: 'write data',
  0x15: 'write address',
  0x16: 'freeze',
  0x17: 'change baud rate',
  0x18: 'change password',
  0x19: 'clear maximum demand',
  0x1a: 'clear meter',
  0x1b: 'clear events',
};

const FUNCTION_NAMES_1997: Record<number, string> = {
  0x01: 'read data',
  0x02: 'read follow-up data',
  0x03: 'reread data',
  0x04: 'write data',
  0x08: 'broadcast time',
  0x0a: 'write address',
  0x0c: 'change baud rate',
  0x0f: 'change password',
  0x10: 'clear maximum demand',
};

/** Guess the edition from the function code; the two sets overlap only in broadcast time. */
export function guessDlt645Version(control: number): Dlt645Version {
  const fn = functionCode(control);
  return fn in FUNCTION_NAMES_1997 && fn !== Dlt645Function.BROADCAST_TIME ? '1997' : '2007';
}

export function describeDlt645Frame(bytes: Uint8Array, options: { version?: Dlt645Version } = {}): Dlt645Description {
  const inspection = inspectDlt645Frame(bytes);
  const { frame } = inspection;
  const version = options.version ?? guessDlt645Version(frame.control);
  const fn = functionCode(frame.control);
  const fromMeter = isFromMeter(frame.control);
  const abnormal = fromMeter && isAbnormalReply(frame.control);
  const names = version === '2007' ? FUNCTION_NAMES_2007 : FUNCTION_NAMES_1997;
  const notes: string[] = [];
  const out: Dlt645Description = {
    protocol: 'dlt645',
    version,
    address: frame.address,
    control: hex(frame.control),
    function: names[fn] ?? `function 0x${hex(fn)}`,
    direction: fromMeter ? 'meter-to-master' : 'master-to-meter',
    abnormal,
    followUp: (frame.control & DLT645_FOLLOW_UP_BIT) !== 0,
    dataLength: frame.data.length,
    data: toHex(frame.data, ' '),
    rawData: toHex(inspection.wireData, ' '),
    checksum: hex(inspection.checksum),
    expectedChecksum: hex(inspection.expectedChecksum),
    checksumOk: inspection.checksumOk,
    preambleBytes: inspection.leadingBytes,
  };
  if (!inspection.checksumOk) notes.push(`checksum is ${out.checksum} but the bytes sum to ${out.expectedChecksum}`);
  if (inspection.trailingBytes > 0) notes.push(`${inspection.trailingBytes} bytes after the end byte were ignored`);

  const isRead = (version === '2007' && (fn === Dlt645Function.READ_DATA || fn === Dlt645Function.READ_FOLLOW_UP)) ||
    (version === '1997' && (fn === Dlt645Function.READ_DATA_1997 || fn === Dlt645Function.READ_FOLLOW_UP_1997 || fn === Dlt645Function.REREAD_1997));
  if (abnormal) {
    const err = frame.data.length > 0 ? frame.data[0] : 0;
    out.error = { err: hex(err), names: dlt645ErrorNames(err, version) };
  } else if (isRead) {
    describeReadData(out, frame.data, version, fromMeter, notes);
  } else if (version === '2007' && fn === Dlt645Function.READ_ADDRESS && fromMeter && frame.data.length >= 6) {
    out.reportedAddress = decodeDlt645Address(frame.data, 0);
  }
  if (notes.length > 0) out.notes = notes;
  return out;
}

function describeReadData(out: Dlt645Description, data: Uint8Array, version: Dlt645Version, fromMeter: boolean, notes: string[]): void {
  const diLength = dataIdLength(version);
  if (data.length < diLength) {
    notes.push(`data field of ${data.length} bytes is too short for a ${diLength}-byte DI`);
    return;
  }
  out.di = decodeDataId(data, 0, diLength);
  const entry = lookupDataId(out.di);
  if (entry !== undefined && entry.version === version) {
    out.name = entry.name;
    out.unit = entry.unit;
  }
  if (!fromMeter) return;
  if (entry === undefined || entry.version !== version) {
    notes.push(`DI ${out.di} is not in the built-in table; the value is left undecoded`);
    return;
  }
  const valueBytes = data.subarray(diLength);
  if (valueBytes.length < entry.bytes) {
    notes.push(`value has ${valueBytes.length} bytes, DI ${out.di} needs ${entry.bytes}`);
    return;
  }
  try {
    out.value = decodeDataValue(entry, valueBytes.subarray(0, entry.bytes));
  } catch (error) {
    if (!(error instanceof BcdDigitError)) throw error;
    notes.push(`value bytes ${toHex(valueBytes.subarray(0, entry.bytes), ' ')} are not BCD`);
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}
