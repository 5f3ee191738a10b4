/**
 * An SX1262/SX1268 at the level its host sees it: SPI commands (Semtech
 * SX1261/2 datasheet, section 13), the BUSY and DIO1 lines, NRESET, and an RF
 * front end on the simulated LoRa channel (a SimulatedDeviceRadio). What the
 * host programs is what goes on the air: frequency, SF/bandwidth, power, the
 * payload in the data buffer. Runtime-neutral (runs in XS).
 *
 * Real behaviour for wrong use, so a driver is tested against the chip and
 * not against its own assumptions:
 *  - a command sent while BUSY is high is ignored (counted in `busyViolations`);
 *  - an unknown opcode or a wrong parameter count is a "command processing
 *    error", a value the chip cannot apply (frequency out of band, SF, power,
 *    a packet command before SetPacketType LoRa, SetPacketType outside
 *    standby) a "failure to execute"; both show in the next GetStatus;
 *  - a module with a TCXO calibrates wrong (XOSC start error in
 *    GetDeviceErrors) unless DIO3 powers it at its voltage;
 *  - with DIO2 not switching the antenna (on modules wired so), nothing
 *    leaves or reaches it; with standard IQ nothing of the network's downlinks
 *    is heard, with inverted IQ or a private sync word no gateway hears it.
 */
import type { Clock, TimerHandle } from '../../drivers/ports/clock.js';
import type { SpiDevice } from '../../drivers/ports/spi.js';
import { loraTimeOnAirMs } from '../../drivers/lorawan/airtime.js';
import {
  CHIP_MODE, COMMAND_STATUS, IRQ, LORAWAN_PUBLIC_SYNC_WORD, OP, PACKET_TYPE_LORA, PARAM_BYTES, READ_COMMANDS, REG, TIMER_STEPS_PER_MS,
  frequencyOfWord, tcxoVoltageCode, type TcxoVoltage,
} from '../../drivers/radio/sx126x/commands.js';
import { ChipInputLine, ChipOutputLine } from './chip-lines.js';
import type { SimulatedDeviceRadio } from './channel.js';

export interface Sx126xChipOptions {
  clock: Clock;
  /** The RF front end on a SimulatedLoraChannel. */
  front: SimulatedDeviceRadio;
  variant?: 'sx1262' | 'sx1268';
  /** The module has a TCXO of this voltage on DIO3 (Heltec V3: 1.8 V). */
  tcxo?: TcxoVoltage;
  /** The module's antenna switch is driven by DIO2 (default true). */
  dio2RfSwitch?: boolean;
}

type Mode = 'sleep' | 'standbyRc' | 'standbyXosc' | 'fs' | 'tx' | 'rx';

const MODE_CODE: Record<Mode, number> = { sleep: 0, standbyRc: CHIP_MODE.StandbyRc, standbyXosc: CHIP_MODE.StandbyXosc, fs: CHIP_MODE.Fs, tx: CHIP_MODE.Tx, rx: CHIP_MODE.Rx };
const BW_OF_CODE: Readonly<Record<number, 125 | 250 | 500>> = { 0x04: 125, 0x05: 250, 0x06: 500 };
/** Band the chip's synthesiser covers, MHz (datasheets, section 3). */
const BAND_MHZ = { sx1262: [150, 960], sx1268: [410, 810] } as const;
/** BUSY after a command, ms: only calibrations and wake-ups last long enough for a host to see. */
const BUSY_MS: Readonly<Record<number, number>> = { [OP.Calibrate]: 3.5, [OP.CalibrateImage]: 1.5 };
const BOOT_MS = 3.5;
/** Highest output per SetPaConfig hpMax, dBm (datasheet table 13-21). */
const HP_MAX_DBM: Readonly<Record<number, number>> = { 2: 14, 3: 17, 5: 20, 7: 22 };

/** One receive window as the chip opened it (SetRx), for timing checks. */
export interface ChipRxWindow {
  openedMs: number;
  /** Timeout programmed, ms (Infinity: none). */
  timeoutMs: number;
  freqHz: number;
  sf: number;
  bw: number;
  invertIq: boolean;
  /** 'packet', 'timeout', or 'open' while listening. */
  outcome: 'packet' | 'timeout' | 'open';
}

