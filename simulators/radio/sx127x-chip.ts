/**
 * An SX1276/SX1278 at register level (Semtech SX1276/77/78/79 datasheet,
 * LoRa register map), with DIO0 and NRESET, and an RF front end on the
 * simulated LoRa channel. The host's register writes decide what goes on the
 * air. Runtime-neutral (runs in XS).
 *
 * Real behaviour for wrong use:
 *  - LongRangeMode changes only in sleep: a write from another mode keeps the
 *    old bit (counted in `ignoredWrites`), so a driver that skips sleep stays
 *    in FSK and sends nothing LoRa;
 *  - read-only registers ignore writes; RegIrqFlags clears the bits written 1;
 *  - a frequency outside the variant's band never locks: TX ends without
 *    TxDone, RX hears nothing;
 *  - power out of RFO on a module that wires only PA_BOOST, inverted TX IQ or
 *    a private sync word: no gateway hears it; normal RX IQ: no downlink heard.
 */
import type { Clock, TimerHandle } from '../../drivers/ports/clock.js';
import type { SpiDevice } from '../../drivers/ports/spi.js';
import { loraTimeOnAirMs } from '../../drivers/lorawan/airtime.js';
import {
  BAND_MHZ, DIO0_RX_DONE, DIO0_TX_DONE, HF_PORT_MIN_HZ, IQ_INVERTED_RX, IQ_NORMAL, IRQ, LONG_RANGE_MODE, LORAWAN_SYNC_WORD, MODE, MODEM_STAT, PA_BOOST,
  PA_DAC_20_DBM, REG, RSSI_OFFSET_HF, RSSI_OFFSET_LF, SILICON_VERSION, frequencyOfFrf,
} from '../../drivers/radio/sx127x/registers.js';
import type { SimulatedDeviceRadio } from './channel.js';
import { ChipInputLine, ChipOutputLine } from './chip-lines.js';
import type { ChipRxWindow, ChipTransmission } from './sx126x-chip.js';

export interface Sx127xChipOptions {
  clock: Clock;
  front: SimulatedDeviceRadio;
  variant?: 'sx1276' | 'sx1278';
}

const BW_OF_CODE: Readonly<Record<number, 125 | 250 | 500>> = { 0x7: 125, 0x8: 250, 0x9: 500 };
const READ_ONLY = new Set<number>([REG.FifoRxCurrentAddr, REG.RxNbBytes, REG.ModemStat, REG.PktSnrValue, REG.PktRssiValue, REG.Version]);
const BOOT_MS = 5;

/** Register values after power-on reset that the LoRa path reads or relies on (datasheet table 41). */
function resetRegisters(): Uint8Array {
  const r = new Uint8Array(0x80);
  r[REG.OpMode] = 0x09; // FSK, low-frequency mode on, standby
  r[REG.FrfMsb] = 0x6c;
  r[REG.FrfMid] = 0x80;
  r[REG.PaConfig] = 0x4f;
  r[REG.Ocp] = 0x2b;
  r[REG.Lna] = 0x20;
  r[REG.FifoTxBaseAddr] = 0x80;
  r[REG.ModemConfig1] = 0x72;
  r[REG.ModemConfig2] = 0x70;
  r[REG.SymbTimeoutLsb] = 0x64;
  r[REG.PreambleLsb] = 0x08;
  r[REG.PayloadLength] = 0x01;
  r[REG.MaxPayloadLength] = 0xff;
  r[REG.InvertIq] = IQ_NORMAL.invertIq;
  r[REG.InvertIq2] = IQ_NORMAL.invertIq2;
  r[REG.SyncWord] = 0x12;
  r[REG.Version] = SILICON_VERSION;
  r[REG.PaDac] = 0x84;
  return r;
}

export class Sx127xChip {
  readonly spi: SpiDevice;
  readonly dio0: ChipOutputLine;
  readonly reset: ChipInputLine;
  /** Writes the chip did not take (LongRangeMode outside sleep, read-only registers). */
  ignoredWrites = 0;
  readonly rxWindows: ChipRxWindow[] = [];
  readonly transmissions: ChipTransmission[] = [];

  readonly #o: Sx127xChipOptions;
  readonly #clock: Clock;
  #r = resetRegisters();
  readonly #fifo = new Uint8Array(256);
  #inReset = false;
  #bootedAt = 0;
  #operation = 0;
  #timer: TimerHandle | undefined;

