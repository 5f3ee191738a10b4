/**
 * Data frames (LoRaWAN 1.0.x): MHDR | FHDR | [FPort | FRMPayload] | MIC.
 *
 * Encoding takes the full 32-bit frame counter: only its low 16 bits go on the
 * air, but MIC and encryption use all 32 (getting this wrong gives the classic
 * "MIC mismatch after 65,535 uplinks"). Decoding is split in two steps so a
 * MAC or network server can look at DevAddr and FCnt before picking keys:
 * `decodeDataFrame` parses, `openDataFrame` verifies and decrypts.
 */
import type { BlockCipher } from '../ports/block-cipher.js';
import { bytesEqual, concatBytes } from '../bytes.js';
import { cryptFrmPayload } from './crypt.js';
import { LorawanFieldError, LorawanMalformedError, LorawanMicError } from './errors.js';
import { decodeFhdr, encodeFhdr, type FCtrl } from './fhdr.js';
import { dataMic } from './mic.js';
import { decodeMhdr, encodeMhdr, isConfirmed, isDataMType, isUplink, type DataMType } from './mhdr.js';
import { checkKey, checkUint, devAddrHex, type Direction } from './wire.js';

/** The radio's length byte caps a PHYPayload at 255 bytes. */
export const MAX_PHY_PAYLOAD = 255;

export interface SessionKeys {
  nwkSKey: Uint8Array;
  appSKey: Uint8Array;
}

export interface DataFrameFields {
  mType: DataMType;
  /** Most significant byte first: 0x01020304 is DevAddr "01020304" (04 03 02 01 on the air). */
  devAddr: number;
  /** The full 32-bit frame counter. */
  fCnt: number;
  fCtrl?: Partial<FCtrl>;
  /** MAC commands for the header, at most 15 bytes, cleartext. */
  fOpts?: Uint8Array;
  /** Omit for a frame without FPort and FRMPayload (e.g. an empty ACK). */
  fPort?: number;
  /** Cleartext application payload (or MAC commands on FPort 0). */
  payload?: Uint8Array;
}

export interface DataFrame {
  mType: DataMType;
  direction: Direction;
  confirmed: boolean;
  devAddr: number;
  fCtrl: FCtrl;
  /** The 16 bits on the air; see expandFCnt for the 32-bit counter. */
  fCnt16: number;
  fOpts: Uint8Array;
  fPort: number | undefined;
  /** FRMPayload as on the air (encrypted). */
  frmPayload: Uint8Array;
  mic: Uint8Array;
  /** The whole PHYPayload (the MIC covers all but its last four bytes). */
  phyPayload: Uint8Array;
}

export interface OpenedDataFrame extends DataFrame {
  /** The 32-bit frame counter the MIC verified with. */
  fCnt: number;
  /** Decrypted FRMPayload (empty when the frame has no FPort). */
  payload: Uint8Array;
}

export function encodeDataFrame(cipher: BlockCipher, fields: DataFrameFields, keys: SessionKeys): Uint8Array {
  const nwkSKey = checkKey('nwkSKey', keys.nwkSKey);
  const payload = fields.payload ?? new Uint8Array(0);
  const fOpts = fields.fOpts ?? new Uint8Array(0);
  const direction: Direction = isUplink(fields.mType) ? 'up' : 'down';
  let tail: Uint8Array = new Uint8Array(0);
  if (fields.fPort === undefined) {
    if (payload.length > 0) throw new LorawanFieldError('fPort', 'a payload needs an FPort', 'use FPort 1–223 for application data, 0 for MAC commands');
  } else {
    checkUint('fPort', fields.fPort, 8, 'FPort is 0 (MAC commands), 1–223 (application) or 224 (test)');
    if (fields.fPort === 0 && fOpts.length > 0) {
      throw new LorawanFieldError('fOpts', 'MAC commands cannot be in FOpts and in an FPort 0 payload at once', 'put all MAC commands in the FPort 0 payload, or all in FOpts');
    }
    const key = fields.fPort === 0 ? nwkSKey : checkKey('appSKey', keys.appSKey);
    tail = concatBytes(Uint8Array.of(fields.fPort), cryptFrmPayload(cipher, key, direction, fields.devAddr, fields.fCnt, payload));
  }
  const fhdr = encodeFhdr(fields.devAddr, fields.fCtrl ?? {}, fields.fCnt, fOpts);
  const message = concatBytes(Uint8Array.of(encodeMhdr(fields.mType)), fhdr, tail);
  if (message.length + 4 > MAX_PHY_PAYLOAD) {
    throw new LorawanFieldError('payload', `the frame would be ${message.length + 4} bytes; a PHYPayload is at most ${MAX_PHY_PAYLOAD}`,
      'split the data: the region\'s maximum payload for the data rate (Region.maxPayload) is the real limit');
  }
  return concatBytes(message, dataMic(cipher, nwkSKey, direction, fields.devAddr, fields.fCnt, message));
}

