/**
 * What the SX126x and SX127x drivers share: the Radio port's contract (one
 * operation at a time, close ends a window), waiting for the chip's IRQ line
 * on the Clock, and the LoRaWAN conventions (drivers/ports/radio.ts) turned
 * into numbers. Each chip driver says how to start a transmission or a
 * receive window and how to read what happened; this class does the rest.
 *
 * Waiting for an interrupt: the IRQ line's rising edge (`onReadable`) wakes
 * the driver at once; a deadline timer (the packet's airtime or the window,
 * plus slack) reads the chip's flags anyway, so a host without edge detection
 * or a missed edge costs a few ms, never a stuck radio. Without an IRQ line
 * the driver polls the flags over SPI every `pollMs`.
 */
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { DigitalInput } from '../ports/digital.js';
import type { Radio, RadioPacketStatus, RadioReceiveRequest, RadioTransmitRequest, RadioTransmitResult, LoraModulation } from '../ports/radio.js';
import { loraTimeOnAirMs } from '../lorawan/airtime.js';
import { RadioError } from './errors.js';

/** What the chip's IRQ flags say, chip-neutral. */
export interface IrqFlags {
  txDone: boolean;
  rxDone: boolean;
  timeout: boolean;
  /** Payload CRC or header error: the packet is lost. */
  corrupt: boolean;
  /** A preamble or header was detected and the packet is still arriving. */
  receiving: boolean;
}

export interface SpiLoraRadioOptions {
  clock: Clock;
  /** DIO1 (SX126x) / DIO0 (SX127x). */
  irq?: DigitalInput;
  /** Poll interval of the chip's flags over SPI without an IRQ line, ms. Default 5. */
  pollMs?: number;
  /**
   * Read the IRQ line this often, ms, for hosts whose line reports no edges
   * (the Pi's sysfs lines). Default: rely on the edge and the deadline.
   */
  irqPollMs?: number;
  /** Antenna gain, dBi: the MAC asks for EIRP, the chip is set to EIRP − gain. Default 0. */
  antennaGainDbi?: number;
  /** For errors and logs, e.g. "SX1262 on /dev/spidev0.0". */
  where: string;
}

/** LoRaWAN's PHY settings (drivers/ports/radio.ts), the same on both chips. */
export const LORAWAN_PHY = { preambleSymbols: 8, codingRate: 1 } as const;

/** Low-data-rate optimisation: on when a symbol lasts 16 ms or more (SF11/SF12 at 125 kHz). */
export function lowDataRateOptimize(modulation: LoraModulation): boolean {
  return 2 ** modulation.sf / modulation.bw >= 16;
}

/** Longest packet that can follow a preamble, ms: how long a window may stay busy after it locked on. */
export function maxPacketMs(modulation: LoraModulation): number {
  return loraTimeOnAirMs({ sf: modulation.sf, bw: modulation.bw, phyPayloadBytes: 255 });
}

type Operation = 'idle' | 'init' | 'transmit' | 'receive';

export abstract class SpiLoraRadio implements Radio {
  protected readonly clock: Clock;
  protected readonly where: string;
  readonly #irq: DigitalInput | undefined;
  readonly #pollMs: number;
  readonly #irqPollMs: number | undefined;
  readonly #antennaGainDbi: number;
  #operation: Operation = 'idle';
  #initialised = false;
  #closed = false;
  #status: RadioPacketStatus | undefined;
  /** Wakes the operation in progress (IRQ edge, close). */
  #wake: (() => void) | undefined;

