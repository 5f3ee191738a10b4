/**
 * BC28/BC95-class modem: power-up, attach, reboot recovery, signal and PSM.
 * Transports (UDP, CoAP platform, MQTT) are separate modules that borrow this
 * modem's AT engine and ask `ensureReady()` before every request.
 *
 * States: idle → starting → attaching → ready; a REBOOT_* URC or a lost
 * registration (+CEREG stat other than 1/5) moves ready → idle, and the next
 * ensureReady() runs the whole sequence again. `generation` counts sessions:
 * socket ids and MQTT links belong to the generation that opened them.
 */
import type { ByteStream } from '../ports/byte-stream.js';
import { sleep, type Clock } from '../ports/clock.js';
import { AtEngine, type AtCommandOptions, type AtEngineOptions, type AtResponse } from './at-engine.js';
import { afterPrefix, splitArgs } from './at-args.js';
import { NbIotError } from './errors.js';
import { cpsmsCommand } from './psm.js';
import { parseCsq, parseNuestats, type SignalQuality, type UeStats } from './signal.js';

export type ModemState = 'idle' | 'starting' | 'attaching' | 'ready' | 'closed';

export interface PsmSettings {
  /** Periodic TAU (T3412): how often the module checks in while sleeping, e.g. 24 h. */
  periodicTauSeconds: number;
  /** Active time (T3324): how long it stays reachable after sending, e.g. 20 s. */
  activeTimeSeconds: number;
}

export interface NbIotModemOptions {
  stream: ByteStream;
  clock: Clock;
  /**
   * 'manual' sends AT+CGATT=1; 'auto' relies on the module's AUTOCONNECT
   * (BC95 default) and only polls. Default 'manual': harmless when autoconnect is on.
   */
  attach?: 'manual' | 'auto';
  /** Time start() may take in total, retries included. Field registration takes 20–120 s. Default 120 000. */
  attachDeadlineMs?: number;
  /** Interval between AT+CGATT? polls. Default 2000. */
  attachPollMs?: number;
  /** Most power-up attempts within the deadline. Default 5. */
  maxAttempts?: number;
  /** First pause between attempts; doubles up to maxBackoffMs. Default 2000. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** AT+CFUN=1 powers the RF front end; it takes seconds on BC95. Default 15 000. */
  radioTimeoutMs?: number;
  /** Applied during start() when given. */
  psm?: PsmSettings;
  /** Passed to the AT engine (timeouts, buffer bounds, port name). */
  engine?: Omit<AtEngineOptions, 'stream' | 'clock'>;
}

/** Registration states from 3GPP TS 27.007 +CEREG <stat>. */
const REGISTRATION: Readonly<Record<number, string>> = {
  0: 'not registered, not searching',
  1: 'registered (home network)',
  2: 'not registered, searching',
  3: 'registration denied',
  4: 'unknown (out of coverage?)',
  5: 'registered (roaming)',
};

export class NbIotModem {
  readonly engine: AtEngine;
  readonly #clock: Clock;
  readonly #options: Required<Omit<NbIotModemOptions, 'stream' | 'clock' | 'psm' | 'engine'>> & { psm: PsmSettings | undefined };
  #state: ModemState = 'idle';
  #generation = 0;
  #starting: Promise<void> | undefined;
  #rebootListeners: Array<(cause: string) => void> = [];
  /** Times the module rebooted on its own (REBOOT_* URCs). */
  reboots = 0;
  onStateChange: ((state: ModemState) => void) | undefined;

