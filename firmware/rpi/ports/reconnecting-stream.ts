/**
 * A ByteStream that outlives its link. The gateway core takes one stream per
 * bus, synchronously, for its whole life; on a Pi the link under it comes and
 * goes (a USB–RS-485 adapter unplugged at boot or in service, a serial-to-
 * Ethernet converter dropping its TCP connection). This wrapper hides the gaps:
 * while the link is down, writes go nowhere, exactly as on a cut cable, so the
 * core's existing timeouts, circuit breakers and offline alerts handle the
 * outage; meanwhile it keeps reopening the link in the background.
 *
 * Host code, not core: it uses the host's real timers, not the clock port.
 */
import type { ByteStream, SerialLineSettings } from '../../../drivers/ports/byte-stream.js';
import { AxonError } from '../../../drivers/errors.js';

/**
 * 'connecting': the first attempt is under way (nothing has failed yet).
 * 'open': bytes flow. 'down': the link failed or cannot be opened; retrying.
 * 'closed': the owner closed the stream; nothing more happens.
 */
export type LinkState = 'connecting' | 'open' | 'down' | 'closed';

/** A link the wrapper can own: any ByteStream that can be closed. */
export type ClosableByteStream = ByteStream & { close(): void };

export interface ReconnectingStreamOptions {
  /** Opens the underlying link (e.g. () => openSerialStream({...}) or () => connectTcpStream({...})); rejects with a clear AxonError when it cannot. */
  open(): Promise<ClosableByteStream>;
  /** For messages: the device path or host:port. */
  where: string;
  /** Line settings to report as `line` (serial links); absent for TCP. */
  line?: SerialLineSettings;
  /** Wait between attempts to (re)open, ms (default 5000). */
  retryMs?: number;
  /** Called on every state change, with the error that caused 'down'. The host logs it. */
  onState?: (state: LinkState, error?: Error) => void;
}

export class ReconnectingStream implements ByteStream {
  onReadable: ((bytes: Uint8Array) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  readonly line?: SerialLineSettings;
  readonly where: string;
  readonly #open: () => Promise<ClosableByteStream>;
  readonly #retryMs: number;
  readonly #onState: ((state: LinkState, error?: Error) => void) | undefined;
  #state: LinkState = 'connecting';
  #link: ClosableByteStream | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** What the last reported 'down' was about, so a retry failing the same way stays quiet. */
  #reportedFailure: string | undefined;
  #dropped = 0;
  #opens = 0;
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(options: ReconnectingStreamOptions) {
    this.#open = options.open;
    this.where = options.where;
    if (options.line !== undefined) this.line = options.line;
    this.#retryMs = options.retryMs ?? 5000;
    this.#onState = options.onState;
    this.#onState?.('connecting');
    this.#attempt();
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Bytes written while the link was not open (dropped: the request then times out as on a cut cable). */
  get droppedWriteBytes(): number {
    return this.#dropped;
  }

  /** Times the link was (re)opened. */
  get opens(): number {
    return this.#opens;
  }

  write(bytes: Uint8Array): void {
    const link = this.#link;
    if (link === undefined) {
      this.#dropped += bytes.byteLength;
      return;
    }
    try {
      link.write(bytes);
    } catch (error) {
      // A link that refuses a write is dead (its port closed under it); the
      // bytes never left, so they count as dropped like any other outage write.
      this.#dropped += bytes.byteLength;
      this.#lost(link, asError(error, this.where));
    }
  }

  close(): void {
    if (this.#state === 'closed') return;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    const link = this.#link;
    this.#link = undefined;
    if (link !== undefined) release(link);
    this.#state = 'closed';
    const waiters = this.#waiters.splice(0);
    for (const waiter of waiters) {
      waiter.reject(new AxonError('LINK_CLOSED', `the link to ${this.where} was closed before it opened`, {
        where: this.where,
        fix: 'nothing to fix if the gateway is shutting down; otherwise do not close the stream while waiting for it',
      }));
    }
    this.#onState?.('closed');
  }

  /**
   * Resolves when the state next becomes 'open' (for tests and start-up logs);
   * rejects if closed first. Called while open, it waits for the next reopen, so
   * a test can arm it before cutting the link. Opening completes asynchronously,
   * so calling this right after the constructor cannot miss the first open.
   */
  whenOpen(): Promise<void> {
    if (this.#state === 'closed') {
      return Promise.reject(new AxonError('LINK_CLOSED', `the link to ${this.where} is closed`, {
        where: this.where,
        fix: 'create a new stream; a closed one does not reopen',
      }));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #attempt(): void {
    this.#retry = undefined;
    let opening: Promise<ClosableByteStream>;
    try {
      opening = this.#open();
    } catch (error) {
      // open() is meant to reject, but a synchronous throw must not end retrying.
      opening = Promise.reject(error);
    }
    opening.then(
      (link) => {
        if (this.#state === 'closed') {
          // The owner gave up while this attempt was in flight; don't leak the port.
          release(link);
          return;
        }
        this.#adopt(link);
      },
      (error: unknown) => {
        if (this.#state === 'closed') return;
        this.#failedOpen(asError(error, this.where));
      },
    );
  }

  #adopt(link: ClosableByteStream): void {
    // Read this.onReadable at call time: the owner may install it after construction.
    link.onReadable = (bytes) => this.onReadable?.(bytes);
    link.onError = (error) => this.#lost(link, error);
    this.#link = link;
    this.#opens += 1;
    this.#state = 'open';
    this.#reportedFailure = undefined; // after an open, the next failure is news again
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    this.#onState?.('open');
  }

  #failedOpen(error: Error): void {
    const failure = describe(error);
    const news = this.#state !== 'down' || failure !== this.#reportedFailure;
    this.#state = 'down';
    this.#reportedFailure = failure;
    this.#scheduleRetry();
    // An unplugged adapter fails the same way every retry; one log line per outage cause is enough.
    if (news) this.#onState?.('down', error);
  }

  #lost(link: ClosableByteStream, error: Error): void {
    // A late event from a link already given up must not take down its successor.
    if (this.#link !== link) return;
    this.#link = undefined;
    release(link);
    this.#state = 'down';
    this.#reportedFailure = describe(error);
    this.#scheduleRetry();
    this.#onState?.('down', error);
    // Deferred past the current task: when the failure surfaces inside write(), the
    // core's master has not yet registered the request it is sending (it does so
    // after write returns and an await), and onError exists to fail exactly that
    // request at once instead of letting it time out.
    setImmediate(() => {
      if (this.#state !== 'closed') this.onError?.(error);
    });
  }

  #scheduleRetry(): void {
    this.#retry = setTimeout(() => this.#attempt(), this.#retryMs);
    // The retry loop alone must never keep a process alive that is otherwise done.
    this.#retry.unref();
  }
}

/** Detach and close a link; its own late errors are of no interest any more. */
function release(link: ClosableByteStream): void {
  link.onReadable = undefined;
  link.onError = undefined;
  try {
    link.close();
  } catch {
    // Closing an already broken link may fail; it is being discarded either way.
  }
}

/** Same code and message means the same cause, whatever the attempt. */
function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
}

function asError(error: unknown, where: string): Error {
  return error instanceof Error
    ? error
    : new AxonError('LINK_FAILED', `the link to ${where} failed: ${String(error)}`, { where, fix: 'check the device or network path; the gateway keeps retrying' });
}
