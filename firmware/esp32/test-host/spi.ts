/**
 * Test double of Moddable's ECMA-419 `embedded:io/spi`: the device on the
 * chip-select pin the harness wired (a radio chip simulator) answers each
 * transfer in place; flush(true) ends the select cycle. As on the ESP32, the
 * pins are claimed while the bus is open.
 */
import { host } from './host.js';
import type { SpiDevice } from '../../../drivers/ports/spi.js';

export default class SPI {
  readonly #device: SpiDevice;
  readonly #pins: number[];
  #closed = false;

  constructor(options: { clock: number; in?: number; out?: number; select?: number; hz: number; mode?: number; active?: number; port?: number }) {
    host.touch();
    const device = options.select === undefined ? undefined : host.spiDevices.get(options.select);
    if (device === undefined) throw new Error(`no SPI device on chip select GPIO ${String(options.select)}`);
    this.#pins = [options.clock, options.in, options.out, options.select].filter((p): p is number => p !== undefined);
    for (const pin of this.#pins) {
      const state = host.pin(pin);
      if (state.inUse) throw new Error(`GPIO ${pin} is already in use`);
      state.inUse = true;
      state.mode = 'SPI';
    }
    this.#device = device;
  }

  transfer(buffer: Uint8Array | ArrayBuffer): void {
    host.touch();
    if (this.#closed) throw new Error('spi closed');
    const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    bytes.set(this.#device.transfer(bytes.slice()));
  }

  flush(_deselect?: boolean): void {
    host.touch();
  }

  close(): void {
    this.#closed = true;
    for (const pin of this.#pins) host.pin(pin).inUse = false;
  }
}
