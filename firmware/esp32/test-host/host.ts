/**
 * The board the test doubles share, inside the XS test worker: one virtual
 * clock for everything (Timer, Time.ticks, Date.now, the serial lines and the
 * simulators), the UARTs the harness wires to simulators, the GPIO levels, NVS
 * and the littlefs partition as plain data.
 *
 * These doubles stand in for Moddable's host modules (embedded:io/serial,
 * embedded:io/digital, timer, time, preference, file, mc/config) so main.ts
 * can run unmodified in XS without hardware. They follow the typings'
 * shapes and the behaviour of Moddable's ESP32 implementations where this
 * code depends on it; they do not prove the real modules or the hardware
 * behave the same.
 */
import { VirtualClock } from '../../../drivers/ports/virtual-clock.js';
import type { ByteStream } from '../../../drivers/ports/byte-stream.js';
import type { SpiDevice } from '../../../drivers/ports/spi.js';
import { MemoryFlashFiles, type FlashFiles } from './flash-files.js';

/** Epoch of the simulated network (the modem simulator's NITZ time starts here). */
export const NETWORK_EPOCH_MS = Date.UTC(2026, 0, 1);

export interface UartWiring {
  /** The ESP32's end of the line (bytes written take their wire time on the clock). */
  line: ByteStream;
  /** False while the receiver is disabled (RS-485: DE/RE high): bytes arriving then are lost, as on the wire. */
  receiving(): boolean;
  /** Bytes that arrived while the receiver was disabled. */
  lost: number;
  /** Every `new Serial(options)` on this UART. */
  opened: Array<{ receive?: number; transmit?: number; baud: number; format?: string }>;
  inUse: boolean;
}

export interface PinState {
  mode: string;
  level: 0 | 1;
  writes: Array<{ atMs: number; value: 0 | 1 }>;
  inUse: boolean;
  /** A pin driven by a simulated chip (a radio's BUSY, DIO1): its level comes from there. */
  source?: () => 0 | 1;
  /** Called on the chip's rising edges, for inputs created with an edge and onReadable. */
  rising?: () => void;
  /** A chip input (a radio's NRESET) told of every level the ESP32 drives. */
  onDrive?: (level: 0 | 1) => void;
}

class Host {
  readonly clock = new VirtualClock({ unixEpochMs: NETWORK_EPOCH_MS });
  /** Calls into host-module functions so far; a module that is safe to preload makes none while it loads. */
  calls = 0;
  /** Wall time offset: an ESP32 without an RTC boots at 1970 until Time.set(). */
  wallOffsetMs = 0;
  /** Size of the mounted littlefs partition (partitions.csv's storage: 0xF0000). */
  storageBytes = 0xf0000;
  /** Time.ticks at virtual time 0 (a test starts it just before the sign flip or the wrap). */
  ticksAtBootMs = 0;
  readonly uarts = new Map<number, UartWiring>();
  /** SPI devices by chip-select pin (a simulated radio). */
  readonly spiDevices = new Map<number, SpiDevice>();
  readonly pins = new Map<number, PinState>();
  /** NVS: "domain/key" → value. */
  readonly preferences = new Map<string, string | number | boolean | ArrayBuffer>();
  /** littlefs: the files' bytes (the lin simulation swaps in C buffers before setup); directories by path (ending in '/'). */
  files: FlashFiles = new MemoryFlashFiles();
  readonly directories = new Set<string>(['/']);
  readonly trace: string[] = [];
  /** Where trace() lines go instead of `trace` (the lin simulation prints them, so the XS heap does not keep them). */
  traceOut: ((line: string) => void) | undefined;
  /**
   * Keep histories (pin writes, datagrams, AT commands, server messages) for the report; false for long
   * runs (esp32:sim), which only count, so the XS heap they share with the firmware does not grow with time.
   */
  keepHistory = true;
  /** The longest delay any Timer was asked for, ms, as given (before the 32-bit conversion). */
  longestTimerMs = 0;

  touch(): void {
    this.calls++;
  }

  /** Time.ticks as on the ESP32: whole ms, ToInt32 (signed 32-bit, wrapping). */
  ticks(): number {
    return (Math.floor(this.clock.now()) + this.ticksAtBootMs) | 0;
  }

  wallNow(): number {
    return this.wallOffsetMs + this.clock.now();
  }

  wireUart(port: number, line: ByteStream, receiving: () => boolean = () => true): UartWiring {
    const wiring: UartWiring = { line, receiving, lost: 0, opened: [], inUse: false };
    this.uarts.set(port, wiring);
    return wiring;
  }

  pin(pin: number): PinState {
    let state = this.pins.get(pin);
    if (state === undefined) this.pins.set(pin, (state = { mode: 'unused', level: 0, writes: [], inUse: false }));
    return state;
  }
}

export const host = new Host();
