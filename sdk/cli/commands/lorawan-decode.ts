/**
 * `axon lorawan decode <hex>`: every field of a LoRaWAN 1.0.x frame as JSON;
 * with keys, whether the MIC verifies and the decrypted payload. A bad MIC is
 * reported (micOk false), not refused, as `axon decode` does with checksums.
 */
import { toHex } from '../../../drivers/bytes.js';
import {
  decodeJoinAccept,
  decodePhyPayload,
  decryptDataPayload,
  devAddrHex,
  expandFCnt,
  LorawanMicError,
  verifyDataMic,
  verifyJoinRequestMic,
  type DataFrame,
  type JoinRequest,
} from '../../../drivers/lorawan/index.js';
import type { BlockCipher } from '../../../drivers/ports/block-cipher.js';
import { NodeBlockCipher } from '../../../firmware/rpi/ports/node-cipher.js';
import type { Flags } from '../args.js';
import type { Command } from '../command.js';
import { hexFromPositionals } from './hex-input.js';
import { hexFlag } from './lorawan-flags.js';

type Json = Record<string, unknown>;

export const lorawanDecode: Command = {
  group: 'lorawan',
  name: 'decode',
  summary: 'decode a LoRaWAN PHYPayload to JSON; with keys, check the MIC and decrypt',
  usage: '<hex> [--nwkskey <32 hex>] [--appskey <32 hex>] [--appkey <32 hex>] [--last-fcnt <n>] [--compact]',
  positionals: '<hex>  the PHYPayload (MHDR … MIC), quoted or as separate words',
  flags: {
    nwkskey: { type: 'string', value: '<32 hex>', description: 'network session key: verifies the MIC of data frames (and decrypts FPort 0)' },
    appskey: { type: 'string', value: '<32 hex>', description: 'application session key: decrypts FPort 1–255' },
    appkey: { type: 'string', value: '<32 hex>', description: 'root key: verifies join requests, decrypts join accepts' },
    'last-fcnt': { type: 'string', value: '<n>', description: 'last 32-bit frame counter seen; the upper 16 bits of FCnt are taken from it', default: '0' },
    compact: { type: 'boolean', description: 'print the JSON on one line' },
  },
  details: 'DevAddr and EUIs are shown most significant first. fCnt is the 32-bit counter used for MIC and decryption.',
  examples: [
    'axon lorawan decode 80040302010000000ae264d4f7b56a0e75 --nwkskey 0102030405060708090a0b0c0d0e0f10 --appskey 100f0e0d0c0b0a090807060504030201',
    'axon lorawan decode 40F17DBE4900020001954378762B11FF0D',
  ],

  async run({ flags, positionals }, io) {
    const bytes = hexFromPositionals(positionals, flags.command);
    const cipher = new NodeBlockCipher();
    const frame = decodePhyPayload(bytes);
    let json: Json;
    if (frame.kind === 'data') json = describeData(cipher, frame, flags);
    else if (frame.kind === 'join-request') json = describeJoinRequest(cipher, frame, flags);
    else if (frame.kind === 'join-accept') json = describeJoinAccept(cipher, frame.phyPayload, flags);
    else json = { mType: frame.mType, phyPayload: toHex(frame.phyPayload) };
    if (json.micOk === false) io.err('axon: warning: the MIC does not match: wrong key, wrong frame counter (see --last-fcnt), or a corrupted frame');
    io.out(JSON.stringify(json, null, flags.bool('compact') ? undefined : 2));
    return 0;
  },
};

function describeData(cipher: BlockCipher, frame: DataFrame, flags: Flags): Json {
  const nwkSKey = hexFlag(flags, 'nwkskey', 16);
  const appSKey = hexFlag(flags, 'appskey', 16);
  const fCnt = expandFCnt(frame.fCnt16, flags.int('last-fcnt', { min: 0, max: 0xffffffff, default: 0 }));
  const json: Json = {
    mType: frame.mType,
    direction: frame.direction,
    confirmed: frame.confirmed,
    devAddr: devAddrHex(frame.devAddr),
    fCtrl: frame.fCtrl,
    fCnt,
    fCnt16: frame.fCnt16,
    fOpts: toHex(frame.fOpts),
    fPort: frame.fPort ?? null,
    frmPayload: toHex(frame.frmPayload),
    mic: toHex(frame.mic),
  };
  if (nwkSKey !== undefined) json.micOk = verifyDataMic(cipher, frame, nwkSKey, fCnt);
  const key = frame.fPort === 0 ? nwkSKey : appSKey;
  if (frame.fPort !== undefined && key !== undefined) json.payload = toHex(decryptDataPayload(cipher, frame, { nwkSKey, appSKey }, fCnt));
  return json;
}

function describeJoinRequest(cipher: BlockCipher, frame: JoinRequest, flags: Flags): Json {
  const appKey = hexFlag(flags, 'appkey', 16);
  const json: Json = { mType: 'join-request', joinEui: toHex(frame.joinEui), devEui: toHex(frame.devEui), devNonce: frame.devNonce.toString(16).padStart(4, '0'), mic: toHex(frame.mic) };
  if (appKey !== undefined) json.micOk = verifyJoinRequestMic(cipher, frame, appKey);
  return json;
}

function describeJoinAccept(cipher: BlockCipher, phy: Uint8Array, flags: Flags): Json {
  const appKey = hexFlag(flags, 'appkey', 16);
  if (appKey === undefined) return { mType: 'join-accept', encrypted: toHex(phy.subarray(1)), note: 'give --appkey to decrypt' };
  try {
    const accept = decodeJoinAccept(cipher, phy, appKey);
    return {
      mType: 'join-accept',
      joinNonce: accept.joinNonce.toString(16).padStart(6, '0'),
      netId: accept.netId.toString(16).padStart(6, '0'),
      devAddr: devAddrHex(accept.devAddr),
      dlSettings: accept.dlSettings,
      rxDelay: accept.rxDelay,
      rx1DelayS: accept.rx1DelayS,
      ...(accept.cfList === undefined ? {} : { cfList: 'raw' in accept.cfList ? { type: accept.cfList.type, raw: toHex(accept.cfList.raw) } : accept.cfList }),
      mic: toHex(accept.mic),
      micOk: true,
    };
  } catch (error) {
    // Decrypted with the wrong key the fields are noise: show nothing but the verdict.
    if (error instanceof LorawanMicError) return { mType: 'join-accept', encrypted: toHex(phy.subarray(1)), micOk: false };
    throw error;
  }
}
