/**
 * SX1262 / SX1268 behind the Radio port, through the command interface of
 * Semtech's SX1261/2 datasheet. Every command waits for BUSY low first (the
 * handshake of datasheet section 8.3.1: a command sent while BUSY is high is
 * lost), and each configuration step ends with GetStatus, so a command the
 * chip refused surfaces as RADIO_COMMAND_ERROR instead of a silent radio.
 *
 * Set-up (once, at the first operation or `init()`): reset pulse, STDBY_RC,
 * TCXO on DIO3 when the board has one (then a full Calibrate, as the TCXO
 * changes the reference), regulator, DIO2 as RF switch when wired so,
 * LoRa packet type, sync word 0x3444 (public LoRaWAN), timer stopped on
 * preamble (a window only has to catch the preamble).
 * Per operation: image calibration when the band changes, frequency,
 * modulation, packet parameters (IQ normal + CRC on for uplinks; IQ inverted,
 * CRC off for downlinks, with the IQ polarity fix of datasheet section 15.4),
 * then SetTx or SetRx with the window as timeout.
 */
import type { DigitalInput, DigitalOutput } from '../../ports/digital.js';
import type { RadioPacketStatus, RadioReceiveRequest, RadioTransmitRequest } from '../../ports/radio.js';
import type { SpiDevice } from '../../ports/spi.js';
import { sleep } from '../../ports/clock.js';
import { RadioError } from '../errors.js';
import { LORAWAN_PHY, SpiLoraRadio, lowDataRateOptimize, waitForLow, type IrqFlags, type SpiLoraRadioOptions } from '../spi-lora-radio.js';
import {
  BW_CODE, CALIBRATE_ALL, CHIP_MODE, CODING_RATE_4_5, COMMAND_STATUS, HP_PA_MAX_DBM, HP_PA_MIN_DBM, IRQ, LORAWAN_PUBLIC_SYNC_WORD, OP,
  PACKET_TYPE_LORA, RAMP_200_US, REG, STANDBY_RC, TIMER_STEPS_PER_MS, chipModeOf, commandStatusOf, frequencyWord, imageCalibrationFor,
  paConfigFor, tcxoVoltageCode, type TcxoVoltage,
} from './commands.js';

export interface Sx126xOptions extends Omit<SpiLoraRadioOptions, 'where' | 'irq'> {
  spi: SpiDevice;
  /** BUSY: required, the chip loses commands sent while it is high. */
  busy: DigitalInput;
  /** DIO1. */
  irq?: DigitalInput;
  reset?: DigitalOutput;
  /** Default 'sx1262'. */
  chip?: 'sx1262' | 'sx1268';
  /** A TCXO powered from DIO3 (Heltec V3, most SX1262 modules): its supply voltage and start-up time (default 5 ms). */
  tcxo?: { voltage: TcxoVoltage; startupMs?: number };
  /** DIO2 switches the antenna between TX and RX (default true, as on most modules). */
  dio2RfSwitch?: boolean;
  /** DC-DC regulator (default) or LDO only. */
  regulator?: 'dcdc' | 'ldo';
  /** Default 0x3444, public LoRaWAN networks. */
  syncWord?: number;
  where?: string;
}

/** A TCXO XOSC start error, one of the calibration errors GetDeviceErrors reports (datasheet table 13-85). */
const ERR_XOSC_START = 1 << 5;
const CALIBRATION_ERRORS = 0x3f;
/** How long BUSY may stay high, ms: a full calibration takes 3.5 ms, the TCXO start-up adds its own. */
const BUSY_TIMEOUT_MS = 100;

export class Sx126xRadio extends SpiLoraRadio {
  readonly #spi: SpiDevice;
  readonly #busy: DigitalInput;
  readonly #irqLine: DigitalInput | undefined;
  readonly #reset: DigitalOutput | undefined;
  readonly #o: Sx126xOptions;
  #imageBand: string | undefined;

