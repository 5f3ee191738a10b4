/**
 * Test double of Moddable's ECMA-419 `embedded:io/serial` on the ESP32
 * (modules/io/serial/esp32/serial.c), wired by the harness to a simulated line
 * (see host.ts). As on the device: one owner per UART; write() goes into a
 * 128-byte transmit FIFO that drains at the baud rate and throws "output full"
 * when the bytes do not fit; onWritable(free) comes once at start and again
 * when the FIFO has drained after a write; onReadable(count) is called with
 * `this` the Serial, and read() in "buffer" format returns what was received.
 *
 * Bytes that reach an RS-485 port while its transceiver drives the bus (DE
 * high) are lost, which is what a late DE release does on real hardware. The
 * line delivers each frame at once when its last byte has arrived, and the
 * receive FIFO (which can overflow on the device when XS is slow to read) is
 * not modelled: this checks DE timing per frame, not per byte.
 */
import type { TimerHandle } from '../../../drivers/ports/clock.js';
import { host, type UartWiring } from './host.js';

/** ESP32 UART transmit FIFO. */
const TX_FIFO_BYTES = 128;
/** onWritable fires when the FIFO has drained to this many bytes (serial.c: kTransmitTreshold, the UART's TX-empty threshold). */
const TX_EMPTY_THRESHOLD = 10;

type Buffer = ArrayBuffer | Uint8Array | DataView;

interface SerialOptions {
  port: number;
  receive?: number;
  transmit?: number;
  baud: number;
  format?: 'number' | 'buffer';
  onReadable?: (this: Serial, bytes: number) => void;
  onWritable?: (this: Serial, bytes: number) => void;
}

export default class Serial {
  readonly #uart: UartWiring;
  readonly #onReadable: ((this: Serial, bytes: number) => void) | undefined;
  readonly #onWritable: ((this: Serial, bytes: number) => void) | undefined;
  /** 8N1: ten bits a character. */
  readonly #charMs: number;
  /** Clock ms when the last byte in the transmit FIFO will have left. */
  #fifoEmptyAt = 0;
  #writableNotice: TimerHandle | undefined;
  #format: 'number' | 'buffer';
  #received: number[] = [];
  #closed = false;

  constructor(options: SerialOptions) {
    host.touch();
    const uart = host.uarts.get(options.port);
    if (uart === undefined) throw new Error(`nothing is wired to UART ${options.port} in this test`);
    if (uart.inUse) throw new Error(`UART ${options.port} is already open`);
    uart.inUse = true;
    uart.opened.push({ receive: options.receive, transmit: options.transmit, baud: options.baud, format: options.format });
    this.#uart = uart;
    this.#format = options.format ?? 'number';
    this.#onReadable = options.onReadable;
    this.#onWritable = options.onWritable;
    this.#charMs = 10_000 / options.baud;
    if (this.#onWritable !== undefined) this.#noticeWritable(0);
    uart.line.onReadable = (bytes) => {
      if (this.#closed) return;
      if (!uart.receiving()) {
        uart.lost += bytes.length;
        return;
      }
      for (const byte of bytes) this.#received.push(byte);
      this.#onReadable?.call(this, this.#received.length);
    };
  }

  get format(): 'number' | 'buffer' {
    return this.#format;
  }

  set format(value: 'number' | 'buffer') {
    this.#format = value;
  }

  read(): number | ArrayBuffer | undefined {
    host.touch();
    if (this.#received.length === 0) return undefined;
    if (this.#format === 'number') return this.#received.shift();
    const out = Uint8Array.from(this.#received);
    this.#received = [];
    return out.buffer;
  }

  write(value: number | Buffer): void {
    host.touch();
    if (this.#closed) throw new Error('serial closed');
    const bytes = typeof value === 'number' ? Uint8Array.of(value) : value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (bytes.length > this.#free()) throw new Error('output full');
    this.#uart.line.write(bytes.slice());
    const now = host.clock.now();
    this.#fifoEmptyAt = Math.max(now, this.#fifoEmptyAt) + bytes.length * this.#charMs;
    if (this.#onWritable !== undefined) this.#noticeWritable(Math.max(0, this.#fifoEmptyAt - TX_EMPTY_THRESHOLD * this.#charMs - now));
  }

  /** Free space in the transmit FIFO now. */
  #free(): number {
    const queued = Math.ceil((this.#fifoEmptyAt - host.clock.now()) / this.#charMs - 1e-9);
    return TX_FIFO_BYTES - Math.max(0, queued);
  }

  #noticeWritable(delayMs: number): void {
    if (this.#writableNotice !== undefined) host.clock.cancel(this.#writableNotice);
    this.#writableNotice = host.clock.schedule(delayMs, () => {
      this.#writableNotice = undefined;
      if (!this.#closed) this.#onWritable?.call(this, this.#free());
    });
  }

  flush(): void {
    this.#received = [];
  }

  close(): void {
    host.touch();
    if (this.#closed) return;
    this.#closed = true;
    if (this.#writableNotice !== undefined) host.clock.cancel(this.#writableNotice);
    this.#uart.inUse = false;
    this.#uart.line.onReadable = undefined;
  }
}
