/**
 * SX1276 / SX1278 behind the Radio port, through the register interface of
 * Semtech's SX1276/77/78/79 datasheet. LoRa mode is entered from sleep (the
 * only mode in which the LongRangeMode bit may change) and checked by reading
 * it back; the silicon version register tells a missing chip from a present
 * one. DIO0 signals TxDone or RxDone by its mapping; a receive window is
 * "RX single" with a symbol timeout, so the chip gives up by itself when no
 * preamble starts inside it.
 *
 * Power goes out of PA_BOOST, the pin every common SX1276 module (TTGO
 * LoRa32, RFM95W, Dragino HATs) wires to the antenna: +2…+17 dBm, +20 dBm
 * with the high-power DAC setting.
 */
import { sleep } from '../../ports/clock.js';
import type { DigitalInput, DigitalOutput } from '../../ports/digital.js';
import type { LoraModulation, RadioPacketStatus, RadioReceiveRequest, RadioTransmitRequest } from '../../ports/radio.js';
import type { SpiDevice } from '../../ports/spi.js';
import { RadioError } from '../errors.js';
import { LORAWAN_PHY, SpiLoraRadio, lowDataRateOptimize, type IrqFlags, type SpiLoraRadioOptions } from '../spi-lora-radio.js';
import {
  BAND_MHZ, BW_CODE, CODING_RATE_4_5, DIO0_RX_DONE, DIO0_TX_DONE, HF_PORT_MIN_HZ, IQ_INVERTED_RX, IQ_NORMAL, IRQ, LONG_RANGE_MODE, LORAWAN_SYNC_WORD,
  MODE, MODEM_STAT, PA_BOOST, PA_DAC_20_DBM, PA_DAC_DEFAULT, REG, RSSI_OFFSET_HF, RSSI_OFFSET_LF, SILICON_VERSION, frfOf,
} from './registers.js';

export interface Sx127xOptions extends Omit<SpiLoraRadioOptions, 'where' | 'irq'> {
  spi: SpiDevice;
  /** DIO0. */
  irq?: DigitalInput;
  reset?: DigitalOutput;
  /** Default 'sx1276'. */
  chip?: 'sx1276' | 'sx1278';
  /** Default 0x34, public LoRaWAN networks. */
  syncWord?: number;
  where?: string;
}

/** SymbTimeout is 10 bits. */
const MAX_SYMBOL_TIMEOUT = 0x3ff;

export class Sx127xRadio extends SpiLoraRadio {
  readonly #spi: SpiDevice;
  readonly #irqLine: DigitalInput | undefined;
  readonly #reset: DigitalOutput | undefined;
  readonly #o: Sx127xOptions;
  readonly #band: readonly [number, number];
  #freqHz = 0;

  constructor(options: Sx127xOptions) {
    const chip = options.chip ?? 'sx1276';
    super({ ...options, irq: options.irq, where: options.where ?? chip.toUpperCase() });
    this.#spi = options.spi;
    this.#irqLine = options.irq;
    this.#reset = options.reset;
    this.#o = options;
    this.#band = BAND_MHZ[chip];
  }

