/**
 * Sequenced message (type 4, docs/app-ack.md): a batch frame, an alert or an
 * alert group wrapped with the application sequence number the platform's
 * acknowledgement refers to.
 *
 *   byte 0      0x14
 *   bytes 1–2   bit 15: acknowledgement requested · bits 14–0: sequence number (mod 32768)
 *   bytes 3…    a complete batch frame (0x11 …), alert (0x12 …) or alert group (0x15 …)
 *
 * Why a wrapper and not a field in each header: the inner message stays
 * exactly what the store holds and what IP uplinks send, and the sequence is
 * given at the moment a frame first goes on the air (a frame resent keeps it).
 * Three bytes per frame are the whole cost. Data and alerts share one
 * sequence space, so one data-ack covers both; status is not sequenced.
 */
import { BatchError } from './errors.js';
import { readUint, writeUint } from './fixed-bytes.js';
import { headerByte } from './format.js';

/** Sequence numbers count modulo this (15 bits). */
export const SEQ_MODULUS = 0x8000;
export const SEQUENCED_OVERHEAD_BYTES = 3;
const ACK_REQUESTED = 0x8000;

export interface Sequenced {
  seq: number;
  /** The gateway asks the platform to acknowledge in the next receive window. */
  ackRequested: boolean;
  /** The wrapped message (a batch frame, an alert or an alert group). */
  inner: Uint8Array;
}

const WRAPPABLE = [headerByte('batch'), headerByte('alert'), headerByte('alerts')];

export function encodeSequenced(message: Sequenced): Uint8Array {
  const { seq, ackRequested, inner } = message;
  if (!Number.isInteger(seq) || seq < 0 || seq >= SEQ_MODULUS) throw new BatchError('BATCH_VALUE', `sequence number ${seq} is not an integer 0…${SEQ_MODULUS - 1}`);
  if (!WRAPPABLE.includes(inner[0])) throw new BatchError('BATCH_TYPE', 'only batch frames, alerts and alert groups are sequenced', { fix: 'wrap a frame from BatchEncoder.flush(), an alert or packAlerts()' });
  const out = new Uint8Array(SEQUENCED_OVERHEAD_BYTES + inner.length);
  out[0] = headerByte('sequenced');
  writeUint(out, 1, seq | (ackRequested ? ACK_REQUESTED : 0), 2);
  out.set(inner, SEQUENCED_OVERHEAD_BYTES);
  return out;
}

/** The header of a sequenced message and its inner message; the caller decodes the inner one. */
export function decodeSequenced(bytes: Uint8Array): Sequenced {
  if (bytes.length < SEQUENCED_OVERHEAD_BYTES + 1) {
    throw new BatchError('BATCH_LENGTH', `sequenced message of ${bytes.length} bytes; expected at least ${SEQUENCED_OVERHEAD_BYTES + 1}`, { fix: 'the payload was truncated' });
  }
  const field = readUint(bytes, 1, 2);
  const inner = bytes.subarray(SEQUENCED_OVERHEAD_BYTES);
  if (!WRAPPABLE.includes(inner[0])) {
    throw new BatchError('BATCH_TYPE', `a sequenced message wraps 0x${inner[0].toString(16).padStart(2, '0')}; only batch frames (0x11), alerts (0x12) and alert groups (0x15) are sequenced`, { where: 'byte 3' });
  }
  return { seq: field & (SEQ_MODULUS - 1), ackRequested: (field & ACK_REQUESTED) !== 0, inner };
}
