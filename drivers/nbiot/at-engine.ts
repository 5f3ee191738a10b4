/**
 * The AT command engine: one command on the wire at a time, each with its own
 * timeout, replies told apart from URCs and echo. Everything above it (attach,
 * sockets, MQTT) is a sequence of `command()` calls and URC subscriptions.
 *
 * Classification of a line while a command is pending, in order:
 *   echo ("AT...")  → skipped (modules boot with echo on; ATE0 may not have run yet)
 *   final result    → OK / ERROR / +CME ERROR: n / +CMS ERROR: n settle the command
 *   "<prefix>:..."  → the command's own reply (wins over the URC table, so
 *                     AT+CEREG? gets its +CEREG line)
 *   known URC       → routed to the URC handlers
 *   anything else   → an intermediate line (bare replies such as the socket id
 *                     from AT+NSOCR, or AT+NSORF without its "+NSORF:" prefix)
 * With no command pending, URCs are routed and everything else is counted as a
 * stray line and dropped.
 *
 * What a line means is the module family's: the final result codes, the URC
 * table, how a reply names its command. An `AtDialect` says it; BC95-class
 * NB-IoT modems are the default (BC95_DIALECT), RAK's RUI3 LoRaWAN modules
 * bring their own (drivers/rui3/dialect.ts). The engine itself (one command at
 * a time, timeouts, recovery quiet time, bounded buffers) is shared.
 */
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { asciiBytes } from '../bytes.js';
import { afterPrefix } from './at-args.js';
import { NbIotCmeError, NbIotError, type NbIotErrorCode } from './errors.js';
import { LineFramer } from './line-framer.js';
import { parseUrc, UrcRouter, type Urc } from './urc.js';

/** Failures the engine itself detects, whatever the module family. */
export type AtEngineFailure = 'TIMEOUT' | 'LINK' | 'CLOSED' | 'BAD_ARGUMENT' | 'REBOOTED';

/** What a module family's lines mean; see the header. */
export interface AtDialect {
  /** The module repeating the command back (echo on); skipped. */
  isEcho(line: string, command: string): boolean;
  /** 'OK', an Error for a failure code, or undefined when `line` does not end the command. */
  finalResult(line: string, command: string): 'OK' | Error | undefined;
  /** The prefix a command's own reply lines carry, or null. */
  derivePrefix(command: string): string | null;
  /** The reply's value when `line` carries `prefix`, else undefined. */
  replyBody(line: string, prefix: string): string | undefined;
  /** An unsolicited line, or undefined. A URC named 'REBOOT' means the module restarted. */
  parseUrc(line: string): Urc | undefined;
  /** A banner line that is never a reply (printed at boot). */
  isBanner(line: string): boolean;
  /** The error for a failure the engine detected, in the family's own error type. */
  failure(code: AtEngineFailure, message: string, details: { command?: string; where?: string; fix?: string; cause?: unknown }): Error;
  /** Fix text for a command that got no answer. */
  timeoutFix: string;
}

/** Quectel BC28/BC95-class NB-IoT modems (3GPP result codes, +CME ERROR, REBOOT_* banners). */
export const BC95_DIALECT: AtDialect = {
  isEcho: (line) => /^AT/i.test(line),
  finalResult,
  derivePrefix,
  replyBody: afterPrefix,
  parseUrc,
  isBanner: (line) => line.startsWith('Neul'),
  failure: (code, message, details) => new NbIotError(`NBIOT_${code}` as NbIotErrorCode, message, details),
  timeoutFix: 'check that the modem is powered and the baud rate matches (default 9600 8N1); a module that stays silent may need a power cycle',
};

export interface AtCommandOptions {
  /** Default: the engine's timeoutMs. */
  timeoutMs?: number;
  /**
   * Prefix of the command's own reply lines, e.g. "+CGATT". Default: derived
   * from the command ("AT+CSQ" → "+CSQ"); null when the reply has no prefix or
   * arrives later as a URC (AT+QMTOPEN=...).
   */
  prefix?: string | null;
}

export interface AtResponse {
  command: string;
  /** Intermediate lines, with the reply prefix removed where present. */
  lines: string[];
}

export interface AtEngineStats {
  commands: number;
  timeouts: number;
  echoes: number;
  urcs: number;
  /** Lines that arrived with no command pending and were not URCs (late replies, banners). */
  strays: number;
  /** Intermediate lines dropped beyond maxLines. */
  droppedLines: number;
  /** REBOOT_* URCs: the module restarted (frequent ones point at its power supply). */
  reboots: number;
}

