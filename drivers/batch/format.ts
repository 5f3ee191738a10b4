/**
 * Constants of the batch wire format, version 1 (docs/batch-format.md).
 *
 * Every message starts with one header byte: format version in the high
 * nibble, message type in the low nibble. One byte rather than two because an
 * alert must fit the 11-byte payload of US915 DR0 and every byte counts there.
 */
import { BatchError } from './errors.js';

export const FORMAT_VERSION = 1;

export const MessageType = { batch: 1, alert: 2, status: 3, sequenced: 4, alerts: 5 } as const;
export type MessageTypeName = keyof typeof MessageType;

export function headerByte(type: MessageTypeName): number {
  return (FORMAT_VERSION << 4) | MessageType[type];
}

/** Reads and checks the header byte; returns the message type. */
export function readHeader(bytes: Uint8Array): MessageTypeName {
  if (bytes.length === 0) throw new BatchError('BATCH_EMPTY', 'empty payload', { fix: 'an Axon uplink is at least one header byte' });
  const version = bytes[0] >> 4;
  if (version !== FORMAT_VERSION) {
    throw new BatchError('BATCH_VERSION', `format version ${version} in header byte 0x${bytes[0].toString(16).padStart(2, '0')}; this decoder reads version ${FORMAT_VERSION}`, {
      where: 'byte 0',
      fix: 'update the decoder (or regenerate the network-server codec) to the gateway firmware’s format version',
    });
  }
  const type = bytes[0] & 15;
  for (const name of Object.keys(MessageType) as MessageTypeName[]) if (MessageType[name] === type) return name;
  throw new BatchError('BATCH_TYPE', `unknown message type ${type}`, { where: 'byte 0', fix: 'types are 1 batch, 2 alert, 3 status, 4 sequenced batch, 5 alert group' });
}

/** Time quantum codes (3 bits): every batch time is base + k × step seconds. */
export const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120] as const;
export type TimeStepS = (typeof TIME_STEPS_S)[number];
export const STEP_CODE_BITS = 3;

/** Bounds that keep every decode small and finite, whatever the input. */
export const LIMITS = {
  /** Distinct time points in one batch frame. */
  timePoints: 1024,
  /** Steps between the first and last time point of a frame (5 years at 10 s). */
  spanSteps: 2 ** 24,
  /**
   * Channel indices are below this. Frames carry channel numbers as Exp-Golomb
   * gaps, so the bound is the decoders' sanity limit, not a field width: it
   * was 4096 before, and frames of such sites are bit for bit the same.
   */
  channels: 65_536,
  /** |fixed-point value| ≤ this (so deltas and zigzags stay exact doubles). */
  magnitude: 2 ** 46,
  /** Unix seconds carried in 32 bits. */
  unixSeconds: 2 ** 32,
} as const;