  constructor(options: Sx126xOptions) {
    const chip = options.chip ?? 'sx1262';
    super({ ...options, irq: options.irq, where: options.where ?? chip.toUpperCase() });
    if (options.tcxo !== undefined && tcxoVoltageCode(options.tcxo.voltage) === undefined) {
      throw new RadioError('RADIO_CONFIG', `TCXO voltage ${String(options.tcxo.voltage)} V is not one DIO3 can supply`, this.where, 'use 1.6, 1.7, 1.8, 2.2, 2.4, 2.7, 3.0 or 3.3 (the module\'s datasheet names it; Heltec V3: 1.8)');
    }
    this.#spi = options.spi;
    this.#busy = options.busy;
    this.#irqLine = options.irq;
    this.#reset = options.reset;
    this.#o = options;
  }

  protected async setUp(): Promise<void> {
    if (this.#reset !== undefined) {
      this.#reset.write(0);
      await sleep(this.clock, 1);
      this.#reset.write(1);
      await sleep(this.clock, 5);
    }
    await this.#command(OP.SetStandby, [STANDBY_RC]);
    const status = await this.#status();
    if (status === 0x00 || status === 0xff || chipModeOf(status) !== CHIP_MODE.StandbyRc) {
      throw new RadioError('RADIO_NOT_FOUND', `no SX126x answers on SPI (GetStatus read 0x${status.toString(16).padStart(2, '0')} after SetStandby)`, this.where,
        'check the SPI device (bus and chip select), MOSI/MISO/SCK wiring, NSS, and that the module is powered');
    }
    const tcxo = this.#o.tcxo;
    if (tcxo !== undefined) {
      const delay = Math.round((tcxo.startupMs ?? 5) * TIMER_STEPS_PER_MS);
      await this.#command(OP.SetDio3AsTcxoCtrl, [tcxoVoltageCode(tcxo.voltage) ?? 0, (delay >> 16) & 0xff, (delay >> 8) & 0xff, delay & 0xff]);
    }
    await this.#command(OP.SetRegulatorMode, [this.#o.regulator === 'ldo' ? 0x00 : 0x01]);
    await this.#command(OP.Calibrate, [CALIBRATE_ALL]);
    const errors = await this.#read(OP.GetDeviceErrors, [], 2);
    const calibration = ((errors[0] << 8) | errors[1]) & CALIBRATION_ERRORS;
    if (calibration !== 0) {
      const xosc = (calibration & ERR_XOSC_START) !== 0;
      throw new RadioError('RADIO_COMMAND_ERROR', `calibration failed (device errors 0x${calibration.toString(16)}${xosc ? ': the crystal oscillator did not start' : ''})`, this.where,
        xosc ? (tcxo === undefined ? 'this module has a TCXO: set tcxo { voltage } in the radio config (Heltec V3: 1.8 V)' : 'check the TCXO voltage and start-up time in the radio config') : 'power-cycle the module; if it persists the chip is damaged');
    }
    await this.#command(OP.ClearDeviceErrors, [0x00, 0x00]);
    if (this.#o.dio2RfSwitch ?? true) await this.#command(OP.SetDio2AsRfSwitchCtrl, [0x01]);
    await this.#command(OP.SetPacketType, [PACKET_TYPE_LORA]);
    const sync = this.#o.syncWord ?? LORAWAN_PUBLIC_SYNC_WORD;
    await this.#writeRegister(REG.LoraSyncWord, [(sync >> 8) & 0xff, sync & 0xff]);
    const readBack = await this.#readRegister(REG.LoraSyncWord, 2);
    if (((readBack[0] << 8) | readBack[1]) !== sync) {
      throw new RadioError('RADIO_NOT_FOUND', `the sync word register reads 0x${((readBack[0] << 8) | readBack[1]).toString(16)} after writing 0x${sync.toString(16)}`, this.where,
        'SPI data is garbled: check MISO/MOSI are not swapped, the SPI mode (0) and a clock of at most 16 MHz');
    }
    await this.#command(OP.StopTimerOnPreamble, [0x01]);
    await this.#command(OP.SetBufferBaseAddress, [0x00, 0x00]);
    await this.#checkStatus('set-up');
  }

  protected async startTransmit(request: RadioTransmitRequest, chipPowerDbm: number): Promise<void> {
    await this.#tune(request.freqHz);
    const power = Math.max(HP_PA_MIN_DBM, Math.min(HP_PA_MAX_DBM, Math.round(chipPowerDbm)));
    const pa = paConfigFor(power);
    await this.#command(OP.SetPaConfig, [pa.paDutyCycle, pa.hpMax, 0x00, 0x01]);
    await this.#command(OP.SetTxParams, [power & 0xff, RAMP_200_US]);
    await this.#modulation(request);
    await this.#packet(request.payload.length, true, false);
    await this.#command(OP.WriteBuffer, [0x00, ...request.payload]);
    await this.#irqMask(IRQ.TxDone | IRQ.Timeout);
    await this.#checkStatus('transmit set-up');
    await this.#command(OP.SetTx, [0x00, 0x00, 0x00]);
  }

  protected async startReceive(request: RadioReceiveRequest): Promise<void> {
    await this.#tune(request.freqHz);
    await this.#modulation(request);
    await this.#packet(255, false, true);
    await this.#irqMask(IRQ.RxDone | IRQ.Timeout | IRQ.CrcErr | IRQ.HeaderErr | IRQ.PreambleDetected | IRQ.HeaderValid, IRQ.RxDone | IRQ.Timeout | IRQ.CrcErr | IRQ.HeaderErr);
    await this.#checkStatus('receive set-up');
    const steps = Math.max(1, Math.min(0xfffffe, Math.round(request.windowMs * TIMER_STEPS_PER_MS)));
    await this.#command(OP.SetRx, [(steps >> 16) & 0xff, (steps >> 8) & 0xff, steps & 0xff]);
  }

  protected async readIrq(): Promise<IrqFlags> {
    const bytes = await this.#read(OP.GetIrqStatus, [], 2);
    const irq = (bytes[0] << 8) | bytes[1];
    return {
      txDone: (irq & IRQ.TxDone) !== 0,
      rxDone: (irq & IRQ.RxDone) !== 0,
      timeout: (irq & IRQ.Timeout) !== 0,
      corrupt: (irq & (IRQ.CrcErr | IRQ.HeaderErr)) !== 0,
      receiving: (irq & (IRQ.PreambleDetected | IRQ.HeaderValid)) !== 0,
    };
  }

  protected async readPacket(): Promise<Uint8Array> {
    const [length, start] = await this.#read(OP.GetRxBufferStatus, [], 2);
    return this.#read(OP.ReadBuffer, [start], length);
  }

  protected async readPacketStatus(): Promise<RadioPacketStatus> {
    const [rssiPkt, snrPkt] = await this.#read(OP.GetPacketStatus, [], 3);
    return { rssiDbm: -rssiPkt / 2, snrDb: ((snrPkt << 24) >> 24) / 4 };
  }

  protected async finish(): Promise<void> {
    await this.#command(OP.ClearIrqStatus, [(IRQ.All >> 8) & 0xff, IRQ.All & 0xff]);
    await this.#command(OP.SetStandby, [STANDBY_RC]);
  }

  protected release(): void {
    // Warm-start sleep when the chip can take it now; closing must not wait.
    if (this.#busy.read() === 0) this.#spi.transfer(Uint8Array.of(OP.SetSleep, 0x04));
    this.#spi.close();
    this.#busy.close();
    this.#irqLine?.close();
    this.#reset?.close();
  }

  // ---- commands ----

  async #waitBusy(): Promise<void> {
    await waitForLow(this.#busy, this.clock, BUSY_TIMEOUT_MS, 1, () => new RadioError('RADIO_BUSY_STUCK', `BUSY stayed high for ${BUSY_TIMEOUT_MS} ms`, this.where,
      'check the BUSY pin number in the pin table and its wiring; a module without power or held in reset keeps BUSY high'));
  }

