/**
 * Read plan: which Modbus requests fetch a device's points with the fewest
 * round trips. Each request costs a fixed overhead on the wire (two t3.5
 * silences, the slave's turnaround, 8 request bytes, 5 reply bytes), while an
 * extra register costs 2 bytes, so reading a few unused registers between two
 * points is far cheaper than a second request (DESIGN.md §3).
 *
 * The plan is a pure function of the SET of points and the options:
 *  - Deterministic: the input order does not matter. Requests come out by
 *    function code (1, 2, 3, 4), then by start address; the ids inside a
 *    request are in address order, ties broken by id.
 *  - Stable: requests are formed greedily from the lowest address upward, so
 *    adding a point that is more than `maxGap` away from every other point's
 *    registers adds one request and leaves every existing request unchanged
 *    (field complaint: "read ranges silently reshuffled when a point is added").
 *  - Complete: every point appears in exactly one request, and all of its
 *    registers lie inside that request.
 */
import type { ModbusPoint } from './manifest.js';
import { wordCount } from '../modbus/values.js';

export interface ReadRequest {
  fc: 1 | 2 | 3 | 4;
  /** First register / coil, zero-based as sent on the wire. */
  address: number;
  /** Registers (FC03/04) or bits (FC01/02) to read. */
  count: number;
  /** Ids of the points this request serves, in address order. */
  points: string[];
}

export interface ReadPlanOptions {
  /** Largest run of unused registers/bits bridged to join two points into one request. Default 8. */
  maxGap?: number;
  /** Largest FC03/04 request, registers. Default and protocol limit 125. */
  maxRegisters?: number;
  /** Largest FC01/02 request, bits. Default and protocol limit 2000. */
  maxBits?: number;
}

/** Protocol limits from the Modbus application protocol specification. */
export const MODBUS_MAX_REGISTERS = 125;
export const MODBUS_MAX_BITS = 2000;
export const DEFAULT_MAX_GAP = 8;

const FUNCTION_CODES: ReadonlyArray<1 | 2 | 3 | 4> = [1, 2, 3, 4];

/** Registers (or bits, for FC01/02) that a point occupies. */
export function pointSpan(point: ModbusPoint): number {
  return point.fc === 1 || point.fc === 2 ? 1 : wordCount(point.type);
}

function checkLimit(name: string, value: number, limit: number): number {
  if (!Number.isInteger(value) || value < 1 || value > limit) {
    throw new RangeError(`read plan option ${name} must be an integer from 1 to ${limit}, got ${value}`);
  }
  return value;
}

function byAddressThenId(a: ModbusPoint, b: ModbusPoint): number {
  if (a.address !== b.address) return a.address - b.address;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function planReads(points: readonly ModbusPoint[], options: ReadPlanOptions = {}): ReadRequest[] {
  const maxGap = options.maxGap ?? DEFAULT_MAX_GAP;
  if (!Number.isInteger(maxGap) || maxGap < 0) throw new RangeError(`read plan option maxGap must be a whole number ≥ 0, got ${maxGap}`);
  const maxRegisters = checkLimit('maxRegisters', options.maxRegisters ?? MODBUS_MAX_REGISTERS, MODBUS_MAX_REGISTERS);
  const maxBits = checkLimit('maxBits', options.maxBits ?? MODBUS_MAX_BITS, MODBUS_MAX_BITS);

  const requests: ReadRequest[] = [];
  for (const fc of FUNCTION_CODES) {
    const group = points.filter((p) => p.fc === fc).sort(byAddressThenId);
    const limit = fc === 1 || fc === 2 ? maxBits : maxRegisters;
    let current: ReadRequest | undefined;
    let currentEnd = 0; // one past the last register of `current`
    for (const point of group) {
      const span = pointSpan(point);
      if (span > limit) {
        throw new RangeError(`point '${point.id}' spans ${span} registers, more than the request limit of ${limit}`);
      }
      const end = point.address + span;
      const gap = point.address - currentEnd;
      const joinedEnd = Math.max(currentEnd, end);
      if (current !== undefined && gap <= maxGap && joinedEnd - current.address <= limit) {
        current.points.push(point.id);
        current.count = joinedEnd - current.address;
        currentEnd = joinedEnd;
      } else {
        current = { fc, address: point.address, count: span, points: [point.id] };
        currentEnd = end;
        requests.push(current);
      }
    }
  }
  return requests;
}
