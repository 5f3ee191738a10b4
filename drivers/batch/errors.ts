/**
 * The one error class of the batch codec. Decoders meet bytes from radios and
 * from fuzzers, so every malformed input ends here (never a RangeError from deep
 * inside), with a stable code, the byte/bit offset, and what to check.
 */
import { AxonError, type AxonErrorDetails } from '../errors.js';

export class BatchError extends AxonError {
  static override readonly errorName: string = 'BatchError';
  constructor(code: string, message: string, details: AxonErrorDetails = {}) {
    super(code, message, details);
  }
}

/** A frame that cannot be what our encoder produced. */
export function malformed(message: string, bitOffset: number): BatchError {
  return new BatchError('BATCH_MALFORMED', message, {
    where: `bit ${bitOffset} (byte ${bitOffset >> 3})`,
    fix: 'the frame is corrupted or was not produced by an Axon batch encoder of this format version',
  });
}
