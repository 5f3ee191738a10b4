/**
 * Firmata I/O boards (an Arduino or a Pico running StandardFirmata, driving a
 * relay board) over USB serial, through johnny-five. johnny-five's own
 * serialport (v8) ships no built native binding, so the line is opened with
 * the project's serialport 13 (serial-stream.ts) and handed to firmata-io as
 * a transport instance; the Firmata instance is johnny-five's `io`.
 *
 * A relay output is at its inactive level from the first instant: its level
 * is written while the pin is still an input (StandardFirmata keeps it in the
 * pin's latch, as the pull-up for a high level) and only then is the pin made
 * an output, so it starts driving at that level. An active-low relay board
 * (most opto-isolated ones) therefore never sees a low at start-up. Boards
 * whose firmware resets the level on a mode change (check yours) need an
 * active-high board or a pull resistor.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { DigitalOutput } from '../../../drivers/ports/digital.js';
import { AxonError } from '../../../drivers/errors.js';
import { openSerialStream, type SerialStream } from './serial-stream.js';

const require = createRequire(import.meta.url);

/** The part of firmata-io's Firmata class used here. */
export interface FirmataIo extends EventEmitter {
  readonly MODES: { INPUT: number; OUTPUT: number; PULLUP: number };
  readonly HIGH: 1;
  readonly LOW: 0;
  readonly isReady: boolean;
  readonly firmware: { name?: string; version?: { major: number; minor: number } };
  readonly pins: Array<{ supportedModes: number[]; mode?: number; value?: number }>;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: 0 | 1): void;
}

/** The part of johnny-five's Relay used here. */
interface Relay {
  close(): void;
  open(): void;
  readonly isClosed: boolean;
}

interface JohnnyFive {
  /** `timeout`: ms from connect to ready before johnny-five gives up. */
  Board: new (options: { io: FirmataIo; repl: boolean; debug: boolean; timeout?: number }) => EventEmitter & { io: FirmataIo; isReady: boolean };
  Relay: new (options: { pin: number; type: 'NO' | 'NC'; board: unknown }) => Relay;
}

/** firmata-io's transport: an emitter of data/open/close/error with write(buffer, callback). */
class SerialTransport extends EventEmitter {
  constructor(readonly stream: SerialStream, onLost?: (error: Error) => void) {
    super();
    stream.onReadable = (bytes) => this.emit('data', Buffer.from(bytes));
    stream.onError = (error) => {
      onLost?.(error);
      this.emit('error', error);
    };
    void stream.whenClosed().then(() => this.emit('close'));
    // The port is open already; firmata-io turns 'open' into the 'connect' johnny-five waits for.
    process.nextTick(() => this.emit('open'));
  }

  write(data: Buffer | number[], callback?: (error?: Error) => void): boolean {
    try {
      this.stream.write(Uint8Array.from(data));
      callback?.();
    } catch (error) {
      callback?.(error as Error);
    }
    return true;
  }
}

export interface FirmataBoardOptions {
  /** The board's serial device, e.g. /dev/ttyACM0 or /dev/serial/by-id/usb-Arduino… */
  path: string;
  /** StandardFirmata's default 57600. */
  baud?: number;
  /** Wait for the Firmata handshake (version, firmware, capabilities), ms. Default 10 000 (an Uno reboots on open: ~2 s). */
  readyTimeoutMs?: number;
  /** The line failed (the board was unplugged): its relays cannot be switched any more. johnny-five itself only swallows it. */
  onLost?: (error: Error) => void;
}

export interface FirmataBoard {
  readonly io: FirmataIo;
  readonly path: string;
  /** A relay output on `pin`: at its inactive level from the start. */
  relay(pin: number, options?: { activeLow?: boolean; name?: string }): DigitalOutput;
  close(): Promise<void>;
}

/** Open the line, complete the Firmata handshake and johnny-five's board setup. */
export async function openFirmataBoard(options: FirmataBoardOptions): Promise<FirmataBoard> {
  const five = require('johnny-five') as JohnnyFive;
  const bindTransport = require('firmata-io') as { Firmata: new (transport: EventEmitter, options: { reportVersionTimeout: number }) => FirmataIo };
  const stream = await openSerialStream({ path: options.path, baud: options.baud ?? 57600 });
  const transport = new SerialTransport(stream, options.onLost);
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  try {
    const io = new bindTransport.Firmata(transport, { reportVersionTimeout: Math.min(timeoutMs, 5000) });
    const board = new five.Board({ io, repl: false, debug: false, timeout: timeoutMs });
    // johnny-five reports its own connect timeout as an 'error' event; after a failed start nobody else listens.
    board.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        clearTimeout((board as unknown as { timer?: NodeJS.Timeout }).timer);
        reject(new AxonError('FIRMATA_TIMEOUT', `no Firmata handshake within ${timeoutMs} ms`, {
        where: options.path,
        fix: 'flash StandardFirmata onto the board (Arduino IDE: File → Examples → Firmata → StandardFirmata) and check the baud rate (57600)',
      }));
      }, timeoutMs);
      board.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      board.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(new AxonError('FIRMATA_BOARD', `the board failed to start: ${error.message}`, { where: options.path, cause: error }));
      });
    });
    return {
      io,
      path: options.path,
      relay: (pin, relayOptions = {}) => new FirmataRelayOutput(io, board, five, pin, relayOptions.activeLow ?? false, `${options.path} pin ${pin}${relayOptions.name === undefined ? '' : ` (${relayOptions.name})`}`),
      async close() {
        stream.close();
        await stream.whenClosed();
      },
    };
  } catch (error) {
    stream.close();
    throw error;
  }
}

class FirmataRelayOutput implements DigitalOutput {
  readonly #relay: Relay;
  readonly #where: string;
  #closed = false;

  constructor(io: FirmataIo, board: unknown, five: JohnnyFive, pin: number, activeLow: boolean, where: string) {
    this.#where = where;
    if (io.pins[pin] === undefined || !io.pins[pin].supportedModes.includes(io.MODES.OUTPUT)) {
      throw new AxonError('FIRMATA_PIN', `pin ${pin} cannot be a digital output on this board`, { where, fix: 'pick a digital pin the board reports as OUTPUT-capable (2-13 on an Uno)' });
    }
    // The inactive level into the latch first, then the mode: the pin starts driving at that level.
    io.digitalWrite(pin, activeLow ? io.HIGH : io.LOW);
    io.pinMode(pin, io.MODES.OUTPUT);
    // johnny-five's "NC" relay closes the circuit by writing LOW: what an active-low board needs.
    this.#relay = new five.Relay({ pin, type: activeLow ? 'NC' : 'NO', board });
  }

  write(value: 0 | 1): void {
    if (this.#closed) throw new AxonError('GPIO_CLOSED', 'write after close', { where: this.#where });
    if (value === 1) this.#relay.close();
    else this.#relay.open();
  }

  /** Leaves the relay as it is: the board holds the level while it has power. */
  close(): void {
    this.#closed = true;
  }
}
