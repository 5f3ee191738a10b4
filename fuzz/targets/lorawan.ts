/**
 * LoRaWAN: every frame decoder (data, join request, join accept, CFList, MAC
 * command lists), and downlinks as a class A device's MAC receives them in
 * its receive window, MAC commands applied (drivers/lorawan/mac).
 */
import { PortableAes128 } from '../../drivers/crypto/aes128.js';
import { concatBytes } from '../../drivers/bytes.js';
import {
  dataMic, decodeCfList, decodeDataFrame, decodeJoinAccept, decodeJoinRequest, decodePhyPayload, encodeDataFrame, encodeJoinAccept,
  encodeJoinRequest, MAX_PHY_PAYLOAD, openDataFrame, REGION_NAMES, type SessionKeys,
} from '../../drivers/lorawan/index.js';
import { decodeDownlinkCommands, decodeUplinkCommands, encodeDownlinkCommand, type DownlinkCommand } from '../../drivers/lorawan/mac/index.js';
import { ABP_DEVADDR, ABP_KEYS, createBench } from '../../drivers/lorawan/mac/test-support.js';
import type { FuzzTarget, Seed } from '../target.js';
import { rethrowUnlessTyped, tryEach } from '../typed-error.js';

const aes = new PortableAes128();
const APP_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const KEYS: SessionKeys = { nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => i + 1), appSKey: Uint8Array.from({ length: 16 }, (_, i) => 16 - i) };

/** MAC commands a network sends, one of each kind. */
const COMMANDS: readonly DownlinkCommand[] = [
  { type: 'LinkADRReq', dataRate: 3, txPower: 2, chMask: 0x00ff, chMaskCntl: 0, nbTrans: 2 },
  { type: 'DutyCycleReq', maxDCycle: 4 },
  { type: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 3, frequency: 869_525_000 },
  { type: 'DevStatusReq' },
  { type: 'NewChannelReq', chIndex: 3, frequency: 867_100_000, minDr: 0, maxDr: 5 },
  { type: 'RXTimingSetupReq', delayS: 2 },
  { type: 'TxParamSetupReq', downlinkDwell: false, uplinkDwell: true, maxEirpIndex: 5 },
  { type: 'DlChannelReq', chIndex: 3, frequency: 868_100_000 },
  { type: 'LinkCheckAns', margin: 20, gwCnt: 2 },
  { type: 'DeviceTimeAns', gpsSeconds: 1_400_000_000, fraction: 128 },
];
const COMMAND_BYTES = COMMANDS.map(encodeDownlinkCommand);

/** A MIC that verifies again, computed with the 16-bit counter as the 32-bit one (a fresh session, or lastFCnt 0). */
function remic(bytes: Uint8Array, nwkSKey: Uint8Array): Uint8Array {
  try {
    const frame = decodeDataFrame(bytes);
    const message = bytes.subarray(0, bytes.length - 4);
    return concatBytes(message, dataMic(aes, nwkSKey, frame.direction, frame.devAddr, frame.fCnt16, message));
  } catch (error) {
    rethrowUnlessTyped(error);
    return bytes;
  }
}

/** Data frames both ways, with MAC commands in FOpts and on FPort 0, and application data. */
function dataFrameSeeds(devAddr: number, keys: SessionKeys): Seed[] {
  const down = (fOpts: Uint8Array | undefined, fPort: number | undefined, payload: Uint8Array | undefined, fCnt: number, confirmed = false) =>
    encodeDataFrame(aes, { mType: confirmed ? 'confirmed-data-down' : 'unconfirmed-data-down', devAddr, fCnt, fCtrl: { ack: fCnt % 2 === 0, fPending: fCnt % 3 === 0 }, fOpts, fPort, payload }, keys);
  const frames = [
    ...COMMAND_BYTES.map((c, i) => down(c, undefined, undefined, i + 1)),
    down(concatBytes(COMMAND_BYTES[0], COMMAND_BYTES[0], COMMAND_BYTES[3]), 2, Uint8Array.of(2, 0, 1, 0, 0, 60), 20),
    down(undefined, 0, concatBytes(...COMMAND_BYTES), 21),
    down(undefined, 5, Uint8Array.of(1, 3, 2), 22, true),
    down(undefined, undefined, undefined, 23),
    encodeDataFrame(aes, { mType: 'unconfirmed-data-up', devAddr, fCnt: 70_000, fPort: 1, payload: Uint8Array.from({ length: 40 }, (_, i) => i) }, keys),
    encodeDataFrame(aes, { mType: 'confirmed-data-up', devAddr, fCnt: 3, fOpts: Uint8Array.of(2, 6), fPort: 7, payload: Uint8Array.of(1) }, keys),
  ];
  // The FCtrl byte carries FOptsLen in its low nibble: a length field to lie about.
  return frames.map((bytes) => ({ bytes, lengths: [{ at: 5, size: 1 }] }));
}

