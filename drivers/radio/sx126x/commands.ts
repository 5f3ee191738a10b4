/**
 * SX1261/2/8 command set, as numbered in Semtech's SX1261/2 datasheet
 * (section 13, "List of Commands") and the SX1268 datasheet, which shares it.
 * Shared by the driver (sx126x-radio.ts) and the chip simulator
 * (simulators/radio/sx126x-chip.ts), so both speak the datasheet's numbers.
 */

export const OP = {
  GetStatus: 0xc0,
  SetSleep: 0x84,
  SetStandby: 0x80,
  SetFs: 0xc1,
  SetTx: 0x83,
  SetRx: 0x82,
  StopTimerOnPreamble: 0x9f,
  SetRegulatorMode: 0x96,
  Calibrate: 0x89,
  CalibrateImage: 0x98,
  SetPaConfig: 0x95,
  WriteRegister: 0x0d,
  ReadRegister: 0x1d,
  WriteBuffer: 0x0e,
  ReadBuffer: 0x1e,
  SetDioIrqParams: 0x08,
  GetIrqStatus: 0x12,
  ClearIrqStatus: 0x02,
  SetDio2AsRfSwitchCtrl: 0x9d,
  SetDio3AsTcxoCtrl: 0x97,
  SetRfFrequency: 0x86,
  SetPacketType: 0x8a,
  GetPacketType: 0x11,
  SetTxParams: 0x8e,
  SetModulationParams: 0x8b,
  SetPacketParams: 0x8c,
  SetBufferBaseAddress: 0x8f,
  GetRxBufferStatus: 0x13,
  GetPacketStatus: 0x14,
  GetDeviceErrors: 0x17,
  ClearDeviceErrors: 0x07,
} as const;

/** Parameter bytes each write command takes (datasheet section 13); reads are listed in READ_COMMANDS. */
export const PARAM_BYTES: Readonly<Record<number, number>> = {
  [OP.SetSleep]: 1, [OP.SetStandby]: 1, [OP.SetFs]: 0, [OP.SetTx]: 3, [OP.SetRx]: 3, [OP.StopTimerOnPreamble]: 1,
  [OP.SetRegulatorMode]: 1, [OP.Calibrate]: 1, [OP.CalibrateImage]: 2, [OP.SetPaConfig]: 4, [OP.SetDioIrqParams]: 8,
  [OP.ClearIrqStatus]: 2, [OP.SetDio2AsRfSwitchCtrl]: 1, [OP.SetDio3AsTcxoCtrl]: 4, [OP.SetRfFrequency]: 4,
  [OP.SetPacketType]: 1, [OP.SetTxParams]: 2, [OP.SetModulationParams]: 8, [OP.SetPacketParams]: 9,
  [OP.SetBufferBaseAddress]: 2, [OP.ClearDeviceErrors]: 2,
};

/** Read commands: bytes returned after the status byte (the first byte after the opcode is NOP/status). */
export const READ_COMMANDS: Readonly<Record<number, number>> = {
  [OP.GetStatus]: 0, [OP.GetIrqStatus]: 2, [OP.GetPacketType]: 1, [OP.GetRxBufferStatus]: 2, [OP.GetPacketStatus]: 3, [OP.GetDeviceErrors]: 2,
};

export const STANDBY_RC = 0x00;
export const STANDBY_XOSC = 0x01;
export const PACKET_TYPE_GFSK = 0x00;
export const PACKET_TYPE_LORA = 0x01;

/** IRQ bits (datasheet table 13-29). */
export const IRQ = {
  TxDone: 1 << 0,
  RxDone: 1 << 1,
  PreambleDetected: 1 << 2,
  SyncWordValid: 1 << 3,
  HeaderValid: 1 << 4,
  HeaderErr: 1 << 5,
  CrcErr: 1 << 6,
  CadDone: 1 << 7,
  CadDetected: 1 << 8,
  Timeout: 1 << 9,
  All: 0x03ff,
} as const;

/** Status byte: chip mode, bits 6:4 (datasheet table 13-76). */
export const CHIP_MODE = { StandbyRc: 0x2, StandbyXosc: 0x3, Fs: 0x4, Rx: 0x5, Tx: 0x6 } as const;
/** Status byte: command status, bits 3:1. */
export const COMMAND_STATUS = { Ok: 0x0, DataAvailable: 0x2, Timeout: 0x3, ProcessingError: 0x4, ExecuteFailure: 0x5, TxDone: 0x6 } as const;

export const chipModeOf = (status: number): number => (status >> 4) & 0x7;
export const commandStatusOf = (status: number): number => (status >> 1) & 0x7;

