/**
 * The LoRaWAN 1.0.x MAC commands the simulator speaks (§5): it parses what a
 * device sends (FOpts, or FRMPayload on FPort 0) and builds the network's
 * requests and answers. Multi-byte fields are little-endian on the air.
 */

export const CID = {
  linkCheck: 0x02,
  linkAdr: 0x03,
  dutyCycle: 0x04,
  rxParamSetup: 0x05,
  devStatus: 0x06,
  newChannel: 0x07,
  rxTimingSetup: 0x08,
  txParamSetup: 0x09,
  dlChannel: 0x0a,
  deviceTime: 0x0d,
} as const;

/** Payload length of each device → network command; a CID not listed ends parsing (its length is unknown). */
const UPLINK_LENGTHS: ReadonlyMap<number, number> = new Map([
  [CID.linkCheck, 0],
  [CID.linkAdr, 1],
  [CID.dutyCycle, 0],
  [CID.rxParamSetup, 1],
  [CID.devStatus, 2],
  [CID.newChannel, 1],
  [CID.rxTimingSetup, 0],
  [CID.txParamSetup, 0],
  [CID.dlChannel, 1],
  [CID.deviceTime, 0],
]);

export type UplinkMacCommand =
  | { cid: 'LinkCheckReq' }
  | { cid: 'LinkADRAns'; powerAck: boolean; dataRateAck: boolean; channelMaskAck: boolean }
  | { cid: 'DevStatusAns'; /** 0 external power, 1–254 level, 255 unknown. */ battery: number; /** SNR margin of the last DevStatusReq, dB (signed 6 bits). */ margin: number }
  | { cid: 'DeviceTimeReq' }
  | { cid: 'other'; code: number; payload: Uint8Array };

export interface ParsedMacCommands {
  commands: UplinkMacCommand[];
  /** Set when parsing stopped early: an unknown CID or a truncated command. */
  problem?: string;
}

export function parseUplinkMacCommands(bytes: Uint8Array): ParsedMacCommands {
  const commands: UplinkMacCommand[] = [];
  let i = 0;
  while (i < bytes.length) {
    const code = bytes[i];
    const length = UPLINK_LENGTHS.get(code);
    if (length === undefined) return { commands, problem: `unknown MAC command 0x${code.toString(16).padStart(2, '0')} at byte ${i}; the rest is skipped` };
    if (i + 1 + length > bytes.length) return { commands, problem: `MAC command 0x${code.toString(16)} at byte ${i} is truncated` };
    const payload = bytes.slice(i + 1, i + 1 + length);
    commands.push(describe(code, payload));
    i += 1 + length;
  }
  return { commands };
}

function describe(code: number, payload: Uint8Array): UplinkMacCommand {
  switch (code) {
    case CID.linkCheck:
      return { cid: 'LinkCheckReq' };
    case CID.linkAdr:
      return { cid: 'LinkADRAns', powerAck: (payload[0] & 4) !== 0, dataRateAck: (payload[0] & 2) !== 0, channelMaskAck: (payload[0] & 1) !== 0 };
    case CID.devStatus: {
      const raw = payload[1] & 0x3f;
      return { cid: 'DevStatusAns', battery: payload[0], margin: raw >= 32 ? raw - 64 : raw };
    }
    case CID.deviceTime:
      return { cid: 'DeviceTimeReq' };
    default:
      return { cid: 'other', code, payload };
  }
}

/** LinkCheckAns: demodulation margin over the data rate's floor (dB, 0–254) and how many gateways heard it. */
export function linkCheckAns(marginDb: number, gatewayCount: number): Uint8Array {
  return Uint8Array.of(CID.linkCheck, clamp(Math.round(marginDb), 0, 254), clamp(gatewayCount, 0, 255));
}

export interface LinkAdrReqFields {
  dataRate: number;
  /** Region-defined TXPower index (0 = max EIRP). */
  txPower: number;
  channelMask: number;
  channelMaskControl: number;
  /** NbTrans, 0–15 (0 means "keep": the device uses 1). */
  nbTrans: number;
}

export function linkAdrReq(fields: LinkAdrReqFields): Uint8Array {
  return Uint8Array.of(
    CID.linkAdr,
    ((fields.dataRate & 0x0f) << 4) | (fields.txPower & 0x0f),
    fields.channelMask & 0xff,
    (fields.channelMask >> 8) & 0xff,
    ((fields.channelMaskControl & 0x07) << 4) | (fields.nbTrans & 0x0f),
  );
}

export function devStatusReq(): Uint8Array {
  return Uint8Array.of(CID.devStatus);
}

/** Seconds from the Unix epoch to the GPS epoch (1980-01-06), and GPS − UTC since 2017. */
const GPS_EPOCH_UNIX_S = 315_964_800;
const GPS_LEAP_SECONDS = 18;

/** DeviceTimeAns: GPS time (whole seconds, little-endian) and 1/256 s fractions at the end of the uplink. */
export function deviceTimeAns(unixMs: number): Uint8Array {
  const gpsMs = unixMs - GPS_EPOCH_UNIX_S * 1000 + GPS_LEAP_SECONDS * 1000;
  const seconds = Math.floor(gpsMs / 1000);
  const fraction = Math.floor(((gpsMs - seconds * 1000) * 256) / 1000);
  return Uint8Array.of(CID.deviceTime, seconds & 0xff, (seconds >>> 8) & 0xff, (seconds >>> 16) & 0xff, (seconds >>> 24) & 0xff, fraction);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
