/**
 * Circuit breaker for one device. A silent Modbus slave costs a whole timeout
 * per request (DESIGN.md §3), so a dead device polled on schedule would eat
 * the bus time of the live ones. After `failureThreshold` consecutive failed
 * polls the breaker opens and the device is skipped; when the back-off has
 * passed one probe poll is let through (half-open). A good probe closes the
 * breaker, a bad one reopens it with twice the back-off, up to a cap.
 */
export interface BreakerOptions {
  /** Consecutive failed polls before the device is skipped. Default 3. */
  failureThreshold?: number;
  /** First back-off, ms. Default (set by the scheduler): twice the device's poll period. */
  initialBackoffMs?: number;
  /** Longest back-off, ms. Default 600 000 (10 min). */
  maxBackoffMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export const DEFAULT_BREAKER: Required<BreakerOptions> = { failureThreshold: 3, initialBackoffMs: 30_000, maxBackoffMs: 600_000 };

/** Breaker options for a device polled every `periodMs`: back-off starts at two periods, so skipping always saves polls. */
export function breakerOptionsFor(periodMs: number, options: BreakerOptions = {}): Required<BreakerOptions> {
  const initialBackoffMs = options.initialBackoffMs ?? 2 * periodMs;
  const maxBackoffMs = Math.max(options.maxBackoffMs ?? DEFAULT_BREAKER.maxBackoffMs, initialBackoffMs);
  return { failureThreshold: options.failureThreshold ?? DEFAULT_BREAKER.failureThreshold, initialBackoffMs, maxBackoffMs };
}

export class CircuitBreaker {
  readonly #options: Required<BreakerOptions>;
  #state: BreakerState = 'closed';
  #failures = 0;
  #backoffMs = 0;
  #retryAt = -Infinity;

  constructor(options: BreakerOptions = {}) {
    this.#options = { ...DEFAULT_BREAKER, ...options };
    if (!(this.#options.failureThreshold >= 1) || !(this.#options.initialBackoffMs > 0) || this.#options.maxBackoffMs < this.#options.initialBackoffMs) {
      throw new RangeError('breaker options: failureThreshold ≥ 1, initialBackoffMs > 0 and maxBackoffMs ≥ initialBackoffMs');
    }
  }

  get state(): BreakerState {
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Current back-off, ms (0 while closed). */
  get backoffMs(): number {
    return this.#backoffMs;
  }

  /** Earliest clock time of the next probe while open; -Infinity otherwise. */
  get retryAt(): number {
    return this.#state === 'open' ? this.#retryAt : -Infinity;
  }

  /** May the device be polled at `now`? Moves an open breaker whose back-off has passed to half-open. */
  allows(now: number): boolean {
    if (this.#state === 'open' && now >= this.#retryAt) this.#state = 'half-open';
    return this.#state !== 'open';
  }

  /** Record the outcome of a poll that ended at `now`. */
  record(success: boolean, now: number): void {
    if (success) {
      this.#state = 'closed';
      this.#failures = 0;
      this.#backoffMs = 0;
      return;
    }
    this.#failures++;
    if (this.#state === 'half-open') {
      this.#open(now, Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs));
    } else if (this.#state === 'closed' && this.#failures >= this.#options.failureThreshold) {
      this.#open(now, this.#options.initialBackoffMs);
    }
  }

  #open(now: number, backoffMs: number): void {
    this.#state = 'open';
    this.#backoffMs = backoffMs;
    this.#retryAt = now + backoffMs;
  }
}
