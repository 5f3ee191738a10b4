/**
 * One entry point for "what is this frame?": dispatch on MHDR to the data or
 * join request parser, without keys. Join accepts are encrypted as a whole,
 * so without the AppKey only their size is known (decodeJoinAccept opens them).
 */
import { decodeDataFrame, type DataFrame } from './data-frame.js';
import { LorawanMalformedError } from './errors.js';
import { decodeJoinRequest, type JoinRequest } from './join.js';
import { decodeMhdr, isDataMType, type MType } from './mhdr.js';

export type PhyPayload =
  | ({ kind: 'data' } & DataFrame)
  | ({ kind: 'join-request' } & JoinRequest)
  | { kind: 'join-accept'; /** Encrypted with the AppKey: see decodeJoinAccept. */ phyPayload: Uint8Array }
  | { kind: 'other'; mType: MType; phyPayload: Uint8Array };

export function decodePhyPayload(phy: Uint8Array): PhyPayload {
  if (phy.length === 0) throw new LorawanMalformedError('no bytes', 'byte 0');
  const mType = decodeMhdr(phy[0]);
  if (isDataMType(mType)) return { kind: 'data', ...decodeDataFrame(phy) };
  if (mType === 'join-request') return { kind: 'join-request', ...decodeJoinRequest(phy) };
  if (mType === 'join-accept') {
    if (phy.length !== 17 && phy.length !== 33) throw new LorawanMalformedError(`a join accept is 17 or 33 bytes, got ${phy.length}`, `byte ${Math.min(phy.length, 33)}`);
    return { kind: 'join-accept', phyPayload: phy.slice() };
  }
  // Rejoin requests (LoRaWAN 1.1) and proprietary frames: passed through, not parsed.
  return { kind: 'other', mType, phyPayload: phy.slice() };
}