/** Parse a data frame without keys. Throws LORAWAN_MALFORMED / LORAWAN_UNSUPPORTED. */
export function decodeDataFrame(phy: Uint8Array): DataFrame {
  if (phy.length === 0) throw new LorawanMalformedError('no bytes', 'byte 0');
  const mType = decodeMhdr(phy[0]);
  if (!isDataMType(mType)) throw new LorawanMalformedError(`MHDR says ${mType}, not a data frame`, 'byte 0 (MHDR)');
  if (phy.length > MAX_PHY_PAYLOAD) throw new LorawanMalformedError(`${phy.length} bytes is longer than any PHYPayload (${MAX_PHY_PAYLOAD})`, `byte ${MAX_PHY_PAYLOAD}`);
  const { fhdr, end } = decodeFhdr(phy, 1);
  const micAt = phy.length - 4;
  const fPort = end < micAt ? phy[end] : undefined;
  if (fPort === 0 && fhdr.fOpts.length > 0) {
    throw new LorawanMalformedError('FPort 0 (MAC commands in the payload) together with FOpts is not allowed', `byte ${end} (FPort)`);
  }
  return {
    mType,
    direction: isUplink(mType) ? 'up' : 'down',
    confirmed: isConfirmed(mType),
    devAddr: fhdr.devAddr,
    fCtrl: fhdr.fCtrl,
    fCnt16: fhdr.fCnt16,
    fOpts: fhdr.fOpts,
    fPort,
    frmPayload: fPort === undefined ? new Uint8Array(0) : phy.slice(end + 1, micAt),
    mic: phy.slice(micAt),
    phyPayload: phy.slice(),
  };
}

/**
 * The 32-bit counter whose low 16 bits are `fCnt16`, taken as the first one at
 * or after `lastFCnt` (the last counter accepted; equal means a retransmission).
 * Gaps are bounded by the caller (LoRaWAN 1.0 MAX_FCNT_GAP is 16,384).
 */
export function expandFCnt(fCnt16: number, lastFCnt: number): number {
  const candidate = lastFCnt - (lastFCnt % 0x10000) + fCnt16;
  return candidate >= lastFCnt ? candidate : candidate + 0x10000;
}

export function verifyDataMic(cipher: BlockCipher, frame: DataFrame, nwkSKey: Uint8Array, fCnt: number): boolean {
  const message = frame.phyPayload.subarray(0, frame.phyPayload.length - 4);
  return bytesEqual(dataMic(cipher, checkKey('nwkSKey', nwkSKey), frame.direction, frame.devAddr, fCnt, message), frame.mic);
}

/** Decrypt FRMPayload: AppSKey for FPort > 0, NwkSKey for FPort 0; only the key needed must be given. */
export function decryptDataPayload(cipher: BlockCipher, frame: DataFrame, keys: Partial<SessionKeys>, fCnt: number): Uint8Array {
  if (frame.fPort === undefined) return new Uint8Array(0);
  const key = frame.fPort === 0 ? checkKey('nwkSKey', keys.nwkSKey) : checkKey('appSKey', keys.appSKey);
  return cryptFrmPayload(cipher, key, frame.direction, frame.devAddr, fCnt, frame.frmPayload);
}

export interface OpenOptions {
  /** The last frame counter accepted in this direction (default 0): the 32-bit FCnt is inferred from it. */
  lastFCnt?: number;
}

/** Parse, check the MIC (LORAWAN_MIC if it fails) and decrypt a data frame. */
export function openDataFrame(cipher: BlockCipher, phy: Uint8Array, keys: SessionKeys, options: OpenOptions = {}): OpenedDataFrame {
  const frame = decodeDataFrame(phy);
  const fCnt = expandFCnt(frame.fCnt16, options.lastFCnt ?? 0);
  if (!verifyDataMic(cipher, frame, keys.nwkSKey, fCnt)) {
    throw new LorawanMicError(`${frame.mType} from DevAddr ${devAddrHex(frame.devAddr)} FCnt ${fCnt}`,
      'the last 4 bytes (MIC)',
      'check NwkSKey for this DevAddr, and the frame counter: after 65,535 frames the upper 16 bits must be tracked (lastFCnt)');
  }
  return { ...frame, fCnt, payload: decryptDataPayload(cipher, frame, keys, fCnt) };
}
