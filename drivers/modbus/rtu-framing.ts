/**
 * Pure RTU reply framing: find a CRC-valid reply in received bytes, and say
 * what the bytes look like when they hold none. The master adds timing on top.
 */
import { hasValidCrc } from './crc16.js';
import {
  ModbusCrcError,
  ModbusNoiseError,
  ModbusTimeoutError,
  ModbusTruncatedFrameError,
  type ModbusError,
} from './errors.js';
import { replyPduLengthFromBytes, type PreparedRequest } from './pdu.js';

export interface FoundFrame {
  /** Offset of the frame's unit byte; bytes before it are noise. */
  start: number;
  /** Frame length including unit id and CRC. */
  length: number;
}

/** First CRC-valid reply frame in `buffer[0, length)` for function `fc`, from any unit. */
export function findReplyFrame(buffer: Uint8Array, length: number, fc: number): FoundFrame | undefined {
  for (let start = 0; start + 4 <= length; start++) {
    const unit = buffer[start];
    const replyFc = buffer[start + 1];
    if (unit < 1 || unit > 247 || (replyFc !== fc && replyFc !== (fc | 0x80))) continue;
    const pduLength = replyPduLengthFromBytes(buffer, start + 1, length - start - 1);
    if (pduLength === undefined) continue;
    const frameLength = pduLength + 3;
    if (start + frameLength <= length && hasValidCrc(buffer, start, start + frameLength)) return { start, length: frameLength };
  }
  return undefined;
}

export type LeftoverKind = 'crc' | 'truncated' | 'noise';

/** What received bytes holding no valid frame look like, judged against the request. */
export function classifyLeftovers(request: PreparedRequest, buffer: Uint8Array, length: number): { kind: LeftoverKind; expected: number } {
  const { unit, fc } = request.ctx;
  const isException = length >= 2 && buffer[1] === (fc | 0x80);
  const expected = isException ? 5 : request.replyLength + 3;
  if (length >= 2 && buffer[0] === unit && (buffer[1] === fc || isException)) {
    return { kind: length >= expected ? 'crc' : 'truncated', expected };
  }
  return { kind: 'noise', expected };
}

/** The error for a request that ended with these bytes and no valid frame. */
export function errorForLeftovers(request: PreparedRequest, buffer: Uint8Array, length: number, timeoutMs: number): ModbusError {
  const ctx = request.ctx;
  if (length === 0) return new ModbusTimeoutError(ctx, timeoutMs);
  const bytes = buffer.slice(0, length);
  const verdict = classifyLeftovers(request, buffer, length);
  if (verdict.kind === 'crc') return new ModbusCrcError(ctx, bytes);
  if (verdict.kind === 'truncated') return new ModbusTruncatedFrameError(ctx, bytes, verdict.expected);
  return new ModbusNoiseError(ctx, bytes);
}

/**
 * Decode a complete RTU reply to `request` in one go (no timing): the reply
 * PDU when a valid frame from the right unit is present, else the error the
 * master would report. Used by tools and benchmarks.
 */
export function parseRtuReply(request: PreparedRequest, bytes: Uint8Array): { pdu: Uint8Array; discarded: number } | ModbusError {
  const frame = findReplyFrame(bytes, bytes.length, request.ctx.fc);
  if (frame === undefined) return errorForLeftovers(request, bytes, bytes.length, 0);
  return { pdu: bytes.slice(frame.start + 1, frame.start + frame.length - 2), discarded: frame.start };
}
