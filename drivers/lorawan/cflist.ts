/**
 * CFList, the optional 16 bytes at the end of a join accept. Its last byte
 * says what the rest is: type 0, up to five extra channel frequencies
 * (EU868, AS923, CN470 in some plans); type 1, channel masks (US915 uses
 * ChMask0–4, CN470's 96 channels use ChMask0–5).
 */
import { LorawanFieldError, LorawanMalformedError } from './errors.js';
import { readUintLE, writeUintLE } from './wire.js';

export type CfList =
  | { type: 0; /** Hz, five entries, 0 = no channel. */ frequencies: number[] }
  | { type: 1; /** Six 16-bit masks, bit n of mask k enables channel 16k + n. */ channelMasks: number[] }
  | { type: number; raw: Uint8Array };

export const CFLIST_LENGTH = 16;

export function decodeCfList(bytes: Uint8Array): CfList {
  if (bytes.length !== CFLIST_LENGTH) throw new LorawanMalformedError(`a CFList is ${CFLIST_LENGTH} bytes, got ${bytes.length}`, 'CFList');
  const type = bytes[15];
  if (type === 0) {
    // Frequencies travel in units of 100 Hz.
    return { type, frequencies: [0, 1, 2, 3, 4].map((i) => readUintLE(bytes, 3 * i, 3) * 100) };
  }
  if (type === 1) return { type, channelMasks: [0, 1, 2, 3, 4, 5].map((i) => readUintLE(bytes, 2 * i, 2)) };
  return { type, raw: bytes.slice() };
}

export function encodeCfList(cfList: CfList): Uint8Array {
  const out = new Uint8Array(CFLIST_LENGTH);
  if ('frequencies' in cfList) {
    if (cfList.frequencies.length > 5) throw new LorawanFieldError('cfList.frequencies', `at most 5 frequencies, got ${cfList.frequencies.length}`, 'announce further channels with NewChannelReq');
    cfList.frequencies.forEach((hz, i) => writeUintLE(out, 3 * i, Math.round(hz / 100), 3));
  } else if ('channelMasks' in cfList) {
    if (cfList.channelMasks.length > 6) throw new LorawanFieldError('cfList.channelMasks', `at most 6 masks, got ${cfList.channelMasks.length}`, 'a CFList holds ChMask0–ChMask5');
    cfList.channelMasks.forEach((mask, i) => writeUintLE(out, 2 * i, mask & 0xffff, 2));
  } else {
    out.set(cfList.raw.subarray(0, 15));
  }
  out[15] = cfList.type;
  return out;
}
