/**
 * MAC command codec (LoRaWAN 1.0.x §5) from the device's side: decode what
 * the network sends (requests and answers), encode what the device sends.
 * Commands have no length field, so one unknown CID makes the rest of the
 * buffer unreadable: decoding stops there and reports it.
 */
import { readUintLE, writeUintLE } from '../wire.js';

export const CID = {
  LinkCheck: 0x02,
  LinkADR: 0x03,
  DutyCycle: 0x04,
  RXParamSetup: 0x05,
  DevStatus: 0x06,
  NewChannel: 0x07,
  RXTimingSetup: 0x08,
  TxParamSetup: 0x09,
  DlChannel: 0x0a,
  DeviceTime: 0x0d,
} as const;

export type DownlinkCommand =
  | { type: 'LinkCheckAns'; /** dB above the demodulation floor at the best gateway. */ margin: number; gwCnt: number }
  | { type: 'LinkADRReq'; dataRate: number; txPower: number; chMask: number; chMaskCntl: number; nbTrans: number }
  | { type: 'DutyCycleReq'; maxDCycle: number }
  | { type: 'RXParamSetupReq'; rx1DrOffset: number; rx2DataRate: number; frequency: number }
  | { type: 'DevStatusReq' }
  | { type: 'NewChannelReq'; chIndex: number; frequency: number; minDr: number; maxDr: number }
  | { type: 'RXTimingSetupReq'; delayS: number }
  | { type: 'TxParamSetupReq'; downlinkDwell: boolean; uplinkDwell: boolean; maxEirpIndex: number }
  | { type: 'DlChannelReq'; chIndex: number; frequency: number }
  | { type: 'DeviceTimeAns'; /** Seconds since the GPS epoch. */ gpsSeconds: number; /** 1/256 s. */ fraction: number };

interface CommandSpec {
  length: number;
  decode(b: Uint8Array): DownlinkCommand;
}

/** Frequencies travel in units of 100 Hz, 24 bits little-endian. */
const freq = (b: Uint8Array, at: number) => readUintLE(b, at, 3) * 100;

const DOWNLINK: Readonly<Record<number, CommandSpec>> = {
  [CID.LinkCheck]: { length: 2, decode: (b) => ({ type: 'LinkCheckAns', margin: b[0], gwCnt: b[1] }) },
  [CID.LinkADR]: {
    length: 4,
    decode: (b) => ({ type: 'LinkADRReq', dataRate: b[0] >> 4, txPower: b[0] & 0x0f, chMask: readUintLE(b, 1, 2), chMaskCntl: (b[3] >> 4) & 0x07, nbTrans: b[3] & 0x0f }),
  },
  [CID.DutyCycle]: { length: 1, decode: (b) => ({ type: 'DutyCycleReq', maxDCycle: b[0] & 0x0f }) },
  [CID.RXParamSetup]: {
    length: 4,
    decode: (b) => ({ type: 'RXParamSetupReq', rx1DrOffset: (b[0] >> 4) & 0x07, rx2DataRate: b[0] & 0x0f, frequency: freq(b, 1) }),
  },
  [CID.DevStatus]: { length: 0, decode: () => ({ type: 'DevStatusReq' }) },
  [CID.NewChannel]: {
    length: 5,
    decode: (b) => ({ type: 'NewChannelReq', chIndex: b[0], frequency: freq(b, 1), minDr: b[4] & 0x0f, maxDr: b[4] >> 4 }),
  },
  [CID.RXTimingSetup]: { length: 1, decode: (b) => ({ type: 'RXTimingSetupReq', delayS: Math.max(1, b[0] & 0x0f) }) },
  [CID.TxParamSetup]: {
    length: 1,
    decode: (b) => ({ type: 'TxParamSetupReq', downlinkDwell: (b[0] & 0x20) !== 0, uplinkDwell: (b[0] & 0x10) !== 0, maxEirpIndex: b[0] & 0x0f }),
  },
  [CID.DlChannel]: { length: 4, decode: (b) => ({ type: 'DlChannelReq', chIndex: b[0], frequency: freq(b, 1) }) },
  [CID.DeviceTime]: { length: 5, decode: (b) => ({ type: 'DeviceTimeAns', gpsSeconds: readUintLE(b, 0, 4), fraction: b[4] }) },
};

export interface DecodedCommands {
  commands: DownlinkCommand[];
  /** Offset where decoding stopped: an unknown CID or a truncated command. */
  stoppedAt?: number;
}

/** Decode the MAC commands of FOpts or of an FPort 0 payload. Never throws. */
export function decodeDownlinkCommands(bytes: Uint8Array): DecodedCommands {
  const commands: DownlinkCommand[] = [];
  let at = 0;
  while (at < bytes.length) {
    const spec = DOWNLINK[bytes[at]];
    if (spec === undefined || at + 1 + spec.length > bytes.length) return { commands, stoppedAt: at };
    commands.push(spec.decode(bytes.subarray(at + 1, at + 1 + spec.length)));
    at += 1 + spec.length;
  }
  return { commands };
}

// ---- uplink commands: each encoder returns CID + payload ----

export const linkCheckReq = (): Uint8Array => Uint8Array.of(CID.LinkCheck);
export const deviceTimeReq = (): Uint8Array => Uint8Array.of(CID.DeviceTime);

