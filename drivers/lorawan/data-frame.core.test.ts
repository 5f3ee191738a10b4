/**
 * Data frames with the portable cipher (so this runs inside XS too): the
 * DESIGN.md public vector, vectors made by lora-packet, the 32-bit counter,
 * key choice by FPort, and every encoder refusal.
 */
import { test } from '../../test/kit/core-test.js';
import { fromHex, toHex } from '../bytes.js';
import { PortableAes128 } from '../crypto/aes128.js';
import { decodeDataFrame, encodeDataFrame, expandFCnt, openDataFrame, verifyDataMic } from './data-frame.js';

const aes = new PortableAes128();
const KEYS = { nwkSKey: fromHex('0102030405060708090a0b0c0d0e0f10'), appSKey: fromHex('100f0e0d0c0b0a090807060504030201') };
const PUBLIC_VECTOR = '80040302010000000ae264d4f7b56a0e75';

test('public vector: confirmed uplink, DevAddr 01020304, FCnt 0, FPort 10, payload 01020304', (t) => {
  const frame = encodeDataFrame(aes, { mType: 'confirmed-data-up', devAddr: 0x01020304, fCnt: 0, fPort: 10, payload: fromHex('01020304') }, KEYS);
  t.is(toHex(frame), PUBLIC_VECTOR);
});

test('public vector decodes field by field, verifies and decrypts', (t) => {
  const frame = decodeDataFrame(fromHex(PUBLIC_VECTOR));
  t.is(frame.mType, 'confirmed-data-up');
  t.is(frame.direction, 'up');
  t.true(frame.confirmed);
  t.is(frame.devAddr, 0x01020304);
  t.deepEqual(frame.fCtrl, { adr: false, adrAckReq: false, ack: false, fPending: false });
  t.is(frame.fCnt16, 0);
  t.is(frame.fPort, 10);
  t.is(toHex(frame.frmPayload), 'e264d4f7');
  t.is(toHex(frame.mic), 'b56a0e75');
  const opened = openDataFrame(aes, fromHex(PUBLIC_VECTOR), KEYS);
  t.is(toHex(opened.payload), '01020304');
  t.is(opened.fCnt, 0);
});

test('a wrong key or a flipped bit is a LORAWAN_MIC error naming the DevAddr', (t) => {
  const wrong = { ...KEYS, nwkSKey: KEYS.appSKey };
  t.throws(() => openDataFrame(aes, fromHex(PUBLIC_VECTOR), wrong), { code: 'LORAWAN_MIC', message: /DevAddr 01020304 FCnt 0/ });
  const corrupted = fromHex(PUBLIC_VECTOR);
  corrupted[9] ^= 0x01;
  t.throws(() => openDataFrame(aes, corrupted, KEYS), { code: 'LORAWAN_MIC' });
});

test('lora-packet vector: FCnt 0x10005 (upper bits only in MIC and encryption), ADR, FOpts, FPort 2', (t) => {
  const expected = '40da1b0126820500030702b47c3f3ec956';
  const fields = { mType: 'unconfirmed-data-up', devAddr: 0x26011bda, fCnt: 0x10005, fCtrl: { adr: true }, fOpts: fromHex('0307'), fPort: 2, payload: fromHex('cafe') } as const;
  t.is(toHex(encodeDataFrame(aes, fields, KEYS)), expected);
  // Only 0005 is on the air: opening it as counter 5 fails the MIC; knowing we are past 65,535 succeeds.
  t.throws(() => openDataFrame(aes, fromHex(expected), KEYS), { code: 'LORAWAN_MIC' });
  const opened = openDataFrame(aes, fromHex(expected), KEYS, { lastFCnt: 0x10000 });
  t.is(opened.fCnt, 0x10005);
  t.is(toHex(opened.payload), 'cafe');
  t.is(toHex(opened.fOpts), '0307');
  t.true(opened.fCtrl.adr);
});

test('lora-packet vector: confirmed downlink on FPort 0 is encrypted with the NwkSKey; ACK and FPending set', (t) => {
  const expected = 'a0da1b0126300700005916c6c5fa9f';
  const fields = { mType: 'confirmed-data-down', devAddr: 0x26011bda, fCnt: 7, fCtrl: { ack: true, fPending: true }, fPort: 0, payload: fromHex('0201') } as const;
  t.is(toHex(encodeDataFrame(aes, fields, KEYS)), expected);
  // FPort 0 needs no AppSKey at all.
  t.is(toHex(encodeDataFrame(aes, fields, { nwkSKey: KEYS.nwkSKey, appSKey: new Uint8Array(0) })), expected);
  const opened = openDataFrame(aes, fromHex(expected), KEYS);
  t.is(opened.direction, 'down');
  t.deepEqual(opened.fCtrl, { adr: false, adrAckReq: false, ack: true, fPending: true });
  t.is(toHex(opened.payload), '0201');
});

