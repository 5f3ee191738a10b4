/**
 * ByteStream over Moddable's ECMA-419 serial (`embedded:io/serial`) for an
 * RS-485 transceiver. ESP32 serial in Moddable is 8N1 only and has no RS-485
 * mode, so the driver-enable pin (DE/RE tied together) is driven here: high
 * before a frame, low once its last stop bit has left the UART. Moddable gives
 * no transmit-complete event, so the release is timed from the wire time.
 */
import Serial from 'embedded:io/serial';
import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { ByteStream, SerialLineSettings } from '../../../drivers/ports/byte-stream.js';
import { characterTimeMs } from '../../../drivers/ports/byte-stream.js';

export interface Rs485SerialOptions {
  port: number;
  receivePin: number;
  transmitPin: number;
  /** DE/RE pin of the transceiver; omit for auto-direction modules. */
  directionPin?: number;
  baud: number;
}

export class Rs485SerialStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  readonly #serial: Serial;
  readonly #direction: Digital | undefined;
  #releaseTimer: Timer | undefined;
  /** When the transmitter will be idle, in Time.ticks-compatible ms (Date.now here: coarse is fine). */
  #busyUntil = 0;

  constructor(options: Rs485SerialOptions) {
    this.line = { baud: options.baud, dataBits: 8, parity: 'none', stopBits: 1 };
    this.#direction = options.directionPin === undefined ? undefined : new Digital({ pin: options.directionPin, mode: Digital.Output });
    this.#direction?.write(0);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const stream = this;
    this.#serial = new Serial({
      port: options.port,
      receive: options.receivePin,
      transmit: options.transmitPin,
      baud: options.baud,
      format: 'buffer',
      onReadable() {
        const data = this.read();
        if (data instanceof ArrayBuffer && data.byteLength > 0) stream.onReadable?.(new Uint8Array(data));
      },
    });
  }

  write(bytes: Uint8Array): void {
    this.#direction?.write(1);
    this.#serial.write(bytes);
    if (this.#direction === undefined) return;
    // Keep DE high until this frame (and any still queued before it) has left the wire.
    const now = Date.now();
    this.#busyUntil = Math.max(now, this.#busyUntil) + bytes.length * characterTimeMs(this.line);
    if (this.#releaseTimer !== undefined) Timer.clear(this.#releaseTimer);
    this.#releaseTimer = Timer.set(() => {
      this.#releaseTimer = undefined;
      this.#direction?.write(0);
    }, Math.ceil(this.#busyUntil - now) + 1);
  }

  close(): void {
    if (this.#releaseTimer !== undefined) Timer.clear(this.#releaseTimer);
    this.#direction?.write(0);
    this.#direction?.close();
    this.#serial.close();
    this.onReadable = undefined;
  }
}