  constructor(options: Sx127xChipOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.dio0 = new ChipOutputLine(() => this.#dio0Level());
    this.reset = new ChipInputLine((level) => this.#onReset(level));
    this.spi = { transfer: (bytes) => this.#transfer(bytes), close: () => undefined };
    options.front.onLock = (downlink) => this.#lockAt(downlink.startMs);
  }

  /** The register's current value (for tests). */
  register(address: number): number {
    return this.#r[address];
  }

  get loraMode(): boolean {
    return (this.#r[REG.OpMode] & LONG_RANGE_MODE) !== 0;
  }

  #mode(): number {
    return this.#r[REG.OpMode] & 0x07;
  }

  #dio0Level(): 0 | 1 {
    const mapping = this.#r[REG.DioMapping1] & 0xc0;
    const flags = this.#r[REG.IrqFlags];
    if (mapping === DIO0_RX_DONE) return (flags & IRQ.RxDone) !== 0 ? 1 : 0;
    if (mapping === DIO0_TX_DONE) return (flags & IRQ.TxDone) !== 0 ? 1 : 0;
    return 0;
  }

  // ---- SPI ----

  #transfer(bytes: Uint8Array): Uint8Array {
    const reply = new Uint8Array(bytes.length);
    // Held in reset or still booting: the chip does not drive MISO.
    if (this.#inReset || this.#clock.now() < this.#bootedAt + BOOT_MS) return reply;
    if (bytes.length < 2) return reply;
    const write = (bytes[0] & 0x80) !== 0;
    let address = bytes[0] & 0x7f;
    for (let i = 1; i < bytes.length; i++) {
      if (address === REG.Fifo) {
        const pointer = this.#r[REG.FifoAddrPtr];
        if (write) this.#fifo[pointer] = bytes[i];
        else reply[i] = this.#fifo[pointer];
        this.#r[REG.FifoAddrPtr] = (pointer + 1) & 0xff;
        continue;
      }
      if (write) this.#write(address, bytes[i]);
      else reply[i] = this.#r[address];
      address = (address + 1) & 0x7f;
    }
    return reply;
  }

  #write(address: number, value: number): void {
    if (READ_ONLY.has(address)) {
      this.ignoredWrites++;
      return;
    }
    if (address === REG.IrqFlags) {
      this.#r[REG.IrqFlags] &= ~value;
      this.dio0.update();
      return;
    }
    if (address === REG.OpMode) return this.#setOpMode(value);
    this.#r[address] = value;
    if (address === REG.DioMapping1) this.dio0.update();
  }

  #setOpMode(value: number): void {
    const current = this.#r[REG.OpMode];
    let next = value;
    if ((value & LONG_RANGE_MODE) !== (current & LONG_RANGE_MODE) && (current & 0x07) !== MODE.Sleep) {
      this.ignoredWrites++;
      next = (value & ~LONG_RANGE_MODE) | (current & LONG_RANGE_MODE);
    }
    this.#r[REG.OpMode] = next;
    const mode = next & 0x07;
    if (mode === MODE.Tx) this.#startTx();
    else if (mode === MODE.RxSingle || mode === MODE.RxContinuous) this.#startRx(mode === MODE.RxContinuous);
    else this.#abort();
  }

