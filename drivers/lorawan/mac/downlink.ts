/**
 * Downlink acceptance: every check a class A device makes before it believes
 * a frame, as a function that never throws. The MAC counts each rejection
 * reason; nothing a stranger transmits can stop it.
 *
 * Order: parse (malformed), direction and type (unexpected), DevAddr
 * (foreign: another device's frame, normal on a busy network), then the
 * 32-bit FCnt from the 16 on the air relative to the last accepted one, then
 * the MIC. A frame whose counter is not newer than the last accepted one is
 * a replay when its MIC verifies with that older counter, and MIC-bad
 * otherwise (so a replay is told from noise).
 */
import type { BlockCipher } from '../../ports/block-cipher.js';
import { decodeDataFrame, decryptDataPayload, expandFCnt, verifyDataMic, type DataFrame, type SessionKeys } from '../data-frame.js';

/** LoRaWAN 1.0 MAX_FCNT_GAP: a counter further ahead than this is taken as an old one wrapped around. */
export const MAX_FCNT_GAP = 16_384;

export type RejectReason = 'malformed' | 'unexpected' | 'foreign' | 'replay' | 'mic';

export type DownlinkVerdict =
  | { ok: true; frame: DataFrame; fCnt: number; payload: Uint8Array }
  | { ok: false; reason: RejectReason };

export interface DownlinkContext {
  devAddr: number;
  keys: SessionKeys;
  /** Last FCntDown accepted in this session; undefined before the first. */
  lastFCntDown: number | undefined;
}

export function checkDownlink(cipher: BlockCipher, bytes: Uint8Array, context: DownlinkContext): DownlinkVerdict {
  let frame: DataFrame;
  try {
    frame = decodeDataFrame(bytes);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (frame.direction !== 'down') return { ok: false, reason: 'unexpected' };
  if (frame.devAddr !== context.devAddr) return { ok: false, reason: 'foreign' };
  try {
    const last = context.lastFCntDown;
    const fCnt = last === undefined ? frame.fCnt16 : expandFCnt(frame.fCnt16, last);
    if (last !== undefined && (fCnt === last || fCnt - last > MAX_FCNT_GAP)) {
      const older = fCnt === last ? fCnt : fCnt - 0x10000;
      return { ok: false, reason: older >= 0 && verifyDataMic(cipher, frame, context.keys.nwkSKey, older) ? 'replay' : 'mic' };
    }
    if (!verifyDataMic(cipher, frame, context.keys.nwkSKey, fCnt)) return { ok: false, reason: 'mic' };
    return { ok: true, frame, fCnt, payload: decryptDataPayload(cipher, frame, context.keys, fCnt) };
  } catch {
    // Counters beyond 32 bits or a cipher failure: nothing a valid frame can cause.
    return { ok: false, reason: 'malformed' };
  }
}
