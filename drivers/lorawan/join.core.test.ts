/** OTAA with the portable cipher: vectors made by lora-packet, the device/network round trip, key derivation. */
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import { PortableAes128 } from '../crypto/aes128.js';
import { decodeCfList, encodeCfList } from './cflist.js';
import { openDataFrame, encodeDataFrame } from './data-frame.js';
import { decodeJoinAccept, decodeJoinRequest, encodeJoinAccept, encodeJoinRequest, verifyJoinRequestMic } from './join.js';
import { deriveSessionKeys } from './keys.js';
import { decodePhyPayload } from './phy.js';

const aes = new PortableAes128();
const APP_KEY = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
const JOIN_EUI = fromHex('70b3d57ed0000000');
const DEV_EUI = fromHex('0004a30b001c0530');
// Made with lora-packet (an independent implementation) from the same fields.
const JOIN_REQUEST = '00000000d07ed5b37030051c000ba304000201f568ed0b';
const JOIN_ACCEPT = '207fd88d56e62e75f8180626a2d37ab116e78ab358e4292cb3a969c275ef54ee17';
const ACCEPT_FIELDS = {
  joinNonce: 0xa1b2c3,
  netId: 0x000013,
  devAddr: 0x26011bda,
  dlSettings: { rx1DrOffset: 1, rx2DataRate: 3 },
  rxDelay: 5,
  cfList: { type: 0 as const, frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000] },
};

test('join request: EUIs and DevNonce reversed on the air, MIC under the AppKey', (t) => {
  const frame = encodeJoinRequest(aes, { joinEui: JOIN_EUI, devEui: DEV_EUI, devNonce: 0x0102 }, APP_KEY);
  t.is(toHex(frame), JOIN_REQUEST);
  const decoded = decodeJoinRequest(frame);
  t.is(toHex(decoded.joinEui), '70b3d57ed0000000');
  t.is(toHex(decoded.devEui), '0004a30b001c0530');
  t.is(decoded.devNonce, 0x0102);
  t.true(verifyJoinRequestMic(aes, decoded, APP_KEY));
  t.false(verifyJoinRequestMic(aes, decoded, new Uint8Array(16)));
  const phy = decodePhyPayload(frame);
  t.is(phy.kind, 'join-request');
});

test('join accept: our network-side encoding equals lora-packet\'s, and the device opens it', (t) => {
  t.is(toHex(encodeJoinAccept(aes, aes, ACCEPT_FIELDS, APP_KEY)), JOIN_ACCEPT);
  const accept = decodeJoinAccept(aes, fromHex(JOIN_ACCEPT), APP_KEY);
  const { mic, rx1DelayS, ...fields } = accept;
  t.deepEqual(fields, ACCEPT_FIELDS);
  t.is(rx1DelayS, 5);
  t.is(mic.length, 4);
  t.is(decodePhyPayload(fromHex(JOIN_ACCEPT)).kind, 'join-accept');
});

test('join accept with the wrong AppKey or a flipped bit is LORAWAN_MIC; bad sizes are LORAWAN_MALFORMED', (t) => {
  t.throws(() => decodeJoinAccept(aes, fromHex(JOIN_ACCEPT), new Uint8Array(16)), { code: 'LORAWAN_MIC', message: /join accept/ });
  const flipped = fromHex(JOIN_ACCEPT);
  flipped[20] ^= 0x80;
  t.throws(() => decodeJoinAccept(aes, flipped, APP_KEY), { code: 'LORAWAN_MIC' });
  t.throws(() => decodeJoinAccept(aes, fromHex(JOIN_ACCEPT).subarray(0, 30), APP_KEY), { code: 'LORAWAN_MALFORMED', message: /17 or 33 bytes/ });
  t.throws(() => decodeJoinAccept(aes, fromHex(JOIN_REQUEST), APP_KEY), { code: 'LORAWAN_MALFORMED', message: /join-request, not a join-accept/ });
  t.throws(() => decodeJoinRequest(fromHex(JOIN_REQUEST).subarray(0, 22)), { code: 'LORAWAN_MALFORMED', message: /23 bytes/ });
});

test('1.0.x session keys equal lora-packet\'s for the same JoinNonce, NetID and DevNonce', (t) => {
  const keys = deriveSessionKeys(aes, APP_KEY, { joinNonce: 0xa1b2c3, netId: 0x13, devNonce: 0x0102 });
  t.is(toHex(keys.nwkSKey), 'b4acdf1f3e7dc6401f9d7898e3542117');
  t.is(toHex(keys.appSKey), '5398c7730eb07e19a16362564e7fa100');
  t.throws(() => deriveSessionKeys(aes, APP_KEY, { joinNonce: 2 ** 24, netId: 0, devNonce: 0 }), { code: 'LORAWAN_FIELD', message: /^joinNonce:/ });
});

test('OTAA round trip: request, accept without CFList, derived keys carry a data frame both ways', (t) => {
  const request = decodeJoinRequest(encodeJoinRequest(aes, { joinEui: JOIN_EUI, devEui: DEV_EUI, devNonce: 7 }, APP_KEY));
  t.true(verifyJoinRequestMic(aes, request, APP_KEY));
  const fields = { joinNonce: 1, netId: 0x600013, devAddr: 0x26000001, dlSettings: { rx1DrOffset: 0, rx2DataRate: 0 }, rxDelay: 0 };
  const wire = encodeJoinAccept(aes, aes, fields, APP_KEY);
  t.is(wire.length, 17);
  const accept = decodeJoinAccept(aes, wire, APP_KEY);
  t.is(accept.cfList, undefined);
  t.is(accept.rx1DelayS, 1, 'RxDelay 0 means 1 s');
  const network = deriveSessionKeys(aes, APP_KEY, { joinNonce: fields.joinNonce, netId: fields.netId, devNonce: request.devNonce });
  const device = deriveSessionKeys(aes, APP_KEY, { joinNonce: accept.joinNonce, netId: accept.netId, devNonce: 7 });
  t.deepEqual(device, network);
  const up = encodeDataFrame(aes, { mType: 'unconfirmed-data-up', devAddr: accept.devAddr, fCnt: 0, fPort: 1, payload: fromHex('2a') }, device);
  t.is(toHex(openDataFrame(aes, up, network).payload), '2a');
});

test('CFList: frequencies in 100 Hz units, channel masks, unknown types kept raw', (t) => {
  t.is(toHex(encodeCfList(ACCEPT_FIELDS.cfList)), '184f84e85684b85e84886684586e8400');
  const masks = decodeCfList(fromHex('ff00 0000 0000 0000 0000 0000 000000 01'));
  t.deepEqual(masks, { type: 1, channelMasks: [0x00ff, 0, 0, 0, 0, 0] });
  t.deepEqual(decodeCfList(encodeCfList({ type: 1, channelMasks: [0xff00, 0, 0, 0, 1, 0xffff] })), { type: 1, channelMasks: [0xff00, 0, 0, 0, 1, 0xffff] });
  const other = decodeCfList(fromHex('0102030405060708090a0b0c0d0e0f07'));
  t.is(other.type, 7);
  t.throws(() => decodeCfList(new Uint8Array(15)), { code: 'LORAWAN_MALFORMED' });
});
