/**
 * An SPI device (one chip select on one bus), after ECMA-419 `embedded:io/spi`,
 * plus the handful of digital lines a LoRa transceiver hangs off besides the
 * bus. Radio drivers (drivers/radio/) take these and nothing host-specific.
 *
 * Hosts:
 *  - Raspberry Pi: Linux spidev (`/dev/spidevB.C`, the kernel drives CS)
 *    through the npm package spi-device; lines through the Pi digital port.
 *  - ESP32 (Moddable): `embedded:io/spi` with its `select` pin, and
 *    `embedded:io/digital` for the lines.
 *  - Tests: the chip simulators in simulators/radio (sx126x-chip, sx127x-chip).
 *
 * A transfer is synchronous, as in ECMA-419: a radio command is a few bytes
 * at several MHz (microseconds), and every caller waits on the result.
 */
import type { DigitalInput, DigitalOutput } from './digital.js';

/** SPI clock polarity/phase, as spidev and ECMA-419 number them. LoRa transceivers use mode 0. */
export type SpiMode = 0 | 1 | 2 | 3;

/** How a host opens the bus for one device. */
export interface SpiSettings {
  /** Clock rate, Hz. SX126x: up to 16 MHz; SX127x: up to 10 MHz. */
  hz: number;
  /** Default 0. */
  mode?: SpiMode;
}

export interface SpiDevice {
  /**
   * Assert chip select, clock `bytes` out while reading as many in, release
   * chip select. Returns the bytes read (a new array; `bytes` is left as it was).
   */
  transfer(bytes: Uint8Array): Uint8Array;
  close(): void;
}

/**
 * The lines of a LoRa transceiver module besides the SPI bus. Inputs report
 * their level; `onReadable` is called on a rising edge when the host can
 * watch for one (drivers also poll, so a host without edges still works).
 */
export interface RadioLines {
  /** NRESET, driven low to reset the chip. Optional: some boards tie it to the MCU's reset. */
  reset?: DigitalOutput;
  /** SX126x BUSY: high while the chip cannot take a command. Required for SX126x. */
  busy?: DigitalInput;
  /** The IRQ line: SX126x DIO1, SX127x DIO0 (TxDone / RxDone). */
  irq?: DigitalInput;
}
