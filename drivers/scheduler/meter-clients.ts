/**
 * Meter clients as the scheduler drives them. MeterDevice reads one DI after
 * another through its client; on a meter that has gone silent each DI would
 * cost a full timeout (times the retries), stalling the whole bus for seconds.
 * These subclasses add two things per poll: the device's own timeout/retries,
 * and a SilenceGuard that fails the rest of the poll at once after the first
 * request met silence.
 */
import { Dlt645Client, type Dlt645Reading, type Dlt645RequestOptions, type Dlt645ValueFormat } from '../dlt645/client.js';
import { Cjt188Client, type Cjt188Reading, type Cjt188RequestOptions } from '../cjt188/client.js';

const SILENCE_CODES = new Set(['MODBUS_TIMEOUT', 'MODBUS_LINK', 'DLT645_TIMEOUT', 'DLT645_LINK', 'CJT188_TIMEOUT', 'CJT188_LINK']);

/** The device did not answer at all, or the port failed: further requests this poll would only wait out more timeouts. */
export function isSilence(error: unknown): error is Error {
  return error instanceof Error && SILENCE_CODES.has((error as { code?: string }).code ?? '');
}

/** Remembers the first silence of a poll and fails later requests of the same poll with it. */
export class SilenceGuard {
  #silence: Error | undefined;
  /** Requests that went to the wire (not failed by the guard). */
  requests = 0;

  /** Start a new poll. */
  reset(): void {
    this.#silence = undefined;
  }

  get silence(): Error | undefined {
    return this.#silence;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#silence !== undefined) throw this.#silence;
    this.requests++;
    try {
      return await work();
    } catch (error) {
      if (isSilence(error)) this.#silence = error;
      throw error;
    }
  }
}

export interface PollSession {
  readonly guard: SilenceGuard;
  /** Timeout and retries of the device being polled. */
  requestOptions: { timeoutMs?: number; retries?: number };
}

export class ScheduledDlt645Client extends Dlt645Client implements PollSession {
  readonly guard = new SilenceGuard();
  requestOptions: Dlt645RequestOptions = {};

  override read(address: string, di: string, options: Dlt645RequestOptions & { format?: Dlt645ValueFormat } = {}): Promise<Dlt645Reading> {
    return this.guard.run(() => super.read(address, di, { ...this.requestOptions, ...options }));
  }
}

export class ScheduledCjt188Client extends Cjt188Client implements PollSession {
  readonly guard = new SilenceGuard();
  requestOptions: Cjt188RequestOptions = {};

  override readData(address: string, options: Cjt188RequestOptions & { di?: string } = {}): Promise<Cjt188Reading> {
    return this.guard.run(() => super.readData(address, { ...this.requestOptions, ...options }));
  }
}