test('a frame without FPort (an empty ACK) has no payload and still verifies', (t) => {
  const frame = encodeDataFrame(aes, { mType: 'unconfirmed-data-up', devAddr: 0xffffffff, fCnt: 0xffffffff, fCtrl: { ack: true } }, KEYS);
  t.is(frame.length, 12);
  const decoded = decodeDataFrame(frame);
  t.is(decoded.fPort, undefined);
  t.is(decoded.devAddr, 0xffffffff);
  t.is(decoded.fCnt16, 0xffff);
  t.true(verifyDataMic(aes, decoded, KEYS.nwkSKey, 0xffffffff));
  t.false(verifyDataMic(aes, decoded, KEYS.nwkSKey, 0xffff));
});

test('expandFCnt: the first 32-bit counter at or after the last one with these 16 low bits', (t) => {
  t.is(expandFCnt(5, 0), 5);
  t.is(expandFCnt(5, 5), 5, 'a retransmission keeps its counter');
  t.is(expandFCnt(4, 5), 0x10004, 'a smaller value means the low half wrapped');
  t.is(expandFCnt(0x0003, 0x1fffe), 0x20003);
  t.is(expandFCnt(0xffff, 0xfffe0000), 0xfffeffff);
});

test('encoder refusals are LORAWAN_FIELD errors that say what to do', (t) => {
  const base = { mType: 'unconfirmed-data-up', devAddr: 1, fCnt: 1 } as const;
  t.throws(() => encodeDataFrame(aes, { ...base, payload: fromHex('01') }, KEYS), { code: 'LORAWAN_FIELD', message: /needs an FPort/ });
  t.throws(() => encodeDataFrame(aes, { ...base, fPort: 256, payload: fromHex('01') }, KEYS), { code: 'LORAWAN_FIELD' });
  t.throws(() => encodeDataFrame(aes, { ...base, fPort: 0, fOpts: fromHex('02'), payload: fromHex('02') }, KEYS), { code: 'LORAWAN_FIELD', message: /FOpts/ });
  t.throws(() => encodeDataFrame(aes, { ...base, fPort: 1, fOpts: new Uint8Array(16) }, KEYS), { code: 'LORAWAN_FIELD', message: /at most 15/ });
  t.throws(() => encodeDataFrame(aes, { ...base, fCnt: 2 ** 32 }, KEYS), { code: 'LORAWAN_FIELD', message: /^fCnt:/ });
  t.throws(() => encodeDataFrame(aes, { ...base, devAddr: -1 }, KEYS), { code: 'LORAWAN_FIELD', message: /^devAddr:/ });
  t.throws(() => encodeDataFrame(aes, { ...base, fPort: 1, payload: new Uint8Array(243) }, KEYS), { code: 'LORAWAN_FIELD', message: /at most 255/ });
  t.throws(() => encodeDataFrame(aes, { ...base, fPort: 1 }, { ...KEYS, appSKey: new Uint8Array(15) }), { code: 'LORAWAN_FIELD', message: /^appSKey:/ });
});

test('decoder refusals are LORAWAN_MALFORMED / LORAWAN_UNSUPPORTED with the byte offset', (t) => {
  t.throws(() => decodeDataFrame(new Uint8Array(0)), { code: 'LORAWAN_MALFORMED' });
  t.throws(() => decodeDataFrame(fromHex('4004030201000000')), { code: 'LORAWAN_MALFORMED', message: /at least 12 bytes/ });
  t.throws(() => decodeDataFrame(fromHex('40040302010f0000 00000000')), { code: 'LORAWAN_MALFORMED', message: /15 FOpts bytes/ });
  t.throws(() => decodeDataFrame(fromHex('41040302010000000ae264d4f7b56a0e75')), { code: 'LORAWAN_UNSUPPORTED', message: /major version 1/ });
  t.throws(() => decodeDataFrame(fromHex('00040302010000000ae264d4f7b56a0e75')), { code: 'LORAWAN_MALFORMED', message: /join-request, not a data frame/ });
  t.throws(() => decodeDataFrame(fromHex('400403020101000003 00 00000000')), { code: 'LORAWAN_MALFORMED', message: /FPort 0/ });
});
