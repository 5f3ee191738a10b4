/**
 * What can go wrong with LoRaWAN bytes and parameters, one class per cause so
 * the MAC can tell "not for us / corrupted" (MIC) from "not a LoRaWAN frame"
 * (malformed) from "our own bad input" (field). Every error names where and
 * how to fix it, for the engineer reading a gateway log.
 */
import { AxonError } from '../errors.js';

export abstract class LorawanError extends AxonError {
  static override readonly errorName: string = 'LorawanError';}

/** Bytes that cannot be a LoRaWAN 1.0.x frame of the kind expected. */
export class LorawanMalformedError extends LorawanError {
  static override readonly errorName: string = 'LorawanMalformedError';
  constructor(detail: string, where: string) {
    super('LORAWAN_MALFORMED', `not a valid LoRaWAN frame: ${detail}`, {
      where,
      fix: 'check that the capture holds the whole PHYPayload (MHDR … MIC) as hex, without gateway metadata or the radio CRC',
    });
  }
}

/** The frame is well formed but its MIC does not match: wrong key, wrong frame counter, or corruption. */
export class LorawanMicError extends LorawanError {
  static override readonly errorName: string = 'LorawanMicError';
  constructor(what: string, where: string, fix: string) {
    super('LORAWAN_MIC', `MIC check failed for ${what}`, { where, fix });
  }
}

/** A frame of a kind this 1.0.x implementation does not handle (LoRaWAN major version ≠ 0). */
export class LorawanUnsupportedError extends LorawanError {
  static override readonly errorName: string = 'LorawanUnsupportedError';
  constructor(detail: string, where: string) {
    super('LORAWAN_UNSUPPORTED', detail, { where, fix: 'Axon implements LoRaWAN 1.0.x (major version 0) data and join frames' });
  }
}

/** A value handed to an encoder (or a key) that LoRaWAN cannot carry. */
export class LorawanFieldError extends LorawanError {
  static override readonly errorName: string = 'LorawanFieldError';
  constructor(field: string, detail: string, fix: string) {
    super('LORAWAN_FIELD', `${field}: ${detail}`, { where: field, fix });
  }
}

/** A data rate, channel or frequency the regional parameters do not allow. */
export class LorawanRegionError extends LorawanError {
  static override readonly errorName: string = 'LorawanRegionError';
  constructor(region: string, detail: string, fix: string) {
    super('LORAWAN_REGION', `${region}: ${detail}`, { where: region, fix });
  }
}
