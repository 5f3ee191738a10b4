/**
 * What the MAC reports to its caller. Frames it rejects are counted
 * (MacCounters), never thrown: a radio hears garbage all the time.
 */
import { LorawanError } from '../errors.js';

export type LorawanMacErrorCode =
  | 'LORAWAN_NOT_JOINED'
  | 'LORAWAN_JOIN_FAILED'
  | 'LORAWAN_NO_ACK'
  | 'LORAWAN_PAYLOAD_TOO_LARGE'
  | 'LORAWAN_DEVNONCE_EXHAUSTED'
  | 'LORAWAN_FCNT_EXHAUSTED'
  | 'LORAWAN_CONFIG'
  | 'LORAWAN_CLOSED';

export class LorawanMacError extends LorawanError {
  static override readonly errorName: string = 'LorawanMacError';
  constructor(code: LorawanMacErrorCode, message: string, fix: string, where = 'LoRaWAN MAC') {
    super(code, message, { where, fix });
  }
}
