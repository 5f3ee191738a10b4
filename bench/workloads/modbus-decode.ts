/**
 * Workload `modbus.fc03x10`: one FC03 reply of 10 registers, from the raw RTU
 * bytes to engineering values, through the core's own functions:
 *   parseRtuReply   find the frame (skipping noise) and check its CRC,
 *   unit check      the frame must come from the unit asked (as the master does),
 *   checkReplyPdu   function code, length and byte count against the request,
 *   registersFromReply  the 10 words,
 *   decodePointValue    each manifest point to its engineering value, with the
 *                       manifest's plausible range checked.
 * The request is prepared once in setup (a master prepares it before sending).
 */
import { fromHex } from '../../drivers/bytes.js';
import type { ModbusPoint } from '../../drivers/devices/manifest.js';
import { pointSpan } from '../../drivers/devices/read-plan.js';
import { checkReplyPdu, prepareRead, registersFromReply, type PreparedRequest } from '../../drivers/modbus/pdu.js';
import { parseRtuReply } from '../../drivers/modbus/rtu-framing.js';
import { decodePointValue } from '../../drivers/modbus/values.js';
import { baselines, syncWorkload, type WorkloadTable } from './harness.js';
import { BENCH_POINTS, FC03_ADDRESS, FC03_COUNT, FC03_UNIT, FC03X10_REPLY_HEX } from './fixtures.js';

/** A point and where its registers sit in the reply. */
export interface PointSlot {
  point: ModbusPoint;
  offset: number;
  span: number;
}

export interface DecodedRegisters {
  registers: Uint16Array;
  values: Record<string, number | boolean>;
}

/** Where each point's registers sit in a read starting at `address` (done once, like the read plan). */
export function slotsFor(points: readonly ModbusPoint[], address: number): PointSlot[] {
  return points.map((point) => ({ point, offset: point.address - address, span: pointSpan(point) }));
}

/** Raw RTU reply bytes → registers → engineering values. Throws the core's error when the reply is bad. */
export function decodeRegisterReply(request: PreparedRequest, slots: readonly PointSlot[], bytes: Uint8Array): DecodedRegisters {
  const parsed = parseRtuReply(request, bytes);
  if (parsed instanceof Error) throw parsed;
  const unit = bytes[parsed.discarded];
  if (unit !== request.ctx.unit) throw new RangeError(`reply from unit ${unit}, expected ${request.ctx.unit}`);
  const pdu = checkReplyPdu(request, parsed.pdu);
  // checkReplyPdu has matched the byte count against the request.
  const registers = registersFromReply(pdu, pdu[1] >> 1);
  const values: Record<string, number | boolean> = {};
  for (const { point, offset, span } of slots) {
    const value = decodePointValue(point, registers.subarray(offset, offset + span));
    if (typeof value === 'number' && (!Number.isFinite(value) || (point.min !== undefined && value < point.min) || (point.max !== undefined && value > point.max))) {
      throw new RangeError(`point '${point.id}': ${value} is outside its plausible range`);
    }
    values[point.id] = value;
  }
  return { registers, values };
}

/** The JSON-stable form of a decoded reply (what tests and the XS cross-check compare). */
export function summarizeRegisters(result: DecodedRegisters): { registers: number[]; values: Record<string, number | boolean> } {
  return { registers: Array.from(result.registers), values: result.values };
}

export const workloads: WorkloadTable = {
  ...baselines,
  'modbus.fc03x10': syncWorkload(
    'one 10-register FC03 RTU reply decoded: frame + CRC, PDU vs request, registers, 8 manifest points to engineering values',
    () => {
      const request = prepareRead(FC03_UNIT, 3, FC03_ADDRESS, FC03_COUNT);
      const slots = slotsFor(BENCH_POINTS, FC03_ADDRESS);
      const bytes = fromHex(FC03X10_REPLY_HEX);
      return () => decodeRegisterReply(request, slots, bytes);
    },
    summarizeRegisters,
  ),
};