export function lorawanFrameTarget(): FuzzTarget {
  const joinAccept = encodeJoinAccept(aes, aes, {
    joinNonce: 0x123456, netId: 0x13, devAddr: 0x26000042, dlSettings: { rx1DrOffset: 1, rx2DataRate: 3 }, rxDelay: 1,
    cfList: { type: 0, frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000] },
  }, APP_KEY);
  const seeds: Seed[] = [
    ...dataFrameSeeds(0x01020304, KEYS),
    { bytes: encodeJoinRequest(aes, { joinEui: Uint8Array.of(0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, 0), devEui: Uint8Array.of(0, 4, 0xa3, 0x0b, 0, 0x1c, 5, 0x30), devNonce: 0x1234 }, APP_KEY) },
    { bytes: joinAccept },
    { bytes: encodeJoinAccept(aes, aes, { joinNonce: 1, netId: 0, devAddr: 1, dlSettings: { rx1DrOffset: 0, rx2DataRate: 0 }, rxDelay: 0 }, APP_KEY) },
  ];
  return {
    name: 'lorawan-frame',
    description: 'decodePhyPayload, decodeDataFrame, openDataFrame, decodeJoinRequest, decodeJoinAccept, decodeCfList, decodeDownlinkCommands, decodeUplinkCommands',
    seeds,
    maxRandomLength: 270,
    repair: (bytes) => remic(bytes, KEYS.nwkSKey),
    run(input) {
      tryEach([
        () => decodePhyPayload(input),
        () => openDataFrame(aes, input, KEYS),
        () => openDataFrame(aes, input, KEYS, { lastFCnt: 0xffff_fff0 }),
        () => decodeJoinRequest(input),
        () => decodeJoinAccept(aes, input, APP_KEY),
        () => decodeCfList(input.subarray(0, 16)),
        () => decodeDownlinkCommands(input),
        () => decodeUplinkCommands(input),
      ]);
    },
  };
}

/**
 * lorawan-mac input: one selector byte (bits 0–1: the region), then the
 * PHYPayload the network answers in RX1 after the device's next uplink.
 */
export function lorawanMacTarget(): FuzzTarget {
  return {
    name: 'lorawan-mac',
    description: 'LoraWanMac receiving a downlink in its receive window (checkDownlink, MAC commands applied, answers), then sending again',
    seeds: dataFrameSeeds(ABP_DEVADDR, ABP_KEYS).map((s, i) => ({ bytes: Uint8Array.from([i, ...s.bytes]), lengths: [{ at: 6, size: 1 }] })),
    maxRandomLength: 64,
    repair: (bytes) => (bytes.length < 2 ? bytes : Uint8Array.from([bytes[0], ...remic(bytes.subarray(1), ABP_KEYS.nwkSKey)])),
    async run(input) {
      const region = REGION_NAMES[(input[0] ?? 0) % REGION_NAMES.length];
      const { clock, mac, network, region: plan } = createBench({ activation: 'abp', region, mac: { dataRate: region === 'US915' ? 3 : 5 } });
      // A LoRa packet carries at most 255 bytes: longer inputs could never reach the radio.
      network.queueRaw(ABP_DEVADDR, input.subarray(1, 1 + MAX_PHY_PAYLOAD));
      const send = async (payload: number) => {
        try {
          await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(Math.min(mac.maxPayloadBytes(), payload)), confirmed: false }), 7 * 24 * 3_600_000);
        } catch (error) {
          rethrowUnlessTyped(error);
        }
      };
      await send(5);
      // Whatever the commands said, the device must still be able to send.
      if (!plan.uplinkDataRates.includes(mac.dataRate)) throw new Error(`data rate ${mac.dataRate} is not an uplink data rate of ${region}`);
      if (mac.channels.enabledChannels().length === 0) throw new Error('no uplink channel left enabled');
      const max = mac.maxPayloadBytes();
      if (!(max >= 0 && max <= 242)) throw new Error(`maxPayloadBytes ${max}`);
      await send(3);
      mac.close();
    },
  };
}
