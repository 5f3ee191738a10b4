/**
 * Over-the-air activation frames of LoRaWAN 1.0.x (§6.2.4–6.2.5).
 *
 * Join request: MHDR | JoinEUI | DevEUI | DevNonce | MIC, EUIs and DevNonce
 * little-endian on the air, MIC = CMAC(AppKey). Join accept: MHDR | JoinNonce |
 * NetID | DevAddr | DLSettings | RxDelay | [CFList] | MIC, where everything
 * after MHDR is AES-*decrypted* by the network so that the device, which may
 * only have AES encryption, recovers it by *encrypting*.
 */
import type { BlockCipher } from '../ports/block-cipher.js';
import type { BlockDecipher } from '../crypto/aes128.js';
import { bytesEqual, concatBytes } from '../bytes.js';
import { CFLIST_LENGTH, decodeCfList, encodeCfList, type CfList } from './cflist.js';
import { LorawanFieldError, LorawanMalformedError, LorawanMicError } from './errors.js';
import { joinMic } from './mic.js';
import { decodeMhdr, encodeMhdr } from './mhdr.js';
import { checkEui, checkKey, checkUint, readUintLE, reversed, writeUintLE } from './wire.js';

export const JOIN_REQUEST_LENGTH = 23;

export interface JoinRequestFields {
  /** JoinEUI (AppEUI in 1.0.2), 8 bytes, most significant first as printed. */
  joinEui: Uint8Array;
  /** DevEUI, 8 bytes, most significant first as printed. */
  devEui: Uint8Array;
  /** 16 bits; must not repeat for a device (1.0.4: a counter), or the network ignores the join. */
  devNonce: number;
}

export interface JoinRequest extends JoinRequestFields {
  mic: Uint8Array;
  phyPayload: Uint8Array;
}

export function encodeJoinRequest(cipher: BlockCipher, fields: JoinRequestFields, appKey: Uint8Array): Uint8Array {
  checkKey('appKey', appKey);
  checkEui('joinEui', fields.joinEui);
  checkEui('devEui', fields.devEui);
  checkUint('devNonce', fields.devNonce, 16, 'DevNonce is 2 bytes (4 hex digits)');
  const message = new Uint8Array(JOIN_REQUEST_LENGTH - 4);
  message[0] = encodeMhdr('join-request');
  message.set(reversed(fields.joinEui), 1);
  message.set(reversed(fields.devEui), 9);
  writeUintLE(message, 17, fields.devNonce, 2);
  return concatBytes(message, joinMic(cipher, appKey, message));
}

/** Parse a join request (no key needed); check it with verifyJoinRequestMic. */
export function decodeJoinRequest(phy: Uint8Array): JoinRequest {
  expectMType(phy, 'join-request');
  if (phy.length !== JOIN_REQUEST_LENGTH) {
    throw new LorawanMalformedError(`a join request is ${JOIN_REQUEST_LENGTH} bytes, got ${phy.length}`, `byte ${Math.min(phy.length, JOIN_REQUEST_LENGTH)}`);
  }
  return {
    joinEui: reversed(phy.subarray(1, 9)),
    devEui: reversed(phy.subarray(9, 17)),
    devNonce: readUintLE(phy, 17, 2),
    mic: phy.slice(19),
    phyPayload: phy.slice(),
  };
}

export function verifyJoinRequestMic(cipher: BlockCipher, request: JoinRequest, appKey: Uint8Array): boolean {
  return bytesEqual(joinMic(cipher, checkKey('appKey', appKey), request.phyPayload.subarray(0, 19)), request.mic);
}

export interface DlSettings {
  /** RX1 data rate offset, 0–7 (region-specific meaning, see Region.rx1). */
  rx1DrOffset: number;
  /** RX2 data rate, 0–15. */
  rx2DataRate: number;
}

export interface JoinAcceptFields {
  /** JoinNonce (AppNonce in 1.0.2), 24 bits. */
  joinNonce: number;
  /** NetID, 24 bits. */
  netId: number;
  /** Assigned device address, most significant first. */
  devAddr: number;
  dlSettings: DlSettings;
  /** RX1 delay code 0–15 (seconds; 0 means 1 s). */
  rxDelay: number;
  cfList?: CfList;
}

export interface JoinAccept extends JoinAcceptFields {
  /** RX1 delay in seconds (rxDelay with 0 read as 1). */
  rx1DelayS: number;
  mic: Uint8Array;
}

