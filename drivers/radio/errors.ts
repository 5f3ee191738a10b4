/**
 * What an SPI LoRa transceiver driver reports: the chip does not answer,
 * stays BUSY, refuses a command, or a setting is outside what the chip can do.
 * Each names the chip and the fix an installer can act on (wiring, config).
 */
import { AxonError } from '../errors.js';

export type RadioErrorCode =
  | 'RADIO_NOT_FOUND'
  | 'RADIO_BUSY_STUCK'
  | 'RADIO_COMMAND_ERROR'
  | 'RADIO_NO_IRQ'
  | 'RADIO_CONFIG'
  | 'RADIO_STATE'
  | 'RADIO_CLOSED';

export class RadioError extends AxonError {
  static override readonly errorName: string = 'RadioError';
  constructor(code: RadioErrorCode, message: string, where: string, fix: string) {
    super(code, message, { where, fix });
  }
}