/** LinkADRAns: bit 2 power ACK, bit 1 data rate ACK, bit 0 channel mask ACK. */
export const linkAdrAns = (powerOk: boolean, drOk: boolean, maskOk: boolean): Uint8Array =>
  Uint8Array.of(CID.LinkADR, status3(powerOk, drOk, maskOk));
export const dutyCycleAns = (): Uint8Array => Uint8Array.of(CID.DutyCycle);
/** RXParamSetupAns: bit 2 RX1DROffset ACK, bit 1 RX2 data rate ACK, bit 0 channel ACK. */
export const rxParamSetupAns = (offsetOk: boolean, rx2DrOk: boolean, channelOk: boolean): Uint8Array =>
  Uint8Array.of(CID.RXParamSetup, status3(offsetOk, rx2DrOk, channelOk));
export const rxTimingSetupAns = (): Uint8Array => Uint8Array.of(CID.RXTimingSetup);
export const txParamSetupAns = (): Uint8Array => Uint8Array.of(CID.TxParamSetup);
/** NewChannelAns: bit 1 data rate range ok, bit 0 channel frequency ok. */
export const newChannelAns = (frequencyOk: boolean, drOk: boolean): Uint8Array => Uint8Array.of(CID.NewChannel, status3(false, drOk, frequencyOk));
/** DlChannelAns: bit 1 uplink frequency exists, bit 0 channel frequency ok. */
export const dlChannelAns = (frequencyOk: boolean, uplinkExists: boolean): Uint8Array => Uint8Array.of(CID.DlChannel, status3(false, uplinkExists, frequencyOk));

/**
 * DevStatusAns: battery 0 = external power, 1–254 level, 255 unknown; margin
 * = SNR of the DevStatusReq downlink, dB, as a 6-bit signed value (−32…31).
 */
export function devStatusAns(battery: number, marginDb: number): Uint8Array {
  const level = Number.isFinite(battery) ? Math.min(255, Math.max(0, Math.round(battery))) : 255;
  const margin = Math.min(31, Math.max(-32, Math.round(Number.isFinite(marginDb) ? marginDb : 0)));
  return Uint8Array.of(CID.DevStatus, level, margin & 0x3f);
}

/** Network side (tests, simulators): encode a downlink command. */
export function encodeDownlinkCommand(command: DownlinkCommand): Uint8Array {
  const f = (hz: number) => {
    const b = new Uint8Array(3);
    writeUintLE(b, 0, Math.round(hz / 100), 3);
    return b;
  };
  switch (command.type) {
    case 'LinkCheckAns':
      return Uint8Array.of(CID.LinkCheck, command.margin, command.gwCnt);
    case 'LinkADRReq':
      return Uint8Array.of(CID.LinkADR, (command.dataRate << 4) | command.txPower, command.chMask & 0xff, command.chMask >> 8, (command.chMaskCntl << 4) | command.nbTrans);
    case 'DutyCycleReq':
      return Uint8Array.of(CID.DutyCycle, command.maxDCycle);
    case 'RXParamSetupReq':
      return Uint8Array.of(CID.RXParamSetup, (command.rx1DrOffset << 4) | command.rx2DataRate, ...f(command.frequency));
    case 'DevStatusReq':
      return Uint8Array.of(CID.DevStatus);
    case 'NewChannelReq':
      return Uint8Array.of(CID.NewChannel, command.chIndex, ...f(command.frequency), (command.maxDr << 4) | command.minDr);
    case 'RXTimingSetupReq':
      return Uint8Array.of(CID.RXTimingSetup, command.delayS);
    case 'TxParamSetupReq':
      return Uint8Array.of(CID.TxParamSetup, (command.downlinkDwell ? 0x20 : 0) | (command.uplinkDwell ? 0x10 : 0) | command.maxEirpIndex);
    case 'DlChannelReq':
      return Uint8Array.of(CID.DlChannel, command.chIndex, ...f(command.frequency));
    case 'DeviceTimeAns': {
      const b = new Uint8Array(6);
      b[0] = CID.DeviceTime;
      writeUintLE(b, 1, command.gpsSeconds, 4);
      b[5] = command.fraction;
      return b;
    }
  }
}

/** Network side: split an uplink's MAC commands by CID (lengths of the device-sent commands). */
export function decodeUplinkCommands(bytes: Uint8Array): Array<{ cid: number; payload: Uint8Array }> {
  const lengths: Readonly<Record<number, number>> = {
    [CID.LinkCheck]: 0, [CID.LinkADR]: 1, [CID.DutyCycle]: 0, [CID.RXParamSetup]: 1, [CID.DevStatus]: 2,
    [CID.NewChannel]: 1, [CID.RXTimingSetup]: 0, [CID.TxParamSetup]: 0, [CID.DlChannel]: 1, [CID.DeviceTime]: 0,
  };
  const out: Array<{ cid: number; payload: Uint8Array }> = [];
  let at = 0;
  while (at < bytes.length) {
    const length = lengths[bytes[at]];
    if (length === undefined || at + 1 + length > bytes.length) break;
    out.push({ cid: bytes[at], payload: bytes.slice(at + 1, at + 1 + length) });
    at += 1 + length;
  }
  return out;
}

function status3(bit2: boolean, bit1: boolean, bit0: boolean): number {
  return (bit2 ? 4 : 0) | (bit1 ? 2 : 0) | (bit0 ? 1 : 0);
}