  constructor(options: NbIotModemOptions) {
    this.#clock = options.clock;
    this.engine = new AtEngine({ ...options.engine, stream: options.stream, clock: options.clock });
    this.#options = {
      attach: options.attach ?? 'manual',
      attachDeadlineMs: options.attachDeadlineMs ?? 120_000,
      attachPollMs: options.attachPollMs ?? 2000,
      maxAttempts: options.maxAttempts ?? 5,
      backoffMs: options.backoffMs ?? 2000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      radioTimeoutMs: options.radioTimeoutMs ?? 15_000,
      psm: options.psm,
    };
    this.engine.onUrc('REBOOT', (urc) => {
      this.reboots++;
      this.#lose();
      for (const listener of [...this.#rebootListeners]) listener(urc.args[0] ?? urc.line);
    });
    this.engine.onUrc('+CEREG', (urc) => {
      // The URC is "+CEREG:<stat>[,...]" (n=1/2); a stat that is not registered means our sockets are dead air.
      const stat = Number(urc.args[0]);
      if (this.#state === 'ready' && stat !== 1 && stat !== 5) this.#lose();
    });
  }

  get state(): ModemState {
    return this.#state;
  }

  /** Increments on every successful (re)start; transports reopen sockets from older generations. */
  get generation(): number {
    return this.#generation;
  }

  get clock(): Clock {
    return this.#clock;
  }

  /** Called with the REBOOT_CAUSE_* text whenever the module resets itself. Returns the unsubscribe function. */
  onReboot(listener: (cause: string) => void): () => void {
    this.#rebootListeners.push(listener);
    return () => {
      this.#rebootListeners = this.#rebootListeners.filter((l) => l !== listener);
    };
  }

  command(command: string, options?: AtCommandOptions): Promise<AtResponse> {
    return this.engine.command(command, options);
  }

  /** Resolve once attached, starting (or restarting) the module when needed. Concurrent callers share one start. */
  ensureReady(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    return this.start();
  }

  /** Power up and attach. Rejects with NBIOT_NOT_ATTACHED after attachDeadlineMs, or the last power-up error. */
  start(): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(new NbIotError('NBIOT_CLOSED', 'the modem driver was closed'));
    this.#starting ??= this.#startWithRetries().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Forget the session (e.g. after repeated command timeouts): the next ensureReady() starts over. */
  reinitialise(): void {
    if (this.#state === 'ready') this.#lose();
  }

  async signal(): Promise<SignalQuality> {
    return parseCsq((await this.command('AT+CSQ')).lines);
  }

  async ueStats(): Promise<UeStats> {
    return parseNuestats((await this.command('AT+NUESTATS', { prefix: '+NUESTATS' })).lines);
  }

  async setPsm(settings: PsmSettings | undefined): Promise<void> {
    await this.command(cpsmsCommand(settings === undefined ? { enabled: false } : { enabled: true, ...settings }));
  }

  close(): void {
    this.#setState('closed');
    this.engine.close();
  }

  #lose(): void {
    if (this.#state === 'closed') return;
    this.#setState('idle');
  }

  #setState(state: ModemState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.onStateChange?.(state);
  }

  async #startWithRetries(): Promise<void> {
    const deadline = this.#clock.now() + this.#options.attachDeadlineMs;
    let backoff = this.#options.backoffMs;
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#options.maxAttempts; attempt++) {
      try {
        await this.#startOnce(deadline);
        this.#generation++;
        this.#setState('ready');
        return;
      } catch (error) {
        lastError = error;
        if (this.#state === 'closed') throw error;
        this.#setState('idle');
        const code = (error as { code?: string }).code;
        // These will not get better by trying again right away.
        if (code === 'NBIOT_NOT_ATTACHED' || code === 'NBIOT_LINK' || code === 'NBIOT_CLOSED') throw error;
        if (this.#clock.now() + backoff >= deadline) break;
        await sleep(this.#clock, backoff);
        backoff = Math.min(backoff * 2, this.#options.maxBackoffMs);
      }
    }
    throw lastError;
  }

  async #startOnce(deadline: number): Promise<void> {
    this.#setState('starting');
    await this.#sync();
    // Echo off saves UART time; the engine copes with echo either way.
    await this.command('ATE0');
    // Numeric +CME ERROR codes instead of a bare ERROR.
    await this.command('AT+CMEE=1');
    await this.command('AT+CFUN=1', { timeoutMs: this.#options.radioTimeoutMs });
    // Registration URCs tell us when coverage is lost between sends.
    await this.command('AT+CEREG=1');
    if (this.#options.psm !== undefined) await this.setPsm(this.#options.psm);
    this.#setState('attaching');
    if (this.#options.attach === 'manual') await this.command('AT+CGATT=1', { timeoutMs: this.#options.radioTimeoutMs });
    await this.#waitAttached(deadline);
  }

  /** A module that just booted ignores the first characters; a few bare ATs bring it round. */
  async #sync(): Promise<void> {
    let lastError: unknown;
    for (let i = 0; i < 5; i++) {
      try {
        await this.command('AT', { timeoutMs: 1000 });
        return;
      } catch (error) {
        lastError = error;
        const code = (error as { code?: string }).code;
        if (code === 'NBIOT_LINK' || code === 'NBIOT_CLOSED') throw error;
      }
    }
    throw new NbIotError('NBIOT_NOT_RESPONDING', 'the module does not answer AT', {
      fix: 'check power (3.1–4.2 V, 0.5 A peaks), the RESET/PWRKEY lines, TX/RX crossing and the baud rate (BC95 defaults to 9600)',
      cause: lastError,
    });
  }

  async #waitAttached(deadline: number): Promise<void> {
    for (;;) {
      const reply = await this.command('AT+CGATT?');
      if (reply.lines.some((line) => line.replace(/\s/g, '') === '1')) return;
      if (this.#clock.now() + this.#options.attachPollMs > deadline) break;
      await sleep(this.#clock, this.#options.attachPollMs);
    }
    throw new NbIotError('NBIOT_NOT_ATTACHED', `not attached to the network within ${this.#options.attachDeadlineMs} ms (${await this.#registrationText()})`, {
      command: 'AT+CGATT?',
      fix: 'check the antenna and coverage (AT+CSQ 99 means no signal), that the SIM is NB-IoT provisioned, and the band (AT+NBAND); raise attachDeadlineMs for deep-indoor sites',
    });
  }

  async #registrationText(): Promise<string> {
    try {
      const reply = await this.command('AT+CEREG?');
      const fields = splitArgs(afterPrefix(reply.lines[0] ?? '', '+CEREG') ?? reply.lines[0] ?? '');
      const stat = Number(fields[1] ?? fields[0]);
      return `registration status ${stat}: ${REGISTRATION[stat] ?? 'unknown'}`;
    } catch {
      return 'registration status unavailable';
    }
  }
}