  constructor(options: SpiLoraRadioOptions) {
    this.clock = options.clock;
    this.where = options.where;
    this.#irq = options.irq;
    this.#pollMs = options.pollMs ?? 5;
    this.#irqPollMs = options.irqPollMs;
    this.#antennaGainDbi = options.antennaGainDbi ?? 0;
    if (this.#irq !== undefined) this.#irq.onReadable = () => this.#wake?.();
  }

  /** Reset and set the chip up for LoRa (called by the first operation when the host did not). */
  async init(): Promise<void> {
    if (this.#closed) throw this.#closedError();
    if (this.#initialised) return;
    this.#begin('init');
    try {
      await this.setUp();
      this.#initialised = true;
    } finally {
      this.#operation = 'idle';
    }
  }

  async transmit(request: RadioTransmitRequest): Promise<RadioTransmitResult> {
    await this.#ready();
    this.#begin('transmit');
    try {
      const airtimeMs = loraTimeOnAirMs({ sf: request.sf, bw: request.bw, phyPayloadBytes: request.payload.length });
      await this.startTransmit(request, request.powerDbm - this.#antennaGainDbi);
      const startMs = this.clock.now();
      const flags = await this.#waitFor(startMs + airtimeMs + 50 + airtimeMs / 10, (f) => f.txDone);
      await this.finish();
      if (this.#closed) throw this.#closedError();
      if (flags === undefined || !flags.txDone) {
        throw new RadioError('RADIO_NO_IRQ', `no TxDone ${Math.round(airtimeMs + 50)} ms after starting a ${Math.round(airtimeMs)} ms packet`, this.where,
          'check the IRQ line (DIO1 on SX126x, DIO0 on SX127x) in the pin table, and the antenna switch wiring');
      }
      // The packet ended airtime after SetTx took effect: that, not when we noticed, is what RX1 counts from.
      return { airtimeMs, endMs: startMs + airtimeMs };
    } finally {
      this.#operation = 'idle';
    }
  }

  async receive(request: RadioReceiveRequest): Promise<Uint8Array | undefined> {
    if (this.#closed) return undefined;
    await this.#ready();
    this.#begin('receive');
    try {
      await this.startReceive(request);
      const opened = this.clock.now();
      // A chip counts its timeout in whole symbols (SX127x): allow one more than the window.
      const firstDeadline = opened + request.windowMs + 2 + 2 ** request.sf / request.bw;
      let flags = await this.#waitFor(firstDeadline, (f) => f.rxDone || f.timeout || f.corrupt);
      // Locked onto a preamble inside the window: the packet is received to its end.
      if (flags !== undefined && !flags.rxDone && !flags.timeout && !flags.corrupt && flags.receiving && !this.#closed) {
        flags = await this.#waitFor(opened + request.windowMs + maxPacketMs(request) + 20, (f) => f.rxDone || f.timeout || f.corrupt);
      }
      let payload: Uint8Array | undefined;
      if (!this.#closed && flags !== undefined && flags.rxDone && !flags.corrupt) {
        payload = await this.readPacket();
        this.#status = await this.readPacketStatus();
      }
      await this.finish();
      return payload;
    } finally {
      this.#operation = 'idle';
    }
  }

  packetStatus(): RadioPacketStatus | undefined {
    return this.#status === undefined ? undefined : { ...this.#status };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#irq !== undefined) this.#irq.onReadable = undefined;
    this.#wake?.();
    this.release();
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- what each chip provides ----

  /** Reset, wake, calibrate, LoRa mode, sync word; throws RADIO_NOT_FOUND when nothing answers. */
  protected abstract setUp(): Promise<void>;
  /** Configure for `request` at `chipPowerDbm` and start sending. */
  protected abstract startTransmit(request: RadioTransmitRequest, chipPowerDbm: number): Promise<void>;
  /** Configure and open a single receive window of `request.windowMs`. */
  protected abstract startReceive(request: RadioReceiveRequest): Promise<void>;
  protected abstract readIrq(): Promise<IrqFlags>;
  protected abstract readPacket(): Promise<Uint8Array>;
  protected abstract readPacketStatus(): Promise<RadioPacketStatus>;
  /** Clear the flags and go back to standby. */
  protected abstract finish(): Promise<void>;
  /** Put the chip to sleep and release the bus and lines. */
  protected abstract release(): void;

  // ---- shared mechanics ----

  async #ready(): Promise<void> {
    if (this.#closed) throw this.#closedError();
    if (this.#operation !== 'idle') {
      throw new RadioError('RADIO_STATE', `${this.#operation} in progress`, this.where, 'the MAC sends and listens one thing at a time; do not share one radio between two MACs');
    }
    if (!this.#initialised) await this.init();
  }

  #begin(operation: Operation): void {
    if (this.#operation !== 'idle') {
      throw new RadioError('RADIO_STATE', `${this.#operation} in progress`, this.where, 'the MAC sends and listens one thing at a time; do not share one radio between two MACs');
    }
    this.#operation = operation;
  }

  /**
   * Wait until `done(flags)` or the deadline (clock ms). Wakes on the IRQ
   * line's edge, else polls; at the deadline reads the flags once more.
   * Resolves undefined when closed.
   */
  async #waitFor(deadlineMs: number, done: (flags: IrqFlags) => boolean): Promise<IrqFlags | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const lineHigh = this.#irq === undefined || this.#irq.read() === 1;
      if (lineHigh) {
        const flags = await this.readIrq();
        if (done(flags) || this.clock.now() >= deadlineMs) return flags;
      } else if (this.clock.now() >= deadlineMs) {
        return this.readIrq();
      }
      const poll = this.#irq === undefined ? this.#pollMs : this.#irqPollMs;
      const delay = poll === undefined ? deadlineMs - this.clock.now() : Math.min(poll, deadlineMs - this.clock.now());
      await this.#sleepOrWake(Math.max(0, delay));
    }
  }

  #sleepOrWake(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const wake = () => {
        if (timer !== undefined) this.clock.cancel(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = wake;
      timer = this.clock.schedule(delayMs, wake);
    });
  }

  #closedError(): RadioError {
    return new RadioError('RADIO_CLOSED', 'radio used after close', this.where, 'open a new radio after closing one');
  }
}

/**
 * Wait for a line to read 0, polling on the clock every `pollMs`; throws
 * RADIO_BUSY_STUCK after `timeoutMs` (the SX126x BUSY handshake).
 */
export async function waitForLow(line: DigitalInput, clock: Clock, timeoutMs: number, pollMs: number, stuck: () => RadioError): Promise<void> {
  if (line.read() === 0) return;
  const deadline = clock.now() + timeoutMs;
  while (line.read() === 1) {
    if (clock.now() >= deadline) throw stuck();
    await new Promise<void>((resolve) => {
      clock.schedule(pollMs, resolve);
    });
  }
}
