/**
 * ADR back-off (LoRaWAN 1.0.x §4.3.1.1): a device whose data rate the network
 * raised must notice when the network stops hearing it. Every uplink without
 * a downlink since counts; from ADR_ACK_LIMIT on the device sets ADRACKReq to
 * ask for any answer, and after ADR_ACK_DELAY more without one it steps
 * towards a safer setting (max power first, then one DR lower, and at the
 * lowest DR every default channel back on), again every ADR_ACK_DELAY.
 */
export const ADR_ACK_LIMIT = 64;
export const ADR_ACK_DELAY = 32;

export type AdrStep = 'none' | 'step';

export class AdrBackoff {
  #count = 0;
  readonly limit: number;
  readonly delay: number;

  constructor(options: { limit?: number; delay?: number } = {}) {
    this.limit = options.limit ?? ADR_ACK_LIMIT;
    this.delay = options.delay ?? ADR_ACK_DELAY;
  }

  /** Uplinks sent since the last downlink (ADR_ACK_CNT). */
  get count(): number {
    return this.#count;
  }

  /** ADRACKReq for the frame about to be sent. */
  get ackRequested(): boolean {
    return this.#count >= this.limit;
  }

  /** After a new uplink (not a repetition): whether to step towards a safer setting now. */
  afterUplink(): AdrStep {
    this.#count++;
    const over = this.#count - this.limit;
    return over >= this.delay && over % this.delay === 0 ? 'step' : 'none';
  }

  /** Any valid downlink proves the link: start over. */
  onDownlink(): void {
    this.#count = 0;
  }
}
