/**
 * Our LoRaWAN framing against an independent implementation, the npm package
 * lora-packet (Node only: it needs Buffer and node crypto). For random
 * devices, keys, counters — including counters past 65,535, where lora-packet
 * must be handed the upper 16 bits separately — and payloads, both sides must
 * produce the same bytes, and lora-packet must accept our MIC and decrypt our
 * payload.
 */
import test from 'ava';
import fc from 'fast-check';
import loraPacketCjs from 'lora-packet';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { PortableAes128 } from '../crypto/aes128.js';
import { toHex } from '../bytes.js';
import {
  dataMType,
  decodeJoinAccept,
  decodeJoinRequest,
  deriveSessionKeys,
  encodeCfList,
  encodeDataFrame,
  encodeJoinAccept,
  encodeJoinRequest,
  openDataFrame,
  verifyJoinRequestMic,
} from './index.js';

// lora-packet is CommonJS and ends with `module.exports = modules`, so the ESM default import is that
// object; its typings declare it as `exports.default`, which NodeNext shows one level down. Hence the cast.
const loraPacket = loraPacketCjs as unknown as typeof loraPacketCjs.default;

const RUNS = 300;
const cipher = new NodeBlockCipher();
const portable = new PortableAes128();

const key = () => fc.uint8Array({ minLength: 16, maxLength: 16 });
const eui = () => fc.uint8Array({ minLength: 8, maxLength: 8 });
const u32 = () => fc.nat({ max: 0xffffffff });

/** Big-endian bytes of an unsigned number, as lora-packet takes DevAddr, nonces and NetID. */
function be(value: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[size - 1 - i] = Math.floor(value / 256 ** i) & 0xff;
  return out;
}

/** lora-packet's FCntMSBytes: the upper 16 bits, in the order they follow the low 16 in the B0/A_i blocks (little-endian). */
function fCntMsb(fCnt: number): Buffer {
  return Buffer.from([(fCnt >>> 16) & 0xff, (fCnt >>> 24) & 0xff]);
}

const dataFrameArb = fc
  .record({
    devAddr: u32(),
    nwkSKey: key(),
    appSKey: key(),
    // Half the runs past 65,535: the upper 16 bits are what lora-packet gets wrong unless told.
    fCnt: fc.oneof(fc.nat({ max: 0xffff }), u32()),
    fPort: fc.nat({ max: 255 }),
    confirmed: fc.boolean(),
    uplink: fc.boolean(),
    adr: fc.boolean(),
    adrAckReq: fc.boolean(),
    ack: fc.boolean(),
    fPending: fc.boolean(),
    fOpts: fc.uint8Array({ maxLength: 15 }),
    payload: fc.uint8Array({ maxLength: 222 }),
  })
  // FPort 0 carries MAC commands in the payload, which excludes FOpts.
  .map((r) => (r.fPort === 0 ? { ...r, fOpts: new Uint8Array(0) } : r));

test('data frames are byte-identical to lora-packet, which verifies our MIC and decrypts our payload', (t) => {
  let beyond16Bits = 0;
  fc.assert(
    fc.property(dataFrameArb, (r) => {
      const mType = dataMType(r.confirmed, r.uplink ? 'up' : 'down');
      const fCtrl = { adr: r.adr, adrAckReq: r.adrAckReq, ack: r.ack, fPending: r.fPending };
      const ours = encodeDataFrame(cipher, { mType, devAddr: r.devAddr, fCnt: r.fCnt, fCtrl, fOpts: r.fOpts, fPort: r.fPort, payload: r.payload }, r);
      if (r.fCnt > 0xffff) beyond16Bits++;

      const nwkSKey = Buffer.from(r.nwkSKey);
      const appSKey = Buffer.from(r.appSKey);
      const theirs = loraPacket.fromFields(
        {
          MType: `${r.confirmed ? 'Confirmed' : 'Unconfirmed'} Data ${r.uplink ? 'Up' : 'Down'}`,
          DevAddr: be(r.devAddr, 4),
          FCtrl: { ADR: r.adr, ADRACKReq: r.adrAckReq, ACK: r.ack, FPending: r.fPending },
          FCnt: r.fCnt & 0xffff,
          FOpts: Buffer.from(r.fOpts),
          FPort: r.fPort,
          payload: Buffer.from(r.payload),
        },
        appSKey,
        nwkSKey,
        undefined,
        fCntMsb(r.fCnt),
      );
      t.is(toHex(ours), (theirs.getPHYPayload() as Buffer).toString('hex'));

      const parsed = loraPacket.fromWire(Buffer.from(ours));
      t.true(loraPacket.verifyMIC(parsed, nwkSKey, undefined, fCntMsb(r.fCnt)), 'lora-packet accepts our MIC');
      if (r.fCnt > 0xffff) t.false(loraPacket.verifyMIC(parsed, nwkSKey), 'without the upper bits lora-packet computes a different MIC');
      t.is(loraPacket.decrypt(parsed, appSKey, nwkSKey, fCntMsb(r.fCnt)).toString('hex'), toHex(r.payload));

      // And back: we open what we made, with the portable cipher too.
      const opened = openDataFrame(portable, ours, r, { lastFCnt: r.fCnt });
      t.is(opened.fCnt, r.fCnt);
      t.deepEqual(opened.payload, r.payload);
      t.deepEqual(opened.fOpts, r.fOpts);
      t.deepEqual(opened.fCtrl, fCtrl);
    }),
    { numRuns: RUNS },
  );
  t.true(beyond16Bits > RUNS / 5, `${beyond16Bits} runs had FCnt > 65,535`);
});

