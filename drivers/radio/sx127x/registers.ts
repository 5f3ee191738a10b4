/**
 * SX1276/77/78/79 LoRa-mode registers, as numbered in Semtech's SX1276/77/78/79
 * datasheet (section 6.4, "LoRa Mode Register Map"). Shared by the driver and
 * the chip simulator (simulators/radio/sx127x-chip.ts).
 *
 * SPI access: one address byte, bit 7 set for a write, then data; a burst
 * goes on at the next address, except the FIFO (0x00), which reads or writes
 * through RegFifoAddrPtr.
 */
export const REG = {
  Fifo: 0x00,
  OpMode: 0x01,
  FrfMsb: 0x06,
  FrfMid: 0x07,
  FrfLsb: 0x08,
  PaConfig: 0x09,
  Ocp: 0x0b,
  Lna: 0x0c,
  FifoAddrPtr: 0x0d,
  FifoTxBaseAddr: 0x0e,
  FifoRxBaseAddr: 0x0f,
  FifoRxCurrentAddr: 0x10,
  IrqFlagsMask: 0x11,
  IrqFlags: 0x12,
  RxNbBytes: 0x13,
  ModemStat: 0x18,
  PktSnrValue: 0x19,
  PktRssiValue: 0x1a,
  ModemConfig1: 0x1d,
  ModemConfig2: 0x1e,
  SymbTimeoutLsb: 0x1f,
  PreambleMsb: 0x20,
  PreambleLsb: 0x21,
  PayloadLength: 0x22,
  MaxPayloadLength: 0x23,
  ModemConfig3: 0x26,
  InvertIq: 0x33,
  SyncWord: 0x39,
  InvertIq2: 0x3b,
  DioMapping1: 0x40,
  Version: 0x42,
  PaDac: 0x4d,
} as const;

/** RegOpMode: LoRa mode bit (settable in sleep only) and the modes of bits 2:0. */
export const LONG_RANGE_MODE = 0x80;
export const MODE = { Sleep: 0, Standby: 1, FsTx: 2, Tx: 3, FsRx: 4, RxContinuous: 5, RxSingle: 6, Cad: 7 } as const;

/** RegIrqFlags bits. */
export const IRQ = { RxTimeout: 0x80, RxDone: 0x40, PayloadCrcError: 0x20, ValidHeader: 0x10, TxDone: 0x08, CadDone: 0x04, FhssChange: 0x02, CadDetected: 0x01 } as const;

/** RegModemStat bits: signal detected, synchronised, RX ongoing, header valid. */
export const MODEM_STAT = { SignalDetected: 0x01, Synchronized: 0x02, RxOngoing: 0x04, HeaderValid: 0x08 } as const;

/** RegDioMapping1 bits 7:6 for DIO0: RxDone (00) or TxDone (01). */
export const DIO0_RX_DONE = 0x00;
export const DIO0_TX_DONE = 0x40;

/** RegVersion of the SX1276/77/78/79 family. */
export const SILICON_VERSION = 0x12;

/** ModemConfig1 bandwidth codes (bits 7:4). */
export const BW_CODE: Readonly<Record<125 | 250 | 500, number>> = { 125: 0x7, 250: 0x8, 500: 0x9 };
/** ModemConfig1 coding rate 4/5 (bits 3:1 = 001). */
export const CODING_RATE_4_5 = 0x1;

/** LoRaWAN public sync word (the SX126x's 0x3444 is the same on air). */
export const LORAWAN_SYNC_WORD = 0x34;

/** RegInvertIQ / RegInvertIQ2 for normal IQ (uplinks) and inverted RX IQ (downlinks), per Semtech's errata note. */
export const IQ_NORMAL = { invertIq: 0x27, invertIq2: 0x1d } as const;
export const IQ_INVERTED_RX = { invertIq: 0x66, invertIq2: 0x19 } as const;

/** Frequency step: 32 MHz / 2^19. */
export const XTAL_HZ = 32_000_000;
export function frfOf(freqHz: number): number {
  return Math.round((freqHz * 2 ** 19) / XTAL_HZ);
}
export function frequencyOfFrf(frf: number): number {
  return Math.round((frf * XTAL_HZ) / 2 ** 19);
}

/** RegPaConfig with PA_BOOST (the pin every common SX1276 module wires): +2…+17 dBm; +20 needs RegPaDac 0x87. */
export const PA_BOOST = 0x80;
export const PA_DAC_DEFAULT = 0x84;
export const PA_DAC_20_DBM = 0x87;

/** Packet RSSI offsets, dB: the high-frequency port (above 525 MHz) and the low one (datasheet 5.5.5). */
export const RSSI_OFFSET_HF = -157;
export const RSSI_OFFSET_LF = -164;
export const HF_PORT_MIN_HZ = 525_000_000;

/** Bands the variants tune over, MHz: SX1276 137–1020, SX1278 137–525. */
export const BAND_MHZ = { sx1276: [137, 1020], sx1278: [137, 525] } as const;
