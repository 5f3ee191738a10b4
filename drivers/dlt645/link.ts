/**
 * One request, one reply, on a half-duplex meter bus: the transaction engine
 * under both the DL/T 645 and the CJ/T 188 clients. It serialises callers (one
 * poller at a time on a port), arms the response timeout on the Clock port,
 * feeds received bytes through the tolerant framer and lets the protocol
 * client judge each frame. Protocol clients supply their own error classes so
 * messages and codes stay protocol-specific.
 */
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { FrameAccumulator, type CorruptionReason, type FrameShape, type FramerEvent } from './framing.js';

export interface MeterLinkStats {
  requests: number;
  responses: number;
  retries: number;
  /** Failures by error code (DLT645_TIMEOUT, CJT188_CHECKSUM, …). */
  errors: Record<string, number>;
  /** Bytes discarded as preamble, noise or corrupt frames. */
  discardedBytes: number;
}

/** What a client decides about one received frame. */
export type FrameVerdict<T> =
  | { kind: 'accept'; value: T }
  /** Not ours (our own echo, another meter's traffic): keep waiting silently. */
  | { kind: 'ignore' }
  /** Wrong but telling (wrong address, wrong DI): keep waiting, report it if nothing better arrives. */
  | { kind: 'suspect'; error: Error }
  /** A definitive answer that is a failure (the meter's error reply): stop now. */
  | { kind: 'fail'; error: Error };

export interface LinkExchange<T> {
  /** Bytes to send, preamble included. */
  request: Uint8Array;
  timeoutMs: number;
  judge(frame: Uint8Array): FrameVerdict<T>;
  /** Error for a frame-shaped run that failed its checksum or end byte. */
  corrupt(bytes: Uint8Array, reason: CorruptionReason): Error;
  /** Error for silence until the timeout. */
  timeout(): Error;
  /** Error for a stream failure while waiting. */
  linkFailed(cause: Error): Error;
}

interface Pending {
  judge(event: FramerEvent): void;
  fail(error: Error): void;
}

export class MeterLink {
  readonly stats: MeterLinkStats = { requests: 0, responses: 0, retries: 0, errors: {}, discardedBytes: 0 };
  readonly #stream: ByteStream;
  readonly #clock: Clock;
  readonly #framer: FrameAccumulator;
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(stream: ByteStream, clock: Clock, shape: FrameShape) {
    this.#stream = stream;
    this.#clock = clock;
    this.#framer = new FrameAccumulator(shape);
    stream.onReadable = (bytes) => this.#receive(bytes);
    stream.onError = (error) => this.#pending?.fail(error);
  }

  get clock(): Clock {
    return this.#clock;
  }

  /** Run `work` after every earlier caller's work has finished, so requests never interleave. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Count an error by its code for diagnostics. */
  countError(error: Error & { code?: string }): void {
    const code = error.code ?? error.name;
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  /** One attempt: send, then wait for an accepted frame, a failure or the timeout. Callers serialize. */
  exchange<T>(exchange: LinkExchange<T>): Promise<T> {
    // Bytes from before this request (a late reply, line noise) cannot answer it.
    this.#framer.clear();
    this.#syncDiscarded();
    this.stats.requests++;
    return new Promise<T>((resolve, reject) => {
      let suspect: Error | undefined;
      let timer: TimerHandle | undefined;
      const finish = (outcome: () => void) => {
        if (this.#pending !== pending) return;
        this.#pending = undefined;
        if (timer !== undefined) this.#clock.cancel(timer);
        this.#syncDiscarded();
        outcome();
      };
      const consider = (event: FramerEvent) => {
        if (event.kind === 'corrupt') {
          suspect ??= exchange.corrupt(event.bytes, event.reason);
          return;
        }
        const verdict = exchange.judge(event.bytes);
        if (verdict.kind === 'accept') {
          this.stats.responses++;
          finish(() => resolve(verdict.value));
        } else if (verdict.kind === 'fail') {
          this.stats.responses++;
          finish(() => reject(verdict.error));
        } else if (verdict.kind === 'suspect') {
          suspect ??= verdict.error;
        }
      };
      const pending: Pending = {
        judge: consider,
        fail: (cause) => finish(() => reject(exchange.linkFailed(cause))),
      };
      if (this.#closed) {
        reject(exchange.linkFailed(new Error('the link is closed')));
        return;
      }
      this.#pending = pending;
      timer = this.#clock.schedule(exchange.timeoutMs, () => {
        for (const event of this.#framer.finish()) {
          if (this.#pending !== pending) return;
          consider(event);
        }
        finish(() => reject(suspect ?? exchange.timeout()));
      });
      try {
        this.#stream.write(exchange.request);
      } catch (error) {
        pending.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  close(): void {
    this.#closed = true;
    this.#pending?.fail(new Error('the link was closed while a request was pending'));
    this.#stream.onReadable = undefined;
    this.#stream.onError = undefined;
  }

  #receive(bytes: Uint8Array): void {
    const pending = this.#pending;
    if (pending === undefined) return; // nobody asked: unsolicited bytes are dropped
    this.#framer.push(bytes);
    for (let event = this.#framer.next(); event !== undefined; event = this.#framer.next()) {
      if (this.#pending !== pending) break;
      pending.judge(event);
    }
    this.#syncDiscarded();
  }

  #syncDiscarded(): void {
    this.stats.discardedBytes = this.#framer.discardedBytes;
  }
}

/** Retry `attempt` while it fails with a retryable error, counting retries and errors. */
export async function withRetries<T>(
  link: MeterLink,
  retries: number,
  retryable: (error: unknown) => boolean,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof Error) link.countError(error);
      if (tries >= retries || !retryable(error)) throw error;
      link.stats.retries++;
    }
  }
}
