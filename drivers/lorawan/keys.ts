/**
 * LoRaWAN 1.0.x session keys (§6.2.5): each is one AES block under the AppKey,
 *   NwkSKey = aes128(AppKey, 0x01 | JoinNonce | NetID | DevNonce | pad16)
 *   AppSKey = aes128(AppKey, 0x02 | JoinNonce | NetID | DevNonce | pad16)
 * with the fields in their on-air (little-endian) order.
 */
import type { BlockCipher } from '../ports/block-cipher.js';
import type { SessionKeys } from './data-frame.js';
import { checkKey, checkUint, writeUintLE } from './wire.js';

export interface JoinNonces {
  /** JoinNonce (AppNonce in 1.0.2), 24 bits, from the join accept. */
  joinNonce: number;
  /** NetID, 24 bits, from the join accept. */
  netId: number;
  /** DevNonce, 16 bits, from the join request. */
  devNonce: number;
}

export function deriveSessionKeys(cipher: BlockCipher, appKey: Uint8Array, nonces: JoinNonces): SessionKeys {
  checkKey('appKey', appKey);
  checkUint('joinNonce', nonces.joinNonce, 24, 'JoinNonce is 3 bytes');
  checkUint('netId', nonces.netId, 24, 'NetID is 3 bytes');
  checkUint('devNonce', nonces.devNonce, 16, 'DevNonce is 2 bytes');
  const block = (kind: number) => {
    const b = new Uint8Array(16);
    b[0] = kind;
    writeUintLE(b, 1, nonces.joinNonce, 3);
    writeUintLE(b, 4, nonces.netId, 3);
    writeUintLE(b, 7, nonces.devNonce, 2);
    return cipher.encryptBlock(appKey, b);
  };
  return { nwkSKey: block(0x01), appSKey: block(0x02) };
}
