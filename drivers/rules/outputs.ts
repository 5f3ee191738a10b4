import type { Clock, TimerHandle } from '../ports/clock.js';
import type { DigitalOutput } from '../ports/digital.js';

/**
 * Drives the site outputs rules ask for. Several rules may share one output (one
 * buzzer for every alarm in a pump room), so each output is on while any rule holds
 * a demand on it, and is written only when that changes (a relay coil or an I²C GPIO
 * expander should not be hammered on every sample). A failing write is reported, not
 * thrown: one broken pin must not stop the rules that raise alarms upstream.
 */
export class OutputDriver {
  readonly #outputs: Record<string, DigitalOutput>;
  readonly #clock: Clock;
  readonly #onError: (error: unknown, outputId: string) => void;
  /** output id → rule ids currently demanding it on */
  readonly #demands = new Map<string, Set<string>>();
  readonly #written = new Map<string, 0 | 1>();
  /** `${output}\n${rule}` → running pulse timer */
  readonly #pulses = new Map<string, TimerHandle>();

  constructor(outputs: Record<string, DigitalOutput>, clock: Clock, onError: (error: unknown, outputId: string) => void) {
    this.#outputs = outputs;
    this.#clock = clock;
    this.#onError = onError;
  }

  has(outputId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#outputs, outputId);
  }

  /** Set or drop one rule's demand on an output, and write the output if its level changes. */
  demand(outputId: string, ruleId: string, on: boolean): void {
    let holders = this.#demands.get(outputId);
    if (holders === undefined) {
      holders = new Set();
      this.#demands.set(outputId, holders);
    }
    if (on) holders.add(ruleId);
    else holders.delete(ruleId);
    this.#write(outputId, holders.size > 0 ? 1 : 0);
  }

  /** Demand the output for `ms`; a new pulse from the same rule restarts the time. */
  pulse(outputId: string, ruleId: string, ms: number): void {
    this.stopPulse(outputId, ruleId);
    this.demand(outputId, ruleId, true);
    const key = pulseKey(outputId, ruleId);
    this.#pulses.set(
      key,
      this.#clock.schedule(ms, () => {
        this.#pulses.delete(key);
        this.demand(outputId, ruleId, false);
      }),
    );
  }

  stopPulse(outputId: string, ruleId: string): void {
    const key = pulseKey(outputId, ruleId);
    const timer = this.#pulses.get(key);
    if (timer === undefined) return;
    this.#clock.cancel(timer);
    this.#pulses.delete(key);
    this.demand(outputId, ruleId, false);
  }

  /** Write each listed output that has not been written yet: after a reboot the pins start in an unknown state. */
  initialise(outputIds: Iterable<string>): void {
    for (const id of outputIds) {
      if (this.#written.has(id)) continue;
      const holders = this.#demands.get(id);
      this.#write(id, holders !== undefined && holders.size > 0 ? 1 : 0);
    }
  }

  close(): void {
    for (const timer of this.#pulses.values()) this.#clock.cancel(timer);
    this.#pulses.clear();
  }

  #write(outputId: string, value: 0 | 1): void {
    const output = this.#outputs[outputId];
    if (output === undefined || this.#written.get(outputId) === value) return;
    try {
      output.write(value);
      this.#written.set(outputId, value);
    } catch (error) {
      this.#onError(error, outputId);
    }
  }
}

function pulseKey(outputId: string, ruleId: string): string {
  return `${outputId}\n${ruleId}`;
}
