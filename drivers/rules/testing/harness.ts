/**
 * Test support for the rule engine (runtime-neutral, so core tests use it on Node and in XS):
 * a recording DigitalOutput and an engine wired to a VirtualClock and a MemoryKeyValueStore.
 */
import type { AlertEvent } from '../../gateway/events.js';
import type { DigitalOutput } from '../../ports/digital.js';
import { MemoryKeyValueStore } from '../../ports/storage.js';
import { VirtualClock } from '../../ports/virtual-clock.js';
import type { AlertRuleConfig } from '../config.js';
import { AlertEngine, type AlertEngineOptions } from '../engine.js';

/** Remembers every write, so a test can assert both the level and that it switched within the same call. */
export class RecordingOutput implements DigitalOutput {
  readonly writes: Array<0 | 1> = [];
  closed = false;

  get level(): 0 | 1 | undefined {
    return this.writes[this.writes.length - 1];
  }

  write(value: 0 | 1): void {
    this.writes.push(value);
  }

  close(): void {
    this.closed = true;
  }
}

export interface RuleHarness {
  engine: AlertEngine;
  clock: VirtualClock;
  store: MemoryKeyValueStore;
  events: AlertEvent[];
  outputs: Record<string, RecordingOutput>;
  /** A new engine on the same store, clock and outputs: what a reboot looks like to the rules. */
  reboot(): RuleHarness;
}

export interface HarnessOptions {
  rules: AlertRuleConfig[];
  outputIds?: string[];
  pollPeriodMs?: number;
  clock?: VirtualClock;
  store?: MemoryKeyValueStore;
  outputs?: Record<string, RecordingOutput>;
  extra?: Partial<AlertEngineOptions>;
}

export function ruleHarness(options: HarnessOptions): RuleHarness {
  const clock = options.clock ?? new VirtualClock();
  const store = options.store ?? new MemoryKeyValueStore();
  const outputs = options.outputs ?? Object.fromEntries((options.outputIds ?? []).map((id) => [id, new RecordingOutput()]));
  const events: AlertEvent[] = [];
  const engine = new AlertEngine({
    rules: options.rules,
    clock,
    store,
    outputs,
    pollPeriodMs: () => options.pollPeriodMs ?? 60_000,
    onAlert: (event) => events.push(event),
    ...options.extra,
  });
  return {
    engine,
    clock,
    store,
    events,
    outputs,
    reboot() {
      engine.close();
      return ruleHarness({ ...options, clock, store, outputs });
    },
  };
}

/** `rule/level/state` strings: the compact shape most assertions compare. */
export function eventTrail(events: readonly AlertEvent[]): string[] {
  return events.map((event) => `${event.rule}/${event.level}/${event.state}`);
}