export interface ChipTransmission {
  startedMs: number;
  freqHz: number;
  sf: number;
  bw: number;
  powerDbm: number;
  bytes: number;
  /** False when the chip's settings kept it from any gateway (IQ, sync word, antenna switch). */
  onAir: boolean;
}

export class Sx126xChip {
  readonly spi: SpiDevice;
  readonly busy: ChipOutputLine;
  readonly dio1: ChipOutputLine;
  readonly reset: ChipInputLine;
  /** Commands sent while BUSY was high (and ignored, as the chip does). */
  busyViolations = 0;
  /** Every opcode accepted, in order. */
  readonly commands: number[] = [];
  readonly rxWindows: ChipRxWindow[] = [];
  readonly transmissions: ChipTransmission[] = [];
  /** CalibrateImage band bytes, in order. */
  readonly imageCalibrations: Array<[number, number]> = [];

  readonly #o: Sx126xChipOptions;
  readonly #clock: Clock;
  #busyUntil = 0;
  #inReset = false;
  #mode: Mode = 'standbyRc';
  #commandStatus: number = COMMAND_STATUS.Ok;
  #deviceErrors = 0;
  #packetType = 0x00;
  #freqHz = 915_000_000;
  #sf = 7;
  #bwCode = 0x04;
  #invertIq = false;
  #crc = true;
  #payloadLength = 0;
  #txBase = 0;
  #rxBase = 0;
  #rxLength = 0;
  #rxStart = 0;
  #irqMask = 0;
  #dio1Mask = 0;
  #irq = 0;
  #paHpMax = 7;
  #paDeviceSel = 0;
  #txPowerDbm = 14;
  #tcxoCode: number | undefined;
  #dio2Switch = false;
  #status = { rssiDbm: -120, snrDb: 0 };
  readonly #buffer = new Uint8Array(256);
  readonly #registers = new Map<number, number>();
  #timer: TimerHandle | undefined;
  /** Bumped whenever TX/RX ends or is aborted, so stale completions are dropped. */
  #operation = 0;