/** Network side: build and encrypt a join accept. Needs the inverse cipher (see BlockDecipher). */
export function encodeJoinAccept(cipher: BlockCipher, decipher: BlockDecipher, fields: JoinAcceptFields, appKey: Uint8Array): Uint8Array {
  checkKey('appKey', appKey);
  checkUint('joinNonce', fields.joinNonce, 24, 'JoinNonce is 3 bytes');
  checkUint('netId', fields.netId, 24, 'NetID is 3 bytes');
  checkUint('devAddr', fields.devAddr, 32, 'DevAddr is 4 bytes');
  checkUint('dlSettings.rx1DrOffset', fields.dlSettings.rx1DrOffset, 3, 'RX1DROffset is 0–7');
  checkUint('dlSettings.rx2DataRate', fields.dlSettings.rx2DataRate, 4, 'RX2DataRate is 0–15');
  checkUint('rxDelay', fields.rxDelay, 4, 'RxDelay is 0–15 seconds');
  const body = new Uint8Array(11);
  body[0] = encodeMhdr('join-accept');
  writeUintLE(body, 1, fields.joinNonce, 3);
  writeUintLE(body, 4, fields.netId, 3);
  writeUintLE(body, 7, fields.devAddr, 4);
  const message = concatBytes(body, Uint8Array.of((fields.dlSettings.rx1DrOffset << 4) | fields.dlSettings.rx2DataRate, fields.rxDelay),
    fields.cfList === undefined ? new Uint8Array(0) : encodeCfList(fields.cfList));
  const plain = concatBytes(message.subarray(1), joinMic(cipher, appKey, message));
  return concatBytes(message.subarray(0, 1), ecb(plain, (block) => decipher.decryptBlock(appKey, block)));
}

/** Device side: decrypt a join accept, check its MIC (LORAWAN_MIC) and parse it. */
export function decodeJoinAccept(cipher: BlockCipher, phy: Uint8Array, appKey: Uint8Array): JoinAccept {
  checkKey('appKey', appKey);
  expectMType(phy, 'join-accept');
  if (phy.length !== 17 && phy.length !== 17 + CFLIST_LENGTH) {
    throw new LorawanMalformedError(`a join accept is 17 or 33 bytes, got ${phy.length}`, `byte ${Math.min(phy.length, 33)}`);
  }
  const plain = concatBytes(phy.subarray(0, 1), ecb(phy.subarray(1), (block) => cipher.encryptBlock(appKey, block)));
  const micAt = plain.length - 4;
  const mic = plain.slice(micAt);
  if (!bytesEqual(joinMic(cipher, appKey, plain.subarray(0, micAt)), mic)) {
    throw new LorawanMicError('join accept', 'the last 4 bytes (MIC, after decryption)',
      'check the AppKey of this device (the join accept is encrypted and MACed with it) and that the frame answers this device\'s join request');
  }
  const rxDelay = plain[12] & 0x0f;
  const accept: JoinAccept = {
    joinNonce: readUintLE(plain, 1, 3),
    netId: readUintLE(plain, 4, 3),
    devAddr: readUintLE(plain, 7, 4),
    dlSettings: { rx1DrOffset: (plain[11] >> 4) & 0x07, rx2DataRate: plain[11] & 0x0f },
    rxDelay,
    rx1DelayS: rxDelay === 0 ? 1 : rxDelay,
    mic,
  };
  if (micAt > 13) accept.cfList = decodeCfList(plain.subarray(13, micAt));
  return accept;
}

function expectMType(phy: Uint8Array, expected: 'join-request' | 'join-accept'): void {
  if (phy.length === 0) throw new LorawanMalformedError('no bytes', 'byte 0');
  const mType = decodeMhdr(phy[0]);
  if (mType !== expected) throw new LorawanMalformedError(`MHDR says ${mType}, not a ${expected}`, 'byte 0 (MHDR)');
}

/** Apply a block function to each 16-byte block (lengths here are always multiples of 16). */
function ecb(data: Uint8Array, blockFn: (block: Uint8Array) => Uint8Array): Uint8Array {
  if (data.length % 16 !== 0) throw new LorawanFieldError('join accept', `${data.length} bytes is not a whole number of AES blocks`, 'this is a bug in the caller');
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 16) out.set(blockFn(data.slice(i, i + 16)), i);
  return out;
}
