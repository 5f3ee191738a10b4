/**
 * Why the points of a poll failed, in words a field engineer acts on: a
 * timeout (wiring, unit id, baud rate), a CRC error (termination, noise), a
 * Modbus exception (the register map), a late reply (the timeout setting).
 * The drivers already put the cause on each failed reading (a ModbusError,
 * Dlt645Error, …, with a stable code); this names it and groups the points by
 * it, for the console line (event-text.ts), the Pi's structured log and its
 * status page. Runtime-neutral.
 */
import type { PointReading } from '../devices/reading.js';
import type { PollResult } from '../scheduler/port-scheduler.js';

export type PollFailureReason =
  | 'timeout'
  | 'crc'
  | 'exception'
  | 'late-reply'
  | 'noise'
  | 'wrong-reply'
  | 'link'
  | 'out-of-range'
  | 'other';

/** Every reason, in the order reports list them. */
export const POLL_FAILURE_REASONS: readonly PollFailureReason[] = ['timeout', 'crc', 'exception', 'late-reply', 'noise', 'wrong-reply', 'link', 'out-of-range', 'other'];

const REASON_OF_CODE: Readonly<Record<string, PollFailureReason>> = {
  MODBUS_TIMEOUT: 'timeout',
  DLT645_TIMEOUT: 'timeout',
  CJT188_TIMEOUT: 'timeout',
  MODBUS_CRC: 'crc',
  DLT645_CHECKSUM: 'crc',
  CJT188_CHECKSUM: 'crc',
  MODBUS_EXCEPTION: 'exception',
  DLT645_DEVICE_ERROR: 'exception',
  CJT188_DEVICE_ERROR: 'exception',
  MODBUS_LATE_RESPONSE: 'late-reply',
  MODBUS_NOISE: 'noise',
  MODBUS_TRUNCATED: 'noise',
  DLT645_MALFORMED: 'noise',
  CJT188_MALFORMED: 'noise',
  MODBUS_WRONG_UNIT: 'wrong-reply',
  MODBUS_WRONG_FUNCTION: 'wrong-reply',
  MODBUS_MALFORMED: 'wrong-reply',
  MODBUS_TRANSACTION_MISMATCH: 'wrong-reply',
  DLT645_WRONG_ADDRESS: 'wrong-reply',
  DLT645_UNEXPECTED_REPLY: 'wrong-reply',
  CJT188_WRONG_ADDRESS: 'wrong-reply',
  CJT188_UNEXPECTED_REPLY: 'wrong-reply',
  MODBUS_LINK: 'link',
  DLT645_LINK: 'link',
  CJT188_LINK: 'link',
  POINT_OUT_OF_RANGE: 'out-of-range',
};

type CodedError = Error & { code?: string; exceptionCode?: number; exceptionName?: string; where?: string };

/** The reason of one failed reading's error. */
export function failureReason(error: Error): PollFailureReason {
  const code = (error as CodedError).code;
  return (code === undefined ? undefined : REASON_OF_CODE[code]) ?? 'other';
}

/** One cause and the points it failed. */
export interface PollFailureGroup {
  reason: PollFailureReason;
  /** The error's stable code (MODBUS_TIMEOUT, MODBUS_EXCEPTION, …); 'UNKNOWN' for an error without one. */
  code: string;
  /** Modbus exceptions: the exception code and its name (2, ILLEGAL_DATA_ADDRESS). */
  exception?: { code: number; name: string };
  /** Short: "timeout", "CRC", "exception 2 ILLEGAL_DATA_ADDRESS", "late reply". */
  label: string;
  /** Where the driver says it happened (port, unit, function, registers), when it says. */
  where?: string;
  /** The driver's full message (with its fix). */
  message: string;
  points: string[];
}

export interface PollFailureSummary {
  bus: string;
  device: string;
  failed: number;
  total: number;
  /** The causes, largest group first. */
  groups: PollFailureGroup[];
}

/** Number of failed readings of a poll. Allocates nothing: it runs on every poll. */
export function failedPointCount(readings: Readonly<Record<string, PointReading>>): number {
  let failed = 0;
  for (const point in readings) if (!readings[point].ok) failed++;
  return failed;
}

function labelOf(reason: PollFailureReason, error: CodedError): string {
  if (reason === 'exception' && typeof error.exceptionCode === 'number') return `exception ${error.exceptionCode} ${error.exceptionName ?? ''}`.trimEnd();
  if (reason === 'crc') return 'CRC';
  if (reason === 'exception') return `exception (${error.message.split(' (at ')[0]})`;
  if (reason === 'other') return error.name === 'Error' || error.name === '' ? 'error' : error.name;
  return reason.replaceAll('-', ' ');
}

/** The failed points of a poll grouped by cause, or undefined when every point was read. */
export function summarizePollFailures(poll: PollResult): PollFailureSummary | undefined {
  const failed = failedPointCount(poll.readings);
  if (failed === 0) return undefined;
  const groups = new Map<string, PollFailureGroup>();
  let total = 0;
  for (const point in poll.readings) {
    total++;
    const reading = poll.readings[point];
    if (reading.ok) continue;
    const error = reading.error as CodedError;
    const reason = failureReason(error);
    const label = labelOf(reason, error);
    const key = `${error.code ?? error.name}|${label}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { reason, code: error.code ?? 'UNKNOWN', label, message: error.message, points: [] };
      if (typeof error.exceptionCode === 'number') group.exception = { code: error.exceptionCode, name: error.exceptionName ?? `EXCEPTION_${error.exceptionCode}` };
      if (typeof error.where === 'string') group.where = error.where;
      groups.set(key, group);
    }
    group.points.push(point);
  }
  return { bus: poll.bus, device: poll.device, failed, total, groups: [...groups.values()].sort((a, b) => b.points.length - a.points.length) };
}

/** "6/6 points failed: timeout at rs485-1 unit 3 FC03 address 0 count 6 (smoke_alarm, heat_alarm, …)" */
export function describePollFailures(summary: PollFailureSummary): string {
  const causes = summary.groups.map((g) => `${g.label}${g.where === undefined ? '' : ` at ${g.where}`} (${g.points.join(', ')})`);
  return `${summary.failed}/${summary.total} points failed: ${causes.join('; ')}`;
}
