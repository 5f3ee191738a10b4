/**
 * Message integrity codes (LoRaWAN 1.0.x §4.4 and §6.2.4–5): the first four
 * bytes of an AES-CMAC. Data frames prepend the B0 block, which binds the MIC
 * to the direction, DevAddr and the full 32-bit frame counter; join frames
 * are MACed as they are, under the AppKey.
 */
import { aesCmac } from '../crypto/cmac.js';
import type { BlockCipher } from '../ports/block-cipher.js';
import { concatBytes } from '../bytes.js';
import { frameBlock, type Direction } from './wire.js';

/** MIC of a data frame; `message` is MHDR | FHDR | FPort | FRMPayload (everything before the MIC). */
export function dataMic(cipher: BlockCipher, nwkSKey: Uint8Array, direction: Direction, devAddr: number, fCnt: number, message: Uint8Array): Uint8Array {
  const b0 = frameBlock(0x49, direction, devAddr, fCnt, message.length);
  return aesCmac(cipher, nwkSKey, concatBytes(b0, message)).slice(0, 4);
}

/** MIC of a join request or (decrypted) join accept: the AppKey CMAC of everything before the MIC. */
export function joinMic(cipher: BlockCipher, appKey: Uint8Array, message: Uint8Array): Uint8Array {
  return aesCmac(cipher, appKey, message).slice(0, 4);
}