  constructor(options: Sx126xChipOptions) {
    this.#o = options;
    this.#clock = options.clock;
    this.busy = new ChipOutputLine(() => (this.#busyNow() ? 1 : 0));
    this.dio1 = new ChipOutputLine(() => ((this.#irq & this.#dio1Mask) !== 0 ? 1 : 0));
    this.reset = new ChipInputLine((level) => this.#onReset(level));
    this.#powerOn();
    this.spi = { transfer: (bytes) => this.#transfer(bytes), close: () => undefined };
    options.front.onLock = (downlink) => this.#preambleAt(downlink.startMs);
  }

  get mode(): Mode {
    return this.#mode;
  }

  get syncWord(): number {
    return (this.#reg(REG.LoraSyncWord) << 8) | this.#reg(REG.LoraSyncWord + 1);
  }

  // ---- SPI ----

  #busyNow(): boolean {
    return this.#inReset || this.#mode === 'sleep' || this.#clock.now() < this.#busyUntil;
  }

  #transfer(bytes: Uint8Array): Uint8Array {
    const reply = new Uint8Array(bytes.length);
    if (this.#inReset) return reply.fill(0xff); // MISO floats while the chip is held in reset
    if (this.#mode === 'sleep') {
      // NSS going low wakes the chip; the command itself is lost.
      this.#mode = 'standbyRc';
      this.#busyUntil = this.#clock.now() + BOOT_MS;
      this.busy.update();
      return reply;
    }
    if (this.#busyNow()) {
      this.busyViolations++;
      return reply;
    }
    if (bytes.length === 0) return reply;
    const op = bytes[0];
    reply[1] = this.#statusByte();
    this.commands.push(op);
    const readCount = READ_COMMANDS[op];
    if (readCount !== undefined) {
      if (bytes.length !== 2 + readCount) this.#fail(COMMAND_STATUS.ProcessingError);
      else this.#read(op, reply);
    } else if (op === OP.ReadRegister || op === OP.ReadBuffer) {
      this.#readMemory(op, bytes, reply);
    } else if (op === OP.WriteRegister || op === OP.WriteBuffer) {
      this.#writeMemory(op, bytes);
    } else {
      const count = PARAM_BYTES[op];
      if (count === undefined || bytes.length !== 1 + count) this.#fail(COMMAND_STATUS.ProcessingError);
      else this.#execute(op, bytes.subarray(1));
    }
    this.#busyUntil = Math.max(this.#busyUntil, this.#clock.now() + (BUSY_MS[op] ?? 0));
    return reply;
  }

  #statusByte(): number {
    return (MODE_CODE[this.#mode] << 4) | (this.#commandStatus << 1);
  }

  #fail(status: number): void {
    this.#commandStatus = status;
  }

  #read(op: number, reply: Uint8Array): void {
    switch (op) {
      case OP.GetStatus:
        reply[1] = this.#statusByte();
        // Reported once: an error or event is cleared by reading it.
        this.#commandStatus = COMMAND_STATUS.Ok;
        return;
      case OP.GetIrqStatus:
        reply[2] = (this.#irq >> 8) & 0xff;
        reply[3] = this.#irq & 0xff;
        return;
      case OP.GetPacketType:
        reply[2] = this.#packetType;
        return;
      case OP.GetRxBufferStatus:
        reply[2] = this.#rxLength;
        reply[3] = this.#rxStart;
        return;
      case OP.GetPacketStatus: {
        const rssi = Math.max(0, Math.min(255, Math.round(-this.#status.rssiDbm * 2)));
        reply[2] = rssi;
        reply[3] = Math.max(-128, Math.min(127, Math.round(this.#status.snrDb * 4))) & 0xff;
        reply[4] = rssi;
        return;
      }
      case OP.GetDeviceErrors:
        reply[2] = (this.#deviceErrors >> 8) & 0xff;
        reply[3] = this.#deviceErrors & 0xff;
        return;
    }
  }

  #readMemory(op: number, bytes: Uint8Array, reply: Uint8Array): void {
    if (op === OP.ReadRegister) {
      if (bytes.length < 4) return this.#fail(COMMAND_STATUS.ProcessingError);
      const address = (bytes[1] << 8) | bytes[2];
      for (let i = 4; i < bytes.length; i++) reply[i] = this.#reg(address + i - 4);
    } else {
      if (bytes.length < 3) return this.#fail(COMMAND_STATUS.ProcessingError);
      for (let i = 3; i < bytes.length; i++) reply[i] = this.#buffer[(bytes[1] + i - 3) & 0xff];
    }
  }

  #writeMemory(op: number, bytes: Uint8Array): void {
    if (op === OP.WriteRegister) {
      if (bytes.length < 4) return this.#fail(COMMAND_STATUS.ProcessingError);
      const address = (bytes[1] << 8) | bytes[2];
      for (let i = 3; i < bytes.length; i++) this.#registers.set(address + i - 3, bytes[i]);
    } else {
      if (bytes.length < 3) return this.#fail(COMMAND_STATUS.ProcessingError);
      for (let i = 2; i < bytes.length; i++) this.#buffer[(bytes[1] + i - 2) & 0xff] = bytes[i];
    }
  }

  #reg(address: number): number {
    return this.#registers.get(address) ?? 0;
  }

  #inStandby(): boolean {
    return this.#mode === 'standbyRc' || this.#mode === 'standbyXosc';
  }

  #execute(op: number, p: Uint8Array): void {
    switch (op) {
      case OP.SetSleep:
        this.#abort();
        this.#mode = 'sleep';
        return this.busy.update();
      case OP.SetStandby:
        this.#abort();
        this.#mode = p[0] === 0x01 ? 'standbyXosc' : 'standbyRc';
        return;
      case OP.SetFs:
        this.#mode = 'fs';
        return;
      case OP.SetRegulatorMode:
      // Stopping on preamble or on header is the same to the channel model: a packet starting in the window is received.
      case OP.StopTimerOnPreamble:
        return;
      case OP.Calibrate:
        return this.#calibrate();
      case OP.CalibrateImage:
        this.imageCalibrations.push([p[0], p[1]]);
        return;
      case OP.SetPaConfig:
        if (p[2] > 1 || p[3] !== 0x01) return this.#fail(COMMAND_STATUS.ExecuteFailure);
        this.#paHpMax = p[1];
        this.#paDeviceSel = p[2];
        return;
      case OP.SetDioIrqParams:
        this.#irqMask = (p[0] << 8) | p[1];
        this.#dio1Mask = (p[2] << 8) | p[3];
        return this.dio1.update();
      case OP.ClearIrqStatus:
        this.#irq &= ~((p[0] << 8) | p[1]);
        return this.dio1.update();
      case OP.SetDio2AsRfSwitchCtrl:
        this.#dio2Switch = p[0] === 0x01;
        return;
      case OP.SetDio3AsTcxoCtrl:
        this.#tcxoCode = p[0];
        return;
      case OP.SetRfFrequency: {
        const hz = frequencyOfWord(((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3]);
        const [low, high] = BAND_MHZ[this.#o.variant ?? 'sx1262'];
        if (hz < low * 1e6 || hz > high * 1e6) return this.#fail(COMMAND_STATUS.ExecuteFailure);
        this.#freqHz = hz;
        return;
      }
      case OP.SetPacketType:
        if (!this.#inStandby() || p[0] > 0x01) return this.#fail(COMMAND_STATUS.ExecuteFailure);
        this.#packetType = p[0];
        return;
      case OP.SetTxParams: {
        const power = (p[0] << 24) >> 24;
        if (power < -9 || power > 22) return this.#fail(COMMAND_STATUS.ExecuteFailure);
        this.#txPowerDbm = power;
        return;
      }
      case OP.SetModulationParams:
        if (this.#packetType !== PACKET_TYPE_LORA || p[0] < 5 || p[0] > 12 || BW_OF_CODE[p[1]] === undefined || p[2] < 1 || p[2] > 4) return this.#fail(COMMAND_STATUS.ExecuteFailure);
        this.#sf = p[0];
        this.#bwCode = p[1];
        return;
      case OP.SetPacketParams:
        if (this.#packetType !== PACKET_TYPE_LORA) return this.#fail(COMMAND_STATUS.ExecuteFailure);
        this.#payloadLength = p[3];
        this.#crc = p[4] === 0x01;
        this.#invertIq = p[5] === 0x01;
        return;
      case OP.SetBufferBaseAddress:
        this.#txBase = p[0];
        this.#rxBase = p[1];
        return;
      case OP.ClearDeviceErrors:
        this.#deviceErrors = 0;
        return;
      case OP.SetTx:
        return this.#startTx();
      case OP.SetRx:
        return this.#startRx((p[0] << 16) | (p[1] << 8) | p[2]);
    }
  }

  #calibrate(): void {
    const wanted = this.#o.tcxo === undefined ? undefined : tcxoVoltageCode(this.#o.tcxo);
    // A TCXO that DIO3 does not power (or powers at the wrong voltage) never starts: the 32 MHz reference is missing.
    if (wanted !== undefined && this.#tcxoCode !== wanted) this.#deviceErrors |= (1 << 5) | (1 << 4);
    else this.#deviceErrors &= ~((1 << 5) | (1 << 4));
  }

  #raise(bits: number): void {
    this.#irq |= bits & this.#irqMask;
    this.dio1.update();
  }

  #abort(): void {
    this.#operation++;
    if (this.#timer !== undefined) this.#clock.cancel(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the antenna is connected for this direction: modules whose switch follows DIO2 need it enabled. */
  #antennaConnected(): boolean {
    return !(this.#o.dio2RfSwitch ?? true) || this.#dio2Switch;
  }

  #startTx(): void {
    if (this.#packetType !== PACKET_TYPE_LORA || (!this.#inStandby() && this.#mode !== 'fs')) return this.#fail(COMMAND_STATUS.ExecuteFailure);
    this.#abort();
    const operation = this.#operation;
    this.#mode = 'tx';
    const bw = BW_OF_CODE[this.#bwCode];
    const payload = new Uint8Array(this.#payloadLength);
    for (let i = 0; i < payload.length; i++) payload[i] = this.#buffer[(this.#txBase + i) & 0xff];
    const paLimit = this.#paDeviceSel === 1 ? 15 : HP_MAX_DBM[this.#paHpMax] ?? 22;
    const powerDbm = Math.min(this.#txPowerDbm, paLimit);
    const onAir = this.syncWord === LORAWAN_PUBLIC_SYNC_WORD && !this.#invertIq && this.#antennaConnected() && this.#deviceErrors === 0;
    this.transmissions.push({ startedMs: this.#clock.now(), freqHz: this.#freqHz, sf: this.#sf, bw, powerDbm, bytes: payload.length, onAir });
    const done = () => {
      if (operation !== this.#operation) return;
      this.#mode = 'standbyRc';
      this.#commandStatus = COMMAND_STATUS.TxDone;
      this.#raise(IRQ.TxDone);
    };
    if (onAir) {
      void this.#o.front.transmit({ freqHz: this.#freqHz, sf: this.#sf, bw, powerDbm, payload }).then(done);
    } else {
      // The packet is sent all the same, into a channel nobody decodes.
      this.#timer = this.#clock.schedule(loraTimeOnAirMs({ sf: this.#sf, bw, phyPayloadBytes: payload.length, crc: this.#crc }), done);
    }
  }

  #startRx(steps: number): void {
    if (this.#packetType !== PACKET_TYPE_LORA || (!this.#inStandby() && this.#mode !== 'fs')) return this.#fail(COMMAND_STATUS.ExecuteFailure);
    this.#abort();
    const operation = this.#operation;
    this.#mode = 'rx';
    const bw = BW_OF_CODE[this.#bwCode];
    const timeoutMs = steps === 0 || steps === 0xffffff ? Infinity : steps / TIMER_STEPS_PER_MS;
    const window: ChipRxWindow = { openedMs: this.#clock.now(), timeoutMs, freqHz: this.#freqHz, sf: this.#sf, bw, invertIq: this.#invertIq, outcome: 'open' };
    this.rxWindows.push(window);
    const hears = this.#invertIq && this.syncWord === LORAWAN_PUBLIC_SYNC_WORD && this.#antennaConnected() && this.#deviceErrors === 0;
    const finish = (payload: Uint8Array | undefined) => {
      if (operation !== this.#operation) return;
      window.outcome = payload === undefined ? 'timeout' : 'packet';
      this.#mode = 'standbyRc';
      if (payload === undefined) {
        this.#commandStatus = COMMAND_STATUS.Timeout;
        return this.#raise(IRQ.Timeout);
      }
      this.#rxStart = this.#rxBase;
      this.#rxLength = payload.length;
      for (let i = 0; i < payload.length; i++) this.#buffer[(this.#rxBase + i) & 0xff] = payload[i];
      this.#status = this.#o.front.packetStatus() ?? this.#status;
      this.#commandStatus = COMMAND_STATUS.DataAvailable;
      this.#raise(IRQ.RxDone);
    };
    if (!hears) {
      if (Number.isFinite(timeoutMs)) this.#timer = this.#clock.schedule(timeoutMs, () => finish(undefined));
      return;
    }
    // A window with no timeout listens for a day: long enough for any host to stop it.
    void this.#o.front.receive({ freqHz: this.#freqHz, sf: this.#sf, bw, windowMs: Number.isFinite(timeoutMs) ? timeoutMs : 86_400_000 }).then(finish);
  }

  /** The front end locked onto a downlink: the preamble and then the header are detected when it starts. */
  #preambleAt(startMs: number): void {
    const operation = this.#operation;
    this.#clock.schedule(Math.max(0, startMs - this.#clock.now()), () => {
      if (operation === this.#operation && this.#mode === 'rx') this.#raise(IRQ.PreambleDetected | IRQ.HeaderValid);
    });
  }

  // ---- power and reset ----

  #powerOn(): void {
    this.#abort();
    this.#mode = 'standbyRc';
    this.#commandStatus = COMMAND_STATUS.Ok;
    this.#deviceErrors = 0;
    this.#packetType = 0x00;
    this.#irq = 0;
    this.#irqMask = 0;
    this.#dio1Mask = 0;
    this.#tcxoCode = undefined;
    this.#dio2Switch = false;
    this.#registers.clear();
    // Reset values of the registers the host reads back (datasheet table 12-1): private sync word, IQ bit set.
    this.#registers.set(REG.LoraSyncWord, 0x14);
    this.#registers.set(REG.LoraSyncWord + 1, 0x24);
    this.#registers.set(REG.IqPolarity, 0x0d);
    this.#busyUntil = this.#clock.now() + BOOT_MS;
    this.busy?.update();
    this.dio1?.update();
  }

  #onReset(level: 0 | 1): void {
    if (level === 0) {
      this.#inReset = true;
      this.#abort();
      this.busy.update();
      return;
    }
    if (!this.#inReset) return;
    this.#inReset = false;
    this.#powerOn();
  }
}
