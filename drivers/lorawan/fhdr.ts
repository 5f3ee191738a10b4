/**
 * FHDR: DevAddr (4, little-endian on air), FCtrl (1), FCnt (2: only the low 16
 * bits of the 32-bit counter travel), FOpts (0–15 bytes of MAC commands).
 */
import { LorawanFieldError, LorawanMalformedError } from './errors.js';
import { checkUint, need, readUintLE, writeUintLE } from './wire.js';

/**
 * FCtrl flags. Bit 6 is ADRACKReq on uplinks (RFU on 1.0.x downlinks); bit 4
 * is FPending on downlinks and ClassB on 1.0.3 uplinks (RFU before): the
 * codec carries the bits as they are and leaves their meaning to the MAC.
 */
export interface FCtrl {
  adr: boolean;
  adrAckReq: boolean;
  ack: boolean;
  fPending: boolean;
}

export interface Fhdr {
  /** Device address, most significant byte first as written by people (0x01020304 is "01020304"). */
  devAddr: number;
  fCtrl: FCtrl;
  /** The 16 low bits of the frame counter, as on the air. */
  fCnt16: number;
  /** MAC commands piggy-backed in the header (cleartext in 1.0.x). */
  fOpts: Uint8Array;
}

export const FHDR_MIN_LENGTH = 7;
export const MAX_FOPTS = 15;

export function encodeFCtrl(fCtrl: Partial<FCtrl>, fOptsLength: number): number {
  return (fCtrl.adr ? 0x80 : 0) | (fCtrl.adrAckReq ? 0x40 : 0) | (fCtrl.ack ? 0x20 : 0) | (fCtrl.fPending ? 0x10 : 0) | fOptsLength;
}

export function decodeFCtrl(byte: number): FCtrl {
  return { adr: (byte & 0x80) !== 0, adrAckReq: (byte & 0x40) !== 0, ack: (byte & 0x20) !== 0, fPending: (byte & 0x10) !== 0 };
}

/** FHDR bytes for a frame; `fCnt` is the full 32-bit counter, of which 16 bits go on the air. */
export function encodeFhdr(devAddr: number, fCtrl: Partial<FCtrl>, fCnt: number, fOpts: Uint8Array): Uint8Array {
  checkUint('devAddr', devAddr, 32, 'DevAddr is 8 hex digits (32 bits)');
  checkUint('fCnt', fCnt, 32, 'the frame counter is a 32-bit unsigned integer');
  if (fOpts.length > MAX_FOPTS) {
    throw new LorawanFieldError('fOpts', `${fOpts.length} bytes of MAC commands do not fit FOpts (at most ${MAX_FOPTS})`,
      'send the remaining MAC commands in FRMPayload on FPort 0, or in the next frame');
  }
  const out = new Uint8Array(FHDR_MIN_LENGTH + fOpts.length);
  writeUintLE(out, 0, devAddr, 4);
  out[4] = encodeFCtrl(fCtrl, fOpts.length);
  writeUintLE(out, 5, fCnt % 0x10000, 2);
  out.set(fOpts, FHDR_MIN_LENGTH);
  return out;
}

/** Decode the FHDR starting at `offset` (1, after MHDR) of a PHYPayload whose last 4 bytes are the MIC. */
export function decodeFhdr(phy: Uint8Array, offset: number): { fhdr: Fhdr; end: number } {
  need(phy, offset + FHDR_MIN_LENGTH + 4, 'a data frame (MHDR + FHDR + MIC)');
  const fCtrlByte = phy[offset + 4];
  const fOptsLength = fCtrlByte & 0x0f;
  const end = offset + FHDR_MIN_LENGTH + fOptsLength;
  if (end > phy.length - 4) {
    throw new LorawanMalformedError(`FCtrl announces ${fOptsLength} FOpts bytes but only ${Math.max(0, phy.length - 4 - offset - FHDR_MIN_LENGTH)} remain before the MIC`,
      `byte ${offset + 4} (FCtrl)`);
  }
  return {
    fhdr: {
      devAddr: readUintLE(phy, offset, 4),
      fCtrl: decodeFCtrl(fCtrlByte),
      fCnt16: readUintLE(phy, offset + 5, 2),
      fOpts: phy.slice(offset + FHDR_MIN_LENGTH, end),
    },
    end,
  };
}
