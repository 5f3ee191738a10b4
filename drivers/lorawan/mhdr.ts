/**
 * MHDR, the first byte of every LoRaWAN frame: message type in bits 7..5,
 * RFU in 4..2, major version in 1..0 (0 = LoRaWAN R1, the only one defined).
 */
import { LorawanUnsupportedError } from './errors.js';

/** Message types in MType order (the index is the 3-bit code). */
export const MTYPES = [
  'join-request',
  'join-accept',
  'unconfirmed-data-up',
  'unconfirmed-data-down',
  'confirmed-data-up',
  'confirmed-data-down',
  'rejoin-request',
  'proprietary',
] as const;

export type MType = (typeof MTYPES)[number];
export type DataMType = 'unconfirmed-data-up' | 'unconfirmed-data-down' | 'confirmed-data-up' | 'confirmed-data-down';

export function isDataMType(mType: MType): mType is DataMType {
  return mType.includes('-data-');
}

export function isUplink(mType: DataMType): boolean {
  return mType.endsWith('-up');
}

export function isConfirmed(mType: DataMType): boolean {
  return mType.startsWith('confirmed');
}

export function dataMType(confirmed: boolean, direction: 'up' | 'down'): DataMType {
  return `${confirmed ? 'confirmed' : 'unconfirmed'}-data-${direction}`;
}

export function encodeMhdr(mType: MType): number {
  return MTYPES.indexOf(mType) << 5;
}

export function decodeMhdr(byte: number): MType {
  const major = byte & 0x03;
  if (major !== 0) {
    throw new LorawanUnsupportedError(`MHDR 0x${byte.toString(16).padStart(2, '0')} has LoRaWAN major version ${major}; only 0 (R1) is defined`, 'byte 0 (MHDR)');
  }
  return MTYPES[byte >> 5];
}
