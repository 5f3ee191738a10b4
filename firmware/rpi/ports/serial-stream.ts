/**
 * The ByteStream port on a real UART (USB–RS-485 adapter, Pi UART) via the
 * serialport package's native bindings. Thin on purpose: framing, timing and
 * retries are the core's business; this only moves bytes and reports link
 * failures in words a field engineer can act on.
 *
 * The bindings open the device (lock, termios: speed, parity, raw mode) and
 * watch its descriptor with a uv_poll; bytes are then read and written here,
 * non-blocking, on the event loop. serialport's own stream would pass every
 * read and write through libuv's thread pool (a read that finds nothing, a
 * poll, a read again) and a 64 KiB buffer per read: over half of the
 * gateway's CPU per poll at 200 polls/s (issue 11, `npm run bench -- rpi`).
 */
import { readSync, writeSync } from 'node:fs';
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

/** What this stream needs of an open port of the bindings (Linux and macOS have it). */
interface PolledPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: {
    once(event: 'readable' | 'writable', callback: (error: Error | null) => void): unknown;
  };
  close(): Promise<void>;
}

/** Bytes one read takes at most: far more than any reply (a Modbus RTU frame is at most 256). */
const READ_CHUNK_BYTES = 4096;

export class SerialStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line: SerialLineSettings;
  readonly path: string;
  readonly #port: PolledPort;
  readonly #chunk = new Uint8Array(READ_CHUNK_BYTES);
  /** Bytes the driver could not take yet (its buffer was full), sent when it is writable. */
  #unsent: Uint8Array | undefined;
  #closing = false;
  #failed = false;
  #closed: Promise<void> | undefined;

  constructor(port: PolledPort, path: string, line: SerialLineSettings) {
    this.#port = port;
    this.path = path;
    this.line = line;
    this.#awaitReadable();
  }

  get isOpen(): boolean {
    return !this.#closing && this.#port.isOpen;
  }

  write(bytes: Uint8Array): void {
    if (!this.isOpen) {
      throw new SerialLinkError('SERIAL_CLOSED', `write to ${this.path} after the port closed`, this.path, 'reopen the port before writing');
    }
    if (this.#unsent !== undefined) {
      this.#unsent = concat(this.#unsent, bytes); // keep the order: the earlier bytes go first
      return;
    }
    this.#writeOut(bytes);
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#closed = this.#port.isOpen ? this.#port.close().catch(() => undefined) : Promise.resolve();
  }

  /** Resolves once the OS has released the port (after close(), or after the link failed and was closed). */
  whenClosed(): Promise<void> {
    return this.#closed ?? Promise.resolve();
  }

  #awaitReadable(): void {
    this.#port.poller.once('readable', (error) => {
      if (this.#closing) return;
      // The poller fails only when the descriptor went bad under it: the device node is gone.
      if (error !== null) this.#linkFailed(error, true);
      else this.#readAvailable();
    });
  }

  /** Take what the driver holds, in as many reads as it takes, then wait for more. */
  #readAvailable(): void {
    for (;;) {
      let count: number;
      try {
        count = readSync(this.#port.fd as number, this.#chunk, 0, READ_CHUNK_BYTES, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') break;
        this.#linkFailed(error as NodeJS.ErrnoException);
        return;
      }
      if (count === 0) break;
      // A copy: the core keeps the bytes it is given, and the chunk is reused.
      this.onReadable?.(this.#chunk.slice(0, count));
      if (this.#closing) return;
      if (count < READ_CHUNK_BYTES) break;
    }
    this.#awaitReadable();
  }

  #writeOut(bytes: Uint8Array): void {
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.#port.fd as number, bytes, done, bytes.length - done);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') {
        this.#linkFailed(error as NodeJS.ErrnoException);
        return;
      }
      this.#unsent = bytes.subarray(done);
      this.#port.poller.once('writable', (pollError) => {
        if (this.#closing) return;
        if (pollError !== null) {
          this.#linkFailed(pollError, true);
          return;
        }
        const rest = this.#unsent;
        this.#unsent = undefined;
        if (rest !== undefined) this.#writeOut(rest);
      });
    }
  }

  /** The device failed: report it once and release the port (its lock) so a replugged adapter can be opened again. */
  #linkFailed(error: NodeJS.ErrnoException, gone = false): void {
    if (this.#failed) return; // onError is called once per link
    this.#failed = true;
    this.close();
    // EIO/ENXIO/EBADF mean the device node is gone: an unplugged USB adapter (or, on a pty, the other end closed).
    if (gone || (error.code !== undefined && LINK_GONE.has(error.code))) this.onError?.(unplugged(this.path, error));
    else this.onError?.(new SerialLinkError('SERIAL_IO', `serial port ${this.path} failed: ${error.message}`, this.path, 'check the adapter and its cable; replug it if it keeps failing', error));
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
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
  let port: Partial<PolledPort>;
  try {
    port = (await SerialPort.binding.open({ path: options.path, baudRate: line.baud, parity: line.parity, stopBits: line.stopBits, dataBits: line.dataBits })) as unknown as Partial<PolledPort>;
  } catch (error) {
    throw describeOpenError(options.path, error as Error);
  }
  if (typeof port.fd !== 'number' || port.poller === undefined || port.close === undefined) {
    await port.close?.();
    throw new SerialLinkError('SERIAL_PLATFORM', `serial port ${options.path}: this platform's serial bindings give no pollable descriptor`, options.path, 'run the gateway on Linux (a Raspberry Pi) or macOS');
  }
  return new SerialStream(port as PolledPort, options.path, line);
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
