/**
 * Virtual time across a real serial line. A host and a simulated device on
 * the two ends of a socat pty share one VirtualClock, so a simulated day
 * takes seconds, while every byte between them still goes through the
 * kernel's pty and serialport's real bindings.
 *
 * The difficulty is that those bytes take real time to cross, and virtual
 * time must not run on meanwhile: a driver's 1 s answer timeout would fire
 * before the answer, and a device would see a command minutes (of virtual
 * time) after it was sent. So the clock advances only while the line is
 * idle: BytesInFlight counts what each watched end wrote and what came out
 * at the other, and LineIdleClock fires its next timer only once the two
 * agree (and the promise queue has settled, so any answer the arrival caused
 * has been written and counted). Crossing the line thus costs no virtual
 * time at all (the real line's 87 µs per character at 115 200 baud is
 * below what any timer here resolves).
 *
 * Watch both ends of each line, or the count never balances. Bytes that do
 * not arrive within `stallMs` of real time fail the clock with the count:
 * a lost byte is a defect to see, not to wait for.
 */
import type { ByteStream, SerialLineSettings } from '../drivers/ports/byte-stream.js';
import { VirtualClock } from '../drivers/ports/virtual-clock.js';

export class BytesInFlight {
  #inFlight = 0;
  #written = 0;
  #drained: Array<() => void> = [];

  /** Bytes written into a watched end that have not come out of the other yet. */
  get count(): number {
    return this.#inFlight;
  }

  /** Every byte written into the watched ends so far. */
  get written(): number {
    return this.#written;
  }

  /** `stream` with its writes and arrivals counted; give the view to the stream's owner in place of the stream. */
  watch<S extends ByteStream>(stream: S): ByteStream & { close(): void } {
    const ledger = this;
    const view: ByteStream & { close(): void } = {
      line: stream.line as SerialLineSettings | undefined,
      onReadable: undefined,
      onError: undefined,
      write(bytes) {
        stream.write(bytes); // counted once accepted: a write that throws never leaves
        ledger.#sent(bytes.length);
      },
      close: () => stream.close(),
    };
    stream.onReadable = (bytes) => {
      // The owner first: an answer it writes at once is counted before this arrival can balance the books.
      view.onReadable?.(bytes);
      ledger.#arrived(bytes.length);
    };
    stream.onError = (error) => view.onError?.(error);
    return view;
  }

  /** Resolves when nothing is in flight (at once if nothing is); rejects after `stallMs` of real time. */
  drained(stallMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#drained = this.#drained.filter((waiter) => waiter !== done);
        reject(new Error(`${this.#inFlight} bytes written into the serial line did not come out of the other end within ${stallMs} ms`));
      }, stallMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#drained.push(done);
    });
  }

  #sent(count: number): void {
    this.#inFlight += count;
    this.#written += count;
  }

  #arrived(count: number): void {
    this.#inFlight -= count;
    if (this.#inFlight > 0) return;
    for (const waiter of this.#drained.splice(0)) waiter();
  }
}

export interface LineIdleClockOptions {
  lines: BytesInFlight;
  unixEpochMs?: number;
  /** Real time bytes may take to cross before the clock gives up, ms (default 20 000: a loaded machine's pty is slow, never that slow). */
  stallMs?: number;
}

/** A VirtualClock whose time stands still while bytes are on the watched lines. */
export class LineIdleClock extends VirtualClock {
  readonly #lines: BytesInFlight;
  readonly #stallMs: number;

  constructor(options: LineIdleClockOptions) {
    super({ unixEpochMs: options.unixEpochMs });
    this.#lines = options.lines;
    this.#stallMs = options.stallMs ?? 20_000;
  }

  override async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      await this.#lineIdle();
      const next = this.nextDueMs;
      if (next === undefined || next > targetMs) break;
      await super.advanceTo(next);
    }
    await super.advanceTo(targetMs);
  }

  override async runUntilIdle(limitMs = 24 * 3600 * 1000): Promise<void> {
    const stop = this.now() + limitMs;
    for (;;) {
      await this.#lineIdle();
      const next = this.nextDueMs;
      if (next === undefined || next > stop) return;
      await super.advanceTo(next);
    }
  }

  override async run<T>(done: Promise<T>, limitMs = 24 * 3600 * 1000): Promise<T> {
    let finished = false;
    const result = done.finally(() => {
      finished = true;
    });
    const stop = this.now() + limitMs;
    for (;;) {
      await this.#lineIdle();
      if (finished) return result;
      const next = this.nextDueMs;
      if (next === undefined || next > stop) throw new Error(`LineIdleClock.run: nothing left to fire after ${this.now()} ms and the awaited work has not finished`);
      await super.advanceTo(next);
    }
  }

  /** Wait (in real time) until no byte is in flight and what the arrivals set off has run. */
  async #lineIdle(): Promise<void> {
    // advanceTo(now) fires nothing new in time: it settles the promise queue (and any timer due now).
    await super.advanceTo(this.now());
    while (this.#lines.count > 0) {
      await this.#lines.drained(this.#stallMs);
      await super.advanceTo(this.now());
    }
  }
}
