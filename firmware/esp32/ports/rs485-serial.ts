/**
 * ByteStream over Moddable's ECMA-419 serial (`embedded:io/serial`) for an
 * RS-485 transceiver, or a plain UART (the NB-IoT modem) when no direction pin
 * is given. ESP32 serial in Moddable is 8N1 only and has no RS-485 mode, so the
 * driver-enable pin (DE/RE tied together) is driven here: high before a frame,
 * low once its last stop bit has left the UART. Moddable gives no
 * transmit-complete event, so the release is timed from the wire time.
 *
 * Moddable's ESP32 write() puts bytes straight into the UART's 128-byte
 * hardware FIFO and throws "output full" when they do not fit
 * (modules/io/serial/esp32/serial.c). A 200-byte AT+NSOST line would, so
 * writes are queued here and fed in as onWritable reports free space.
 */
import Serial from 'embedded:io/serial';
import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { ByteStream, SerialLineSettings } from '../../../drivers/ports/byte-stream.js';
import { characterTimeMs } from '../../../drivers/ports/byte-stream.js';
import { MonotonicTicks } from './monotonic-ticks.js';

export interface Rs485SerialOptions {
  port: number;
  receivePin: number;
  transmitPin: number;
  /** DE/RE pin of the transceiver; omit for auto-direction modules and plain UARTs. */
  directionPin?: number;
  baud: number;
  /** Monotonic ms for the DE timing (main passes the gateway's ModdableClock); default: Time.ticks made monotonic. */
  clock?: { now(): number };
}

export class Rs485SerialStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  readonly #serial: Serial;
  readonly #direction: Digital | undefined;
  readonly #charMs: number;
  /** Bytes written but not yet in the FIFO, oldest first. */
  readonly #queue: Uint8Array[] = [];
  /** Free FIFO space as last reported by onWritable, less what was written since. */
  #writable = 0;
  #releaseTimer: Timer | undefined;
  /**
   * When the transmitter will be idle, in the monotonic clock's ms: not wall
   * time (setting the clock from the network must not stretch DE), and not raw
   * Time.ticks, which flips sign after 24.8 days and would put the release
   * about 2^32 ms ahead, leaving DE high and the bus deaf.
   */
  #busyUntil = 0;
  readonly #clock: { now(): number };

  constructor(options: Rs485SerialOptions) {
    this.line = { baud: options.baud, dataBits: 8, parity: 'none', stopBits: 1 };
    this.#charMs = characterTimeMs(this.line);
    this.#clock = options.clock ?? new MonotonicTicks();
    this.#direction = options.directionPin === undefined ? undefined : new Digital(directionSettings(options.directionPin));
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
      // Called once the UART is ready and again whenever the FIFO has drained.
      onWritable(count) {
        stream.#writable = count;
        stream.#pump();
      },
    });
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#queue.push(bytes.slice());
    this.#pump();
  }

  close(): void {
    if (this.#releaseTimer !== undefined) Timer.clear(this.#releaseTimer);
    this.#queue.length = 0;
    this.#direction?.write(0);
    this.#direction?.close();
    this.#serial.close();
    this.onReadable = undefined;
  }

  /** Move queued bytes into the FIFO as far as it has room. */
  #pump(): void {
    let written = 0;
    while (this.#queue.length > 0 && this.#writable > 0) {
      const head = this.#queue[0];
      const n = Math.min(head.length, this.#writable);
      if (written === 0) this.#direction?.write(1);
      // A whole ArrayBuffer: older Moddable releases accept nothing else here.
      this.#serial.write(n === head.length && head.byteOffset === 0 && head.byteLength === head.buffer.byteLength ? head.buffer : head.slice(0, n).buffer);
      this.#writable -= n;
      written += n;
      if (n === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(n);
    }
    if (written === 0 || this.#direction === undefined) return;
    // Keep DE high until these bytes (and any still in the FIFO before them) have left the wire.
    const now = this.#clock.now();
    this.#busyUntil = Math.max(now, this.#busyUntil) + written * this.#charMs;
    if (this.#releaseTimer !== undefined) Timer.clear(this.#releaseTimer);
    this.#releaseTimer = Timer.set(() => {
      this.#releaseTimer = undefined;
      if (this.#queue.length === 0) this.#direction?.write(0);
    }, Math.ceil(this.#busyUntil - now) + 1);
  }
}

/** DE/RE low (receiving) from the moment the pin exists; initialValue is Moddable's (SDK 8.x), not yet in @moddable/typings 5.6. */
function directionSettings(pin: number): { pin: number; mode: unknown } {
  return { pin, mode: Digital.Output, initialValue: 0 } as { pin: number; mode: unknown };
}
