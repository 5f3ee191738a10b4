/**
 * The ByteStream port on a real UART (USB–RS-485 adapter, Pi UART) via the
 * serialport package. Thin on purpose: framing, timing and retries are the
 * core's business; this only moves bytes and reports link failures in words a
 * field engineer can act on.
 */
import { SerialPort } from 'serialport';
import type { ByteStream, Parity, SerialLineSettings } from '../../../drivers/ports/byte-stream.js';
import { AxonError } from '../../../drivers/errors.js';

export interface SerialStreamOptions {
  /** Device path; prefer the stable /dev/serial/by-id/... names over /dev/ttyUSB0. */
  path: string;
  baud: number;
  /** Default 'none'. */
  parity?: Parity;
  /** Default 1. */
  stopBits?: 1 | 2;
  /** Default 8. */
  dataBits?: 7 | 8;
}

export class SerialLinkError extends AxonError {
  readonly path: string;
  constructor(code: string, message: string, path: string, fix: string, cause?: unknown) {
    super(code, message, { where: path, fix, cause });
    this.path = path;
  }
}

export class SerialStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  readonly path: string;
  readonly #port: SerialPort;
  #closing = false;
  #failed = false;
  readonly #closed: Promise<void>;

  constructor(port: SerialPort, path: string, line: SerialLineSettings) {
    this.#port = port;
    this.path = path;
    this.line = line;
    // Copy into a plain Uint8Array: serialport hands out Buffers, the core wants bytes it may keep.
    port.on('data', (chunk: Buffer) => this.onReadable?.(new Uint8Array(chunk)));
    port.on('error', (error: Error & { code?: string; disconnected?: boolean }) => {
      // EIO/ENXIO/EBADF mean the device node is gone: an unplugged USB adapter (or,
      // on a pty, the other end closed; Linux reports that at the next write).
      if (error.disconnected === true || (error.code !== undefined && LINK_GONE.has(error.code))) this.#fail(unplugged(path, error));
      else this.#fail(new SerialLinkError('SERIAL_IO', `serial port ${path} failed: ${error.message}`, path, 'check the adapter and its cable; replug it if it keeps failing', error));
    });
    this.#closed = new Promise((resolve) => {
      port.on('close', () => {
        if (!this.#closing) this.#fail(unplugged(path));
        resolve();
      });
    });
  }

  get isOpen(): boolean {
    return this.#port.isOpen;
  }

  write(bytes: Uint8Array): void {
    if (this.#closing || !this.#port.isOpen) {
      throw new SerialLinkError('SERIAL_CLOSED', `write to ${this.path} after the port closed`, this.path, 'reopen the port before writing');
    }
    this.#port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#port.isOpen) this.#port.close();
  }

  /** Resolves once the OS has released the port (after close(), or after an unexpected close). */
  whenClosed(): Promise<void> {
    return this.#port.isOpen || this.#closing ? this.#closed : Promise.resolve();
  }

  #fail(error: Error): void {
    if (this.#failed) return; // onError is called once per link
    this.#failed = true;
    this.onError?.(error);
  }
}

const LINK_GONE = new Set(['EIO', 'ENXIO', 'EBADF', 'ENODEV']);

function unplugged(path: string, cause?: unknown): SerialLinkError {
  return new SerialLinkError('SERIAL_CLOSED', `serial port ${path} closed unexpectedly (adapter unplugged?)`, path,
    'check the USB cable and adapter, then list ports with `ls /dev/serial/by-id` to see whether it came back', cause);
}

export async function openSerialStream(options: SerialStreamOptions): Promise<SerialStream> {
  const line: SerialLineSettings = {
    baud: options.baud,
    parity: options.parity ?? 'none',
    stopBits: options.stopBits ?? 1,
    dataBits: options.dataBits ?? 8,
  };
  const port = new SerialPort({
    path: options.path,
    baudRate: line.baud,
    parity: line.parity,
    stopBits: line.stopBits,
    dataBits: line.dataBits,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => (error ? reject(describeOpenError(options.path, error)) : resolve()));
  });
  return new SerialStream(port, options.path, line);
}

/** Turn the OS's terse open failures into what to do about them. */
function describeOpenError(path: string, error: Error): SerialLinkError {
  const text = error.message;
  if (/no such file|ENOENT/i.test(text)) {
    return new SerialLinkError('SERIAL_NOT_FOUND', `serial port ${path} does not exist`, path,
      'check the path and that the adapter is plugged in; list ports with `ls /dev/serial/by-id` (USB adapters) or `ls /dev/ttyUSB* /dev/ttyAMA*`', error);
  }
  if (/permission denied|EACCES/i.test(text)) {
    return new SerialLinkError('SERIAL_PERMISSION', `no permission to open serial port ${path}`, path,
      'add the gateway user to the dialout group (`sudo usermod -aG dialout $USER`, then log in again)', error);
  }
  if (/lock|busy|temporarily unavailable|EBUSY|EAGAIN/i.test(text)) {
    return new SerialLinkError('SERIAL_BUSY', `serial port ${path} is in use by another program`, path,
      'only one poller may own a bus: find the other process with `fuser ' + path + '` and stop it', error);
  }
  return new SerialLinkError('SERIAL_OPEN', `cannot open serial port ${path}: ${text}`, path, 'check the adapter, the path and the line settings', error);
}