export interface AtEngineOptions {
  stream: ByteStream;
  clock: Clock;
  /** Default per-command timeout. Default 3000 ms (BC95 answers most commands in well under 1 s). */
  timeoutMs?: number;
  /** Longest line kept by the framer. */
  maxLineLength?: number;
  /** Most intermediate lines one command may collect (AT+NUESTATS=ALL sends about 20). Default 64. */
  maxLines?: number;
  /**
   * Quiet time after a timeout before the next command goes out, so a late OK
   * is dropped as a stray instead of answering the next command. Default 300 ms.
   */
  recoveryMs?: number;
  /** Quiet time after a REBOOT_* URC while the module prints its banner. Default 1000 ms. */
  rebootQuietMs?: number;
  /** Port name for error messages. */
  where?: string;
  /** The module family's line meanings. Default BC95_DIALECT. */
  dialect?: AtDialect;
}

interface Job {
  command: string;
  timeoutMs: number;
  prefix: string | null;
  resolve: (response: AtResponse) => void;
  reject: (error: Error) => void;
}

interface Pending extends Job {
  lines: string[];
  timer: TimerHandle;
}

export class AtEngine {
  readonly urcs = new UrcRouter();
  readonly framer: LineFramer;
  readonly stats: AtEngineStats = { commands: 0, timeouts: 0, echoes: 0, urcs: 0, strays: 0, droppedLines: 0, reboots: 0 };
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxLines: number;
  readonly #recoveryMs: number;
  readonly #rebootQuietMs: number;
  readonly #where: string | undefined;
  readonly #dialect: AtDialect;
  readonly #queue: Job[] = [];
  #pending: Pending | undefined;
  #holdUntil = -Infinity;
  #holdTimer: TimerHandle | undefined;
  #dead: Error | undefined;

