/**
 * Workloads on one DL/T 645-2007 read reply (DESIGN.md §4: 0.06 kWh):
 *
 * `dlt645.decode`: the path the client takes with a reply, minus the line:
 *   decodeDlt645Frame (FE skip, 68…68 shape, length, end byte, checksum, −0x33),
 *   the control byte (from the meter, normal, read data), the DI, its table
 *   entry, and the BCD value.
 *
 * `dlt645.describe`: describeDlt645Frame, the human-oriented decoder behind
 *   `axon decode` and logs (every field named, hex strings built).
 */
import { fromHex } from '../../drivers/bytes.js';
import { decodeDataValue, lookupDataId } from '../../drivers/dlt645/data-ids.js';
import { describeDlt645Frame } from '../../drivers/dlt645/describe.js';
import {
  Dlt645Function,
  dataIdLength,
  decodeDataId,
  decodeDlt645Frame,
  functionCode,
  isAbnormalReply,
  isFromMeter,
} from '../../drivers/dlt645/frame.js';
import { baselines, syncWorkload, type WorkloadTable } from './harness.js';
import { DLT645_REPLY_HEX } from './fixtures.js';

export interface Dlt645DecodedReading {
  address: string;
  di: string;
  name: string;
  value: number;
  unit: string;
}

/** A DL/T 645-2007 read-data reply → the reading it carries. Throws on anything else. */
export function decodeDlt645ReadReply(bytes: Uint8Array): Dlt645DecodedReading {
  const frame = decodeDlt645Frame(bytes);
  if (!isFromMeter(frame.control) || isAbnormalReply(frame.control) || functionCode(frame.control) !== Dlt645Function.READ_DATA) {
    throw new RangeError(`control 0x${frame.control.toString(16)} is not a normal read-data reply`);
  }
  const diLength = dataIdLength('2007');
  const di = decodeDataId(frame.data, 0, diLength);
  const entry = lookupDataId(di);
  if (entry === undefined || entry.version !== '2007') throw new RangeError(`DI ${di} is not in the 2007 table`);
  if (frame.data.length < diLength + entry.bytes) throw new RangeError(`DI ${di} needs ${entry.bytes} value bytes`);
  const value = decodeDataValue(entry, frame.data.subarray(diLength, diLength + entry.bytes));
  return { address: frame.address, di, name: entry.name, value, unit: entry.unit };
}

export const workloads: WorkloadTable = {
  ...baselines,
  'dlt645.decode': syncWorkload('one DL/T 645-2007 read reply (20 bytes) decoded: frame, checksum, control, DI lookup, BCD value', () => {
    const bytes = fromHex(DLT645_REPLY_HEX);
    return () => decodeDlt645ReadReply(bytes);
  }),
  'dlt645.describe': syncWorkload('one DL/T 645-2007 read reply described field by field (describeDlt645Frame)', () => {
    const bytes = fromHex(DLT645_REPLY_HEX);
    return () => describeDlt645Frame(bytes);
  }),
};