  protected async setUp(): Promise<void> {
    if (this.#reset !== undefined) {
      this.#reset.write(0);
      await sleep(this.clock, 1);
      this.#reset.write(1);
      await sleep(this.clock, 10);
    }
    const version = this.#readRegister(REG.Version);
    if (version !== SILICON_VERSION) {
      throw new RadioError('RADIO_NOT_FOUND', `no SX127x answers on SPI (RegVersion reads 0x${version.toString(16).padStart(2, '0')}, expected 0x12)`, this.where,
        'check the SPI device (bus and chip select), MOSI/MISO/SCK wiring, NSS, the RESET pin, and that the module is powered');
    }
    // LongRangeMode may only change in sleep: sleep in FSK, switch to LoRa, then standby.
    this.#writeRegister(REG.OpMode, MODE.Sleep);
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.Sleep);
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.Standby);
    const opMode = this.#readRegister(REG.OpMode);
    if ((opMode & LONG_RANGE_MODE) === 0) {
      throw new RadioError('RADIO_COMMAND_ERROR', `the chip stayed in FSK mode (RegOpMode 0x${opMode.toString(16)})`, this.where, 'power-cycle the module; a chip that refuses LoRa mode from sleep is damaged');
    }
    const sync = this.#o.syncWord ?? LORAWAN_SYNC_WORD;
    this.#writeRegister(REG.SyncWord, sync);
    if (this.#readRegister(REG.SyncWord) !== sync) {
      throw new RadioError('RADIO_NOT_FOUND', 'the sync word register does not read back what was written', this.where, 'SPI data is garbled: check MISO/MOSI and the SPI mode (0), clock at most 10 MHz');
    }
    this.#writeRegister(REG.FifoTxBaseAddr, 0x00);
    this.#writeRegister(REG.FifoRxBaseAddr, 0x00);
    this.#writeRegister(REG.MaxPayloadLength, 0xff);
    this.#writeRegister(REG.Lna, 0x23); // maximum gain, LNA boost on the HF port
    this.#writeBurst(REG.PreambleMsb, [(LORAWAN_PHY.preambleSymbols >> 8) & 0xff, LORAWAN_PHY.preambleSymbols & 0xff]);
  }

  protected startTransmit(request: RadioTransmitRequest, chipPowerDbm: number): Promise<void> {
    this.#standbyOn(request.freqHz);
    const power = Math.max(2, Math.min(20, Math.round(chipPowerDbm)));
    if (power > 17) {
      this.#writeRegister(REG.PaDac, PA_DAC_20_DBM);
      this.#writeRegister(REG.PaConfig, PA_BOOST | 0x70 | (power - 5));
      this.#writeRegister(REG.Ocp, 0x20 | 0x12); // 150 mA for +20 dBm
    } else {
      this.#writeRegister(REG.PaDac, PA_DAC_DEFAULT);
      this.#writeRegister(REG.PaConfig, PA_BOOST | 0x70 | (power - 2));
      this.#writeRegister(REG.Ocp, 0x20 | 0x0b); // 100 mA
    }
    this.#modem(request, true, 0);
    this.#writeRegister(REG.InvertIq, IQ_NORMAL.invertIq);
    this.#writeRegister(REG.InvertIq2, IQ_NORMAL.invertIq2);
    this.#writeRegister(REG.FifoAddrPtr, 0x00);
    this.#writeBurst(REG.Fifo, request.payload);
    this.#writeRegister(REG.PayloadLength, request.payload.length);
    this.#writeRegister(REG.DioMapping1, DIO0_TX_DONE);
    this.#writeRegister(REG.IrqFlags, 0xff);
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.Tx);
    return Promise.resolve();
  }

  protected startReceive(request: RadioReceiveRequest): Promise<void> {
    this.#standbyOn(request.freqHz);
    const symbolMs = 2 ** request.sf / request.bw;
    const symbols = Math.max(4, Math.min(MAX_SYMBOL_TIMEOUT, Math.ceil(request.windowMs / symbolMs)));
    this.#modem(request, false, symbols);
    this.#writeRegister(REG.InvertIq, IQ_INVERTED_RX.invertIq);
    this.#writeRegister(REG.InvertIq2, IQ_INVERTED_RX.invertIq2);
    this.#writeRegister(REG.FifoAddrPtr, 0x00);
    this.#writeRegister(REG.DioMapping1, DIO0_RX_DONE);
    this.#writeRegister(REG.IrqFlags, 0xff);
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.RxSingle);
    return Promise.resolve();
  }

  protected readIrq(): Promise<IrqFlags> {
    const flags = this.#readRegister(REG.IrqFlags);
    const stat = this.#readRegister(REG.ModemStat);
    return Promise.resolve({
      txDone: (flags & IRQ.TxDone) !== 0,
      rxDone: (flags & IRQ.RxDone) !== 0,
      timeout: (flags & IRQ.RxTimeout) !== 0,
      corrupt: (flags & IRQ.PayloadCrcError) !== 0,
      receiving: (flags & IRQ.ValidHeader) !== 0 || (stat & (MODEM_STAT.SignalDetected | MODEM_STAT.HeaderValid)) !== 0,
    });
  }

  protected readPacket(): Promise<Uint8Array> {
    const length = this.#readRegister(REG.RxNbBytes);
    this.#writeRegister(REG.FifoAddrPtr, this.#readRegister(REG.FifoRxCurrentAddr));
    return Promise.resolve(this.#readBurst(REG.Fifo, length));
  }

  protected readPacketStatus(): Promise<RadioPacketStatus> {
    const snrDb = ((this.#readRegister(REG.PktSnrValue) << 24) >> 24) / 4;
    const raw = this.#readRegister(REG.PktRssiValue);
    const offset = this.#freqHz >= HF_PORT_MIN_HZ ? RSSI_OFFSET_HF : RSSI_OFFSET_LF;
    // Datasheet 5.5.5: below the noise floor the packet RSSI needs the (negative) SNR added.
    return Promise.resolve({ rssiDbm: offset + raw + (snrDb < 0 ? snrDb : 0), snrDb });
  }

  protected finish(): Promise<void> {
    this.#writeRegister(REG.IrqFlags, 0xff);
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.Standby);
    return Promise.resolve();
  }

  protected release(): void {
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.Sleep);
    this.#spi.close();
    this.#irqLine?.close();
    this.#reset?.close();
  }

  // ---- registers ----

  #standbyOn(freqHz: number): void {
    const [low, high] = this.#band;
    if (freqHz < low * 1e6 || freqHz > high * 1e6) {
      throw new RadioError('RADIO_CONFIG', `${(this.#o.chip ?? 'sx1276').toUpperCase()} cannot tune ${freqHz} Hz (its band is ${low}–${high} MHz)`, this.where,
        'use the chip that matches the site\'s LoRaWAN region (SX1276 for EU868/US915/AS923, SX1278 for CN470/EU433), and set its type in the radio config');
    }
    this.#writeRegister(REG.OpMode, LONG_RANGE_MODE | MODE.Standby);
    const frf = frfOf(freqHz);
    this.#writeBurst(REG.FrfMsb, [(frf >> 16) & 0xff, (frf >> 8) & 0xff, frf & 0xff]);
    this.#freqHz = freqHz;
  }

  #modem(modulation: LoraModulation, crc: boolean, symbolTimeout: number): void {
    this.#writeRegister(REG.ModemConfig1, (BW_CODE[modulation.bw] << 4) | (CODING_RATE_4_5 << 1));
    this.#writeRegister(REG.ModemConfig2, (modulation.sf << 4) | (crc ? 0x04 : 0) | ((symbolTimeout >> 8) & 0x03));
    this.#writeRegister(REG.SymbTimeoutLsb, symbolTimeout & 0xff);
    this.#writeRegister(REG.ModemConfig3, (lowDataRateOptimize(modulation) ? 0x08 : 0) | 0x04);
  }

  #readRegister(address: number): number {
    return this.#spi.transfer(Uint8Array.of(address & 0x7f, 0x00))[1];
  }

  #readBurst(address: number, count: number): Uint8Array {
    const frame = new Uint8Array(1 + count);
    frame[0] = address & 0x7f;
    return this.#spi.transfer(frame).slice(1);
  }

  #writeRegister(address: number, value: number): void {
    this.#spi.transfer(Uint8Array.of(address | 0x80, value & 0xff));
  }

  #writeBurst(address: number, data: ArrayLike<number>): void {
    const frame = new Uint8Array(1 + data.length);
    frame[0] = address | 0x80;
    frame.set(data, 1);
    this.#spi.transfer(frame);
  }
}