  async #command(op: number, params: readonly number[]): Promise<void> {
    await this.#waitBusy();
    this.#spi.transfer(Uint8Array.of(op, ...params));
  }

  /** A read command: opcode, parameters, one status byte, then `count` data bytes. */
  async #read(op: number, params: readonly number[], count: number): Promise<Uint8Array> {
    await this.#waitBusy();
    const frame = new Uint8Array(2 + params.length + count);
    frame[0] = op;
    frame.set(params, 1);
    return this.#spi.transfer(frame).slice(2 + params.length);
  }

  async #status(): Promise<number> {
    await this.#waitBusy();
    return this.#spi.transfer(Uint8Array.of(OP.GetStatus, 0x00))[1];
  }

  async #checkStatus(step: string): Promise<void> {
    const status = await this.#status();
    const commandStatus = commandStatusOf(status);
    if (commandStatus === COMMAND_STATUS.ProcessingError || commandStatus === COMMAND_STATUS.ExecuteFailure) {
      throw new RadioError('RADIO_COMMAND_ERROR', `the chip refused a command during ${step} (GetStatus 0x${status.toString(16).padStart(2, '0')}: ${commandStatus === COMMAND_STATUS.ProcessingError ? 'command processing error' : 'failure to execute'})`, this.where,
        'a setting is outside what this chip accepts (frequency band, SF/bandwidth, power); check the chip type in the radio config');
    }
  }

  async #writeRegister(address: number, data: readonly number[]): Promise<void> {
    await this.#command(OP.WriteRegister, [(address >> 8) & 0xff, address & 0xff, ...data]);
  }

  async #readRegister(address: number, count: number): Promise<Uint8Array> {
    return this.#read(OP.ReadRegister, [(address >> 8) & 0xff, address & 0xff], count);
  }

  /** Standby, the image calibration of the band when it changed, then the frequency. */
  async #tune(freqHz: number): Promise<void> {
    await this.#command(OP.SetStandby, [STANDBY_RC]);
    const image = imageCalibrationFor(freqHz);
    const band = `${image[0]}-${image[1]}`;
    if (band !== this.#imageBand) {
      await this.#command(OP.CalibrateImage, image);
      this.#imageBand = band;
    }
    const word = frequencyWord(freqHz);
    await this.#command(OP.SetRfFrequency, [(word >>> 24) & 0xff, (word >> 16) & 0xff, (word >> 8) & 0xff, word & 0xff]);
  }

  async #modulation(request: { sf: number; bw: 125 | 250 | 500 }): Promise<void> {
    await this.#command(OP.SetModulationParams, [request.sf, BW_CODE[request.bw], CODING_RATE_4_5, lowDataRateOptimize(request) ? 0x01 : 0x00, 0, 0, 0, 0]);
  }

  /** Explicit header, 8 preamble symbols; `crc` and `invertIq` per direction. */
  async #packet(length: number, crc: boolean, invertIq: boolean): Promise<void> {
    const preamble = LORAWAN_PHY.preambleSymbols;
    await this.#command(OP.SetPacketParams, [(preamble >> 8) & 0xff, preamble & 0xff, 0x00, length, crc ? 0x01 : 0x00, invertIq ? 0x01 : 0x00, 0, 0, 0]);
    const [iqRegister] = await this.#readRegister(REG.IqPolarity, 1);
    await this.#writeRegister(REG.IqPolarity, [invertIq ? iqRegister & ~0x04 : iqRegister | 0x04]);
  }

  async #irqMask(irqMask: number, dio1Mask = irqMask): Promise<void> {
    await this.#command(OP.SetDioIrqParams, [(irqMask >> 8) & 0xff, irqMask & 0xff, (dio1Mask >> 8) & 0xff, dio1Mask & 0xff, 0, 0, 0, 0]);
    await this.#command(OP.ClearIrqStatus, [(IRQ.All >> 8) & 0xff, IRQ.All & 0xff]);
  }
}