test('frames lora-packet builds open with our decoder', (t) => {
  fc.assert(
    fc.property(dataFrameArb, (r) => {
      const wire = loraPacket
        .fromFields(
          {
            MType: r.uplink ? 'Unconfirmed Data Up' : 'Confirmed Data Down',
            DevAddr: be(r.devAddr, 4),
            FCnt: r.fCnt & 0xffff,
            FOpts: Buffer.from(r.fOpts),
            FPort: r.fPort,
            payload: Buffer.from(r.payload),
          },
          Buffer.from(r.appSKey),
          Buffer.from(r.nwkSKey),
          undefined,
          fCntMsb(r.fCnt),
        )
        .getPHYPayload() as Buffer;
      // The last counter seen a little below the frame's: the upper 16 bits are recovered.
      const opened = openDataFrame(cipher, new Uint8Array(wire), r, { lastFCnt: Math.max(0, r.fCnt - 100) });
      t.is(opened.devAddr, r.devAddr);
      t.is(opened.fCnt, r.fCnt);
      t.is(opened.fPort, r.fPort);
      t.deepEqual(opened.payload, r.payload);
    }),
    { numRuns: 150 },
  );
});

test('join requests are byte-identical to lora-packet and verify both ways', (t) => {
  fc.assert(
    fc.property(key(), eui(), eui(), fc.nat({ max: 0xffff }), (appKey, joinEui, devEui, devNonce) => {
      const ours = encodeJoinRequest(cipher, { joinEui, devEui, devNonce }, appKey);
      const theirs = loraPacket.fromFields(
        { MType: 'Join Request', AppEUI: Buffer.from(joinEui), DevEUI: Buffer.from(devEui), DevNonce: be(devNonce, 2) },
        undefined,
        undefined,
        Buffer.from(appKey),
      );
      t.is(toHex(ours), (theirs.getPHYPayload() as Buffer).toString('hex'));
      t.true(loraPacket.verifyMIC(loraPacket.fromWire(Buffer.from(ours)), undefined, Buffer.from(appKey)));
      const decoded = decodeJoinRequest(ours);
      t.deepEqual([decoded.joinEui, decoded.devEui, decoded.devNonce], [joinEui, devEui, devNonce]);
      t.true(verifyJoinRequestMic(portable, decoded, appKey));
    }),
    { numRuns: 150 },
  );
});

test('join accepts are byte-identical to lora-packet, which decrypts and verifies ours; session keys agree', (t) => {
  fc.assert(
    fc.property(
      key(),
      fc.nat({ max: 0xffffff }),
      fc.nat({ max: 0xffffff }),
      u32(),
      fc.nat({ max: 7 }),
      fc.nat({ max: 15 }),
      fc.nat({ max: 15 }),
      fc.nat({ max: 0xffff }),
      fc.boolean(),
      (appKey, joinNonce, netId, devAddr, rx1DrOffset, rx2DataRate, rxDelay, devNonce, withCfList) => {
        const cfList = withCfList ? { type: 0 as const, frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000] } : undefined;
        const fields = { joinNonce, netId, devAddr, dlSettings: { rx1DrOffset, rx2DataRate }, rxDelay, ...(cfList ? { cfList } : {}) };
        const ours = encodeJoinAccept(cipher, portable, fields, appKey);

        const key16 = Buffer.from(appKey);
        const theirs = loraPacket.fromFields(
          {
            MType: 'Join Accept',
            AppNonce: be(joinNonce, 3),
            NetID: be(netId, 3),
            DevAddr: be(devAddr, 4),
            // Buffers, not numbers: lora-packet treats a 0 number as "not given".
            DLSettings: Buffer.from([(rx1DrOffset << 4) | rx2DataRate]),
            RxDelay: Buffer.from([rxDelay]),
            ...(cfList ? { CFList: Buffer.from(encodeCfList(cfList)) } : {}),
          },
          undefined,
          undefined,
          key16,
        );
        t.is(toHex(ours), (theirs.getPHYPayload() as Buffer).toString('hex'), 'the same encrypted join accept as lora-packet');
        const decrypted = loraPacket.fromWire(loraPacket.decryptJoinAccept(loraPacket.fromWire(Buffer.from(ours)), key16));
        t.true(loraPacket.verifyMIC(decrypted, undefined, key16), 'lora-packet accepts our join accept MIC');
        t.is(decrypted.DevAddr?.toString('hex'), be(devAddr, 4).toString('hex'));
        t.is(decrypted.getDLSettingsRxOneDRoffset(), rx1DrOffset);
        t.is(decrypted.getDLSettingsRxTwoDataRate(), rx2DataRate);
        t.is(decrypted.getRxDelayDel(), rxDelay);

        const accept = decodeJoinAccept(portable, ours, appKey);
        t.like(accept, { joinNonce, netId, devAddr, dlSettings: { rx1DrOffset, rx2DataRate }, rxDelay });
        t.deepEqual(accept.cfList, cfList);

        const ourKeys = deriveSessionKeys(cipher, appKey, { joinNonce, netId, devNonce });
        const theirKeys = loraPacket.generateSessionKeys10(key16, be(netId, 3), be(joinNonce, 3), be(devNonce, 2));
        t.is(toHex(ourKeys.nwkSKey), theirKeys.NwkSKey.toString('hex'));
        t.is(toHex(ourKeys.appSKey), theirKeys.AppSKey.toString('hex'));
      },
    ),
    { numRuns: 100 },
  );
});
