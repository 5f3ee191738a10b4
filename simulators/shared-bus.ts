/**
 * An RS-485 bus seen from the devices' side: every device hears every frame on
 * the line, and whatever a device transmits goes onto the same line. Lets many
 * simulated slaves (each written against a ByteStream of its own) share one
 * serial link, exactly as devices share a twisted pair. Runtime-neutral.
 */
import type { ByteStream, SerialLineSettings } from '../drivers/ports/byte-stream.js';

export class SharedBus {
  readonly #line: ByteStream;
  readonly #taps = new Set<BusTap>();

  constructor(line: ByteStream) {
    this.#line = line;
    line.onReadable = (bytes) => {
      for (const tap of this.#taps) tap.onReadable?.(bytes);
    };
  }

  /** A stream for one more device on the bus. */
  attach(): ByteStream {
    const tap = new BusTap(this.#line, () => this.#taps.delete(tap));
    this.#taps.add(tap);
    return tap;
  }

  get deviceCount(): number {
    return this.#taps.size;
  }

  close(): void {
    for (const tap of [...this.#taps]) tap.close();
    this.#line.close();
  }
}

class BusTap implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings | undefined;

  constructor(
    private readonly bus: ByteStream,
    private readonly detach: () => void,
  ) {
    this.line = bus.line;
  }

  write(bytes: Uint8Array): void {
    this.bus.write(bytes);
  }

  close(): void {
    this.onReadable = undefined;
    this.detach();
  }
}
