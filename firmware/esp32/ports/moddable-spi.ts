/**
 * SpiDevice (drivers/ports/spi.ts) on Moddable's ECMA-419 `embedded:io/spi`.
 * The SPI object drives the chip-select pin: a transfer asserts it and
 * flush(true) releases it, so every radio command is one select cycle, as
 * the SX126x needs (NSS high between commands).
 */
import SPI from 'embedded:io/spi';
import type { SpiDevice } from '../../../drivers/ports/spi.js';

export interface SpiWiring {
  /** SPI host (ESP32: 1 = SPI2/HSPI, 2 = SPI3/VSPI). Default: Moddable's. */
  port?: number;
  clock: number;
  in: number;
  out: number;
  select: number;
  /** Default 8 MHz. */
  hz?: number;
}

export class ModdableSpiDevice implements SpiDevice {
  readonly #spi: SPI;

  constructor(wiring: SpiWiring) {
    this.#spi = new SPI({ clock: wiring.clock, in: wiring.in, out: wiring.out, select: wiring.select, active: 0, hz: wiring.hz ?? 8_000_000, mode: 0, ...(wiring.port === undefined ? {} : { port: wiring.port }) });
  }

  transfer(bytes: Uint8Array): Uint8Array {
    const buffer = bytes.slice();
    this.#spi.transfer(buffer);
    this.#spi.flush(true);
    return buffer;
  }

  close(): void {
    (this.#spi as unknown as { close(): void }).close();
  }
}
