/**
 * Human-oriented decoding of one CJ/T 188 frame for `axon decode cjt188 <hex>`:
 * plain JSON data, the 901F record decoded when present.
 */
import { toHex } from '../bytes.js';
import { Cjt188ValueError } from './errors.js';
import {
  Cjt188Function,
  cjt188FunctionCode,
  decodeCjt188DataId,
  inspectCjt188Frame,
  isAbnormalReply,
  isFromMeter,
  meterTypeName,
  type Cjt188DiOrder,
} from './frame.js';
import { decodeCjt188Record, decodeCjt188Status, type Cjt188Quantity, type Cjt188Status } from './record.js';

export interface Cjt188Description {
  protocol: 'cjt188';
  /** Meter type byte as hex, e.g. "10". */
  meterType: string;
  meterTypeName: string;
  address: string;
  control: string;
  function: string;
  direction: 'master-to-meter' | 'meter-to-master';
  abnormal: boolean;
  dataLength: number;
  di?: string;
  diOrder?: Cjt188DiOrder;
  ser?: number;
  /** Decoded quantities of a 901F reply, by field name. */
  values?: Record<string, Cjt188Quantity>;
  time?: string;
  status?: Cjt188Status;
  data: string;
  checksum: string;
  expectedChecksum: string;
  checksumOk: boolean;
  preambleBytes: number;
  /** The meter's status word in an abnormal reply. */
  error?: { status: string; valve: string; batteryLow: boolean };
  notes?: string[];
}

const FUNCTION_NAMES: Record<number, string> = {
  [Cjt188Function.READ_DATA]: 'read data',
  [Cjt188Function.READ_ADDRESS]: 'read address',
  [Cjt188Function.WRITE_DATA]: 'write data',
  [Cjt188Function.READ_KEY_VERSION]: 'read key version',
  [Cjt188Function.WRITE_ADDRESS]: 'write address',
  [Cjt188Function.WRITE_SYNC_DATA]: 'write mechanical sync data',
};

export function describeCjt188Frame(bytes: Uint8Array): Cjt188Description {
  const inspection = inspectCjt188Frame(bytes);
  const { frame } = inspection;
  const fn = cjt188FunctionCode(frame.control);
  const fromMeter = isFromMeter(frame.control);
  const abnormal = fromMeter && isAbnormalReply(frame.control);
  const notes: string[] = [];
  const out: Cjt188Description = {
    protocol: 'cjt188',
    meterType: hex(frame.meterType),
    meterTypeName: meterTypeName(frame.meterType),
    address: frame.address,
    control: hex(frame.control),
    function: FUNCTION_NAMES[fn] ?? `function 0x${hex(fn)}`,
    direction: fromMeter ? 'meter-to-master' : 'master-to-meter',
    abnormal,
    dataLength: frame.data.length,
    data: toHex(frame.data, ' '),
    checksum: hex(inspection.checksum),
    expectedChecksum: hex(inspection.expectedChecksum),
    checksumOk: inspection.checksumOk,
    preambleBytes: inspection.leadingBytes,
  };
  if (!inspection.checksumOk) notes.push(`checksum is ${out.checksum} but the bytes sum to ${out.expectedChecksum}`);
  if (inspection.trailingBytes > 0) notes.push(`${inspection.trailingBytes} bytes after the end byte were ignored`);

  if (abnormal) {
    // Abnormal replies carry SER and the status word, no DI.
    if (frame.data.length >= 3) {
      out.ser = frame.data[0];
      const status = decodeCjt188Status(frame.data[1], frame.data[2]);
      out.error = { status: status.raw.toString(16).padStart(4, '0').toUpperCase(), valve: status.valve, batteryLow: status.batteryLow };
    } else {
      notes.push('abnormal reply without the SER and status bytes');
    }
  } else if (frame.data.length >= 2) {
    const di = decodeCjt188DataId(frame.data, 0);
    out.di = di.di;
    out.diOrder = di.order;
    if (frame.data.length >= 3) out.ser = frame.data[2];
    if (fromMeter && fn === Cjt188Function.READ_DATA && di.di === '901F') {
      try {
        const record = decodeCjt188Record(frame.meterType, frame.data.subarray(3));
        out.values = record.values;
        if (record.time !== undefined) out.time = record.time;
        else notes.push('real-time field is not a valid date in either byte order');
        if (record.timeOrder === 'reading-order') notes.push('real time was sent in reading order (YYYY MM DD hh mm ss), not low byte first');
        out.status = record.status;
      } catch (error) {
        if (!(error instanceof Cjt188ValueError)) throw error;
        notes.push(error.detail);
      }
    }
  } else if (frame.data.length > 0) {
    notes.push('data field too short for a DI');
  }
  if (notes.length > 0) out.notes = notes;
  return out;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}