  constructor(options: AtEngineOptions) {
    this.#stream = options.stream;
    this.#clock = options.clock;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    this.#maxLines = options.maxLines ?? 64;
    this.#recoveryMs = options.recoveryMs ?? 300;
    this.#rebootQuietMs = options.rebootQuietMs ?? 1000;
    this.#where = options.where;
    this.#dialect = options.dialect ?? BC95_DIALECT;
    this.framer = new LineFramer({ maxLineLength: options.maxLineLength });
    this.framer.onLine = (line) => this.#onLine(line);
    this.#stream.onReadable = (bytes) => this.framer.push(bytes);
    this.#stream.onError = (error) => {
      this.#die(this.#dialect.failure('LINK', `the serial link to the module failed: ${error.message}`, {
        where: this.#where,
        fix: 'check the UART cable and the host adapter; restart the driver once the port is back',
        cause: error,
      }));
    };
  }

  /** True while a command is on the wire. */
  get busy(): boolean {
    return this.#pending !== undefined;
  }

  /** Send one command (without the trailing CR) and wait for its final result code. */
  command(command: string, options: AtCommandOptions = {}): Promise<AtResponse> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    if (/[\r\n]/.test(command)) {
      return Promise.reject(this.#dialect.failure('BAD_ARGUMENT', 'an AT command may not contain CR or LF', { command: JSON.stringify(command) }));
    }
    return new Promise<AtResponse>((resolve, reject) => {
      this.#queue.push({
        command,
        timeoutMs: options.timeoutMs ?? this.#timeoutMs,
        prefix: options.prefix === undefined ? this.#dialect.derivePrefix(command) : options.prefix,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  /** Subscribe to a URC by name ("+NSONMI", "REBOOT", ...). */
  onUrc(name: string, handler: (urc: Urc) => void): () => void {
    return this.urcs.on(name, handler);
  }

  /** Fail everything queued and stop listening; the stream stays open (its owner closes it). */
  close(): void {
    this.#die(this.#dialect.failure('CLOSED', 'the module driver was closed', { where: this.#where }));
    this.#stream.onReadable = undefined;
  }

  #pump(): void {
    if (this.#pending !== undefined || this.#queue.length === 0 || this.#dead !== undefined) return;
    const wait = this.#holdUntil - this.#clock.now();
    if (wait > 0) {
      this.#holdTimer ??= this.#clock.schedule(wait, () => {
        this.#holdTimer = undefined;
        this.#pump();
      });
      return;
    }
    const job = this.#queue.shift() as Job;
    const pending: Pending = {
      ...job,
      lines: [],
      timer: this.#clock.schedule(job.timeoutMs, () => this.#timeout(pending)),
    };
    this.#pending = pending;
    this.stats.commands++;
    try {
      this.#stream.write(asciiBytes(job.command + '\r'));
    } catch (error) {
      this.#settle(pending, this.#dialect.failure('LINK', `could not write to the module: ${(error as Error).message}`, {
        command: job.command,
        fix: 'check the UART cable and the host adapter',
        cause: error,
      }));
    }
  }

  #timeout(pending: Pending): void {
    if (this.#pending !== pending) return;
    this.stats.timeouts++;
    this.#hold(this.#recoveryMs);
    this.#settle(pending, this.#dialect.failure('TIMEOUT', `no final result within ${pending.timeoutMs} ms`, {
      command: pending.command,
      fix: this.#dialect.timeoutFix,
    }));
  }

  #settle(pending: Pending, outcome: AtResponse | Error): void {
    if (this.#pending !== pending) return;
    this.#pending = undefined;
    this.#clock.cancel(pending.timer);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
    this.#pump();
  }

  #hold(ms: number): void {
    this.#holdUntil = Math.max(this.#holdUntil, this.#clock.now() + ms);
  }

  #die(error: Error): void {
    if (this.#dead !== undefined) return;
    this.#dead = error;
    if (this.#holdTimer !== undefined) this.#clock.cancel(this.#holdTimer);
    const pending = this.#pending;
    if (pending !== undefined) {
      this.#pending = undefined;
      this.#clock.cancel(pending.timer);
      pending.reject(error);
    }
    for (const job of this.#queue.splice(0)) job.reject(error);
  }

  #onLine(line: string): void {
    const pending = this.#pending;
    if (pending !== undefined) {
      if (this.#dialect.isEcho(line, pending.command)) {
        this.stats.echoes++;
        return;
      }
      const final = this.#dialect.finalResult(line, pending.command);
      if (final !== undefined) {
        this.#settle(pending, final === 'OK' ? { command: pending.command, lines: pending.lines } : final);
        return;
      }
      if (pending.prefix !== null) {
        const body = this.#dialect.replyBody(line, pending.prefix);
        if (body !== undefined) {
          this.#collect(pending, body);
          return;
        }
      }
    }
    const urc = this.#dialect.parseUrc(line);
    if (urc !== undefined) {
      this.#routeUrc(urc);
      return;
    }
    if (pending !== undefined && !this.#dialect.isBanner(line)) this.#collect(pending, line);
    else this.stats.strays++;
  }

  #collect(pending: Pending, line: string): void {
    if (pending.lines.length < this.#maxLines) pending.lines.push(line);
    else this.stats.droppedLines++;
  }

  #routeUrc(urc: Urc): void {
    this.stats.urcs++;
    if (urc.name === 'REBOOT') {
      this.stats.reboots++;
      // The module lost every setting and socket; whatever was asked will not be answered.
      // Hold the queue while it prints its banner ("Neul", "OK") so that OK answers nothing.
      this.#hold(this.#rebootQuietMs);
      this.framer.reset();
      const pending = this.#pending;
      if (pending !== undefined) {
        this.#settle(pending, this.#dialect.failure('REBOOTED', `the module rebooted (${urc.line}) while the command was pending`, {
          command: pending.command,
          fix: 'the driver re-initialises on the next request; frequent reboots point at the power supply (NB-IoT bursts draw up to 0.5 A)',
        }));
      }
    }
    this.urcs.dispatch(urc);
  }
}

/** "AT+NSOCR=DGRAM,17,0,1" → "+NSOCR"; plain "AT"/"ATE0" → null. */
export function derivePrefix(command: string): string | null {
  const match = /^AT(\+[A-Z0-9]+)/i.exec(command);
  return match === null ? null : match[1].toUpperCase();
}

function finalResult(line: string, command: string): 'OK' | NbIotError | undefined {
  if (line === 'OK') return 'OK';
  if (line === 'ERROR') {
    return new NbIotError('NBIOT_ERROR', 'the module answered ERROR', {
      command,
      fix: 'check the command syntax for this firmware; some commands need the radio on (AT+CFUN=1) or an attach first',
    });
  }
  const cme = afterPrefix(line, '+CME ERROR');
  if (cme !== undefined) {
    // A garbled code still ends the command; -1 marks "unreadable".
    return new NbIotCmeError(command, /^\d{1,5}$/.test(cme) ? Number(cme) : -1);
  }
  const cms = afterPrefix(line, '+CMS ERROR');
  if (cms !== undefined) {
    return new NbIotError('NBIOT_CMS_ERROR', `the module answered +CMS ERROR: ${cms}`, { command, fix: 'see the module manual for message service error codes' });
  }
  return undefined;
}