  #abort(): void {
    this.#operation++;
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
    this.#r[REG.ModemStat] = 0;
  }

  /**
   * The synthesiser's frequency (61 Hz steps), snapped to 100 Hz: the channel
   * model matches frequencies exactly, while a real receiver tolerates offsets
   * far larger than one step (a quarter of the bandwidth).
   */
  #freqHz(): number {
    return Math.round(frequencyOfFrf((this.#r[REG.FrfMsb] << 16) | (this.#r[REG.FrfMid] << 8) | this.#r[REG.FrfLsb]) / 100) * 100;
  }

  #locks(): boolean {
    const [low, high] = BAND_MHZ[this.#o.variant ?? 'sx1276'];
    const hz = this.#freqHz();
    return hz >= low * 1e6 && hz <= high * 1e6;
  }

  #modulation(): { sf: number; bw: 125 | 250 | 500 } | undefined {
    const sf = this.#r[REG.ModemConfig2] >> 4;
    const bw = BW_OF_CODE[this.#r[REG.ModemConfig1] >> 4];
    return sf >= 6 && sf <= 12 && bw !== undefined ? { sf, bw } : undefined;
  }

  /** Output power, dBm (datasheet 5.4.2), and whether it leaves through PA_BOOST. */
  #power(): { dbm: number; paBoost: boolean } {
    const pa = this.#r[REG.PaConfig];
    const outputPower = pa & 0x0f;
    if ((pa & PA_BOOST) !== 0) return { dbm: ((this.#r[REG.PaDac] & 0x07) === (PA_DAC_20_DBM & 0x07) ? 5 : 2) + outputPower, paBoost: true };
    const maxPower = 10.8 + 0.6 * ((pa >> 4) & 0x07);
    return { dbm: maxPower - (15 - outputPower), paBoost: false };
  }

  #raise(bits: number): void {
    this.#r[REG.IrqFlags] |= bits & ~this.#r[REG.IrqFlagsMask];
    this.dio0.update();
  }

  #toStandby(): void {
    this.#r[REG.OpMode] = (this.#r[REG.OpMode] & ~0x07) | MODE.Standby;
    this.#r[REG.ModemStat] = 0;
  }

  #startTx(): void {
    this.#abort();
    const operation = this.#operation;
    const modulation = this.#modulation();
    const length = this.#r[REG.PayloadLength];
    const payload = new Uint8Array(length);
    const base = this.#r[REG.FifoTxBaseAddr];
    for (let i = 0; i < length; i++) payload[i] = this.#fifo[(base + i) & 0xff];
    if (!this.loraMode || modulation === undefined || !this.#locks()) return; // no LoRa packet, no TxDone
    const power = this.#power();
    const normalIq = (this.#r[REG.InvertIq] & 0x01) === 1 && this.#r[REG.InvertIq2] === IQ_NORMAL.invertIq2;
    const onAir = power.paBoost && normalIq && this.#r[REG.SyncWord] === LORAWAN_SYNC_WORD;
    this.transmissions.push({ startedMs: this.#clock.now(), freqHz: this.#freqHz(), ...modulation, powerDbm: power.dbm, bytes: length, onAir });
    const done = () => {
      if (operation !== this.#operation) return;
      this.#toStandby();
      this.#raise(IRQ.TxDone);
    };
    if (onAir) void this.#o.front.transmit({ freqHz: this.#freqHz(), ...modulation, powerDbm: power.dbm, payload }).then(done);
    // The packet is sent all the same, where no gateway decodes it.
    else this.#timer = this.#clock.schedule(loraTimeOnAirMs({ ...modulation, phyPayloadBytes: length, crc: (this.#r[REG.ModemConfig2] & 0x04) !== 0 }), done);
  }

  #startRx(continuous: boolean): void {
    this.#abort();
    const operation = this.#operation;
    const modulation = this.#modulation();
    if (!this.loraMode || modulation === undefined) return;
    const symbolMs = 2 ** modulation.sf / modulation.bw;
    const symbols = ((this.#r[REG.ModemConfig2] & 0x03) << 8) | this.#r[REG.SymbTimeoutLsb];
    const timeoutMs = continuous ? Infinity : symbols * symbolMs;
    const invertedRx = (this.#r[REG.InvertIq] & 0x40) !== 0 && this.#r[REG.InvertIq2] === IQ_INVERTED_RX.invertIq2;
    const window: ChipRxWindow = { openedMs: this.#clock.now(), timeoutMs, freqHz: this.#freqHz(), ...modulation, invertIq: invertedRx, outcome: 'open' };
    this.rxWindows.push(window);
    const hears = invertedRx && this.#r[REG.SyncWord] === LORAWAN_SYNC_WORD && this.#locks();
    const finish = (payload: Uint8Array | undefined) => {
      if (operation !== this.#operation) return;
      window.outcome = payload === undefined ? 'timeout' : 'packet';
      if (!continuous) this.#toStandby();
      this.#r[REG.ModemStat] = 0;
      if (payload === undefined) return this.#raise(IRQ.RxTimeout);
      const base = this.#r[REG.FifoRxBaseAddr];
      for (let i = 0; i < payload.length; i++) this.#fifo[(base + i) & 0xff] = payload[i];
      this.#r[REG.FifoRxCurrentAddr] = base;
      this.#r[REG.RxNbBytes] = payload.length;
      const status = this.#o.front.packetStatus() ?? { rssiDbm: -120, snrDb: 0 };
      const snr = Math.max(-128, Math.min(127, Math.round(status.snrDb * 4)));
      this.#r[REG.PktSnrValue] = snr & 0xff;
      const offset = this.#freqHz() >= HF_PORT_MIN_HZ ? RSSI_OFFSET_HF : RSSI_OFFSET_LF;
      this.#r[REG.PktRssiValue] = Math.max(0, Math.min(255, Math.round(status.rssiDbm - offset - (snr < 0 ? snr / 4 : 0))));
      this.#raise(IRQ.ValidHeader | IRQ.RxDone);
    };
    if (!hears) {
      if (Number.isFinite(timeoutMs)) this.#timer = this.#clock.schedule(timeoutMs, () => finish(undefined));
      return;
    }
    void this.#o.front.receive({ freqHz: this.#freqHz(), ...modulation, windowMs: Number.isFinite(timeoutMs) ? timeoutMs : 86_400_000 }).then(finish);
  }

  #lockAt(startMs: number): void {
    const operation = this.#operation;
    this.#clock.schedule(Math.max(0, startMs - this.#clock.now()), () => {
      if (operation !== this.#operation) return;
      this.#r[REG.ModemStat] = MODEM_STAT.SignalDetected | MODEM_STAT.Synchronized | MODEM_STAT.RxOngoing | MODEM_STAT.HeaderValid;
      this.#raise(IRQ.ValidHeader);
    });
  }

  #onReset(level: 0 | 1): void {
    if (level === 0) {
      this.#inReset = true;
      this.#abort();
      return;
    }
    if (!this.#inReset) return;
    this.#inReset = false;
    this.#r = resetRegisters();
    this.#bootedAt = this.#clock.now();
    this.dio0.update();
  }
}