/** Registers the driver touches (datasheet table 12-1 and section 15, known limitations). */
export const REG = {
  /** LoRa sync word, 2 bytes: 0x3444 public networks (LoRaWAN), 0x1424 private. */
  LoraSyncWord: 0x0740,
  /** Bit 2: the IQ polarity fix of datasheet section 15.4 (set with standard IQ, cleared with inverted). */
  IqPolarity: 0x0736,
  OcpConfiguration: 0x08e7,
} as const;

export const LORAWAN_PUBLIC_SYNC_WORD = 0x3444;

/** LoRa bandwidth codes (SetModulationParams). */
export const BW_CODE: Readonly<Record<125 | 250 | 500, number>> = { 125: 0x04, 250: 0x05, 500: 0x06 };
export const CODING_RATE_4_5 = 0x01;

/** The crystal every SX126x runs on: frequencies are in steps of 32 MHz / 2^25. */
export const XTAL_HZ = 32_000_000;

export function frequencyWord(freqHz: number): number {
  return Math.round((freqHz * 2 ** 25) / XTAL_HZ);
}

export function frequencyOfWord(word: number): number {
  return Math.round((word * XTAL_HZ) / 2 ** 25);
}

/** SetTx/SetRx timeouts count steps of 15.625 µs (64 per ms). */
export const TIMER_STEPS_PER_MS = 64;

/**
 * CalibrateImage's two frequency bytes per band (datasheet section 9.2.1,
 * table 9-2): the image rejection is calibrated for the band in use. Bands
 * outside the table get one computed from the frequency in 4 MHz steps.
 */
const IMAGE_BANDS: ReadonlyArray<{ fromMHz: number; toMHz: number; bytes: [number, number] }> = [
  { fromMHz: 430, toMHz: 440, bytes: [0x6b, 0x6f] },
  { fromMHz: 470, toMHz: 510, bytes: [0x75, 0x81] },
  { fromMHz: 779, toMHz: 787, bytes: [0xc1, 0xc5] },
  { fromMHz: 863, toMHz: 870, bytes: [0xd7, 0xdb] },
  { fromMHz: 902, toMHz: 928, bytes: [0xe1, 0xe9] },
];

export function imageCalibrationFor(freqHz: number): [number, number] {
  const mhz = freqHz / 1e6;
  const band = IMAGE_BANDS.find((b) => mhz >= b.fromMHz && mhz <= b.toMHz);
  if (band !== undefined) return band.bytes;
  const low = Math.floor((mhz - 4) / 4);
  const high = Math.ceil((mhz + 4) / 4);
  return [Math.max(0, Math.min(255, low)), Math.max(0, Math.min(255, high))];
}

/**
 * SetPaConfig for the high-power PA of the SX1262/SX1268 (datasheet table
 * 13-21): the smallest setting that reaches `powerDbm`, with SetTxParams at
 * +22 as the table prescribes.
 */
export function paConfigFor(powerDbm: number): { paDutyCycle: number; hpMax: number } {
  if (powerDbm <= 14) return { paDutyCycle: 0x02, hpMax: 0x02 };
  if (powerDbm <= 17) return { paDutyCycle: 0x02, hpMax: 0x03 };
  if (powerDbm <= 20) return { paDutyCycle: 0x03, hpMax: 0x05 };
  return { paDutyCycle: 0x04, hpMax: 0x07 };
}

/** SetTxParams power range of the high-power PA, dBm. */
export const HP_PA_MIN_DBM = -9;
export const HP_PA_MAX_DBM = 22;
/** Ramp time code for 200 µs. */
export const RAMP_200_US = 0x04;

/** SetDIO3AsTCXOCtrl voltage codes (datasheet table 13-35). */
export type TcxoVoltage = 1.6 | 1.7 | 1.8 | 2.2 | 2.4 | 2.7 | 3.0 | 3.3;
/** Keyed by tenths of a volt. */
const TCXO_VOLTAGE_CODE: Readonly<Record<number, number>> = { 16: 0x00, 17: 0x01, 18: 0x02, 22: 0x03, 24: 0x04, 27: 0x05, 30: 0x06, 33: 0x07 };
export const TCXO_VOLTAGES: readonly TcxoVoltage[] = [1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0, 3.3];
/** The voltage code, or undefined for a voltage the chip cannot supply. */
export const tcxoVoltageCode = (volts: number): number | undefined => TCXO_VOLTAGE_CODE[Math.round(volts * 10)];

/** Calibrate: every block (RC64k, RC13M, PLL, ADC pulse, ADC bulk N/P, image). */
export const CALIBRATE_ALL = 0x7f;
