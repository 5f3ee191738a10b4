import type { PointReading } from '../devices/reading.js';
import { AxonError } from '../errors.js';
import type { AlertEvent, Sample } from '../gateway/events.js';
import type { OutputConfig } from '../gateway/site.js';
import type { Clock } from '../ports/clock.js';
import type { DigitalOutput } from '../ports/digital.js';
import type { KeyValueStore } from '../ports/storage.js';
import { RuleAlarmState } from './alarm-state.js';
import { BooleanEvaluator } from './boolean-alarm.js';
import type { AlertLevel, AlertRuleConfig, OfflineRule, RuleAction } from './config.js';
import type { LevelTransition } from './levels.js';
import { alertMessage } from './messages.js';
import { OfflineWatch, OfflineWatchdog } from './offline.js';
import { OutputDriver } from './outputs.js';
import { AlarmStateStore } from './persistence.js';
import { RateOfRiseEvaluator } from './rate-of-rise.js';
import { ThresholdEvaluator } from './threshold.js';
import { validateRules } from './validate.js';

export const DEFAULT_PULSE_MS = 1000;

export interface AlertEngineOptions {
  rules: AlertRuleConfig[];
  clock: Clock;
  /** Alarm state survives reboots here (see docs/alerts.md, "Persistence"). */
  store: KeyValueStore;
  /** Site outputs by id; rules whose action names a missing output are refused. Without it, actions are ignored. */
  outputs?: Record<string, DigitalOutput>;
  /** Output kinds from the site file: an acknowledge silences `buzzer` outputs by default. */
  outputKinds?: Record<string, OutputConfig['kind']>;
  /** Current poll period of a site device, ms (asked each time, so adaptive polling is honoured). */
  pollPeriodMs: (device: string) => number;
  /** Offline watches wait for pollingStarted() (a gateway built before it starts polling); default: they start now. */
  waitForPolling?: boolean;
  onAlert?: (event: AlertEvent) => void;
  /**
   * Store, output and onAlert failures. The engine finishes the sample (every event is
   * still delivered) and reports here; without a handler it rethrows the first failure
   * once the call is otherwise complete.
   */
  onError?: (error: AxonError) => void;
}

export interface ActiveAlarm {
  rule: string;
  device: string;
  point?: string;
  level: AlertLevel;
  acknowledged: boolean;
}

/** What evaluates samples for a rule: threshold, rate-of-rise and boolean rules. */
interface SampleEvaluator {
  readonly levels: AlertLevel[];
  onSample(sample: Sample, state: RuleAlarmState): LevelTransition[];
}

interface RuleRuntime {
  readonly rule: AlertRuleConfig;
  readonly levels: AlertLevel[];
  state: RuleAlarmState;
  readonly evaluator?: SampleEvaluator;
  readonly watch?: OfflineWatch;
  readonly action?: ResolvedAction;
}

interface ResolvedAction {
  readonly output: string;
  readonly mode: 'on' | 'pulse';
  readonly pulseMs: number;
  readonly silenceOnAck: boolean;
}

/**
 * Evaluates alert rules on samples and poll outcomes, keeps each rule's alarm state
 * (persisted, so a reboot neither forgets nor repeats an alarm), drives local outputs
 * synchronously on the sample that raises an alarm, and reports AlertEvents.
 *
 * Feed it either whole polls (`onPoll`) or single samples and failures
 * (`onSample`, `onReadFailure`) — not both for the same readings.
 */
export class AlertEngine {
  onAlert: ((event: AlertEvent) => void) | undefined;
  readonly #clock: Clock;
  /** One timer for all offline watches. */
  readonly #watchdog: OfflineWatchdog;
  readonly #onError: ((error: AxonError) => void) | undefined;
  readonly #persisted: AlarmStateStore;
  readonly #outputs: OutputDriver | undefined;
  readonly #rules = new Map<string, RuleRuntime>();
  /** device → point → rules evaluating that point (nested, so a sample's lookup builds no key string) */
  readonly #byPoint = new Map<string, Map<string, RuleRuntime[]>>();
  readonly #offlineByDevice = new Map<string, RuleRuntime[]>();
  #failures: AxonError[] = [];

  constructor(options: AlertEngineOptions) {
    const rules = options.rules.filter((rule) => rule.disabled !== true);
    validateRules(rules, options.outputs);
    this.onAlert = options.onAlert;
    this.#clock = options.clock;
    this.#watchdog = new OfflineWatchdog(options.clock);
    this.#onError = options.onError;
    this.#persisted = new AlarmStateStore(options.store, rules.map((rule) => rule.id));
    if (options.outputs !== undefined) {
      this.#outputs = new OutputDriver(options.outputs, options.clock, (error, output) =>
        this.#fail('ALERT_OUTPUT_FAILED', `Output ${output} could not be written`, output, error),
      );
    }
    for (const rule of rules) this.#add(rule, options);
    this.#restoreOutputs();
    this.#flush();
  }

  /** One valid reading. */
  onSample(sample: Sample): void {
    this.#sample(sample);
    this.#flush();
  }

  /** A read of one point (or of the whole device, point undefined) failed or gave an invalid value. */
  onReadFailure(device: string, _point: string | undefined, t: number): void {
    this.#checkOverdue(device, t);
    this.#flush();
  }

  /** One poll of a device: every valid reading becomes a sample; a poll without any counts towards offline. */
  onPoll(device: string, t: number, readings: Readonly<Record<string, PointReading>>): void {
    const byPoint = this.#byPoint.get(device);
    let valid = 0;
    for (const point of Object.keys(readings)) {
      const reading = readings[point];
      if (!reading.ok) continue;
      // The device's liveness is news once per poll; later readings of the same poll would find it done.
      if (valid++ === 0) this.#deviceAlive(device, t);
      const rules = byPoint?.get(point);
      if (rules !== undefined) this.#evaluate(rules, { device, point, t, value: reading.value });
    }
    if (valid === 0) this.#checkOverdue(device, t);
    this.#flush();
  }

  /**
   * Acknowledge (by downlink or a local button) the active levels of a rule, or one level.
   * Emits 'acknowledged' per level newly acknowledged and returns how many there were.
   * The alarm stays active until its condition clears; silenceable outputs go quiet.
   */
  acknowledge(ruleId: string, t: number, level?: AlertLevel): number {
    const runtime = this.#rules.get(ruleId);
    if (runtime === undefined) return 0;
    const events: AlertEvent[] = [];
    for (const candidate of runtime.levels) {
      if (level !== undefined && candidate !== level) continue;
      if (runtime.state.acknowledge(candidate)) events.push(this.#event(runtime, candidate, 'acknowledged', t));
    }
    if (events.length > 0) {
      this.#afterChange(runtime, []);
      this.#emit(events);
    }
    this.#flush();
    return events.length;
  }

  /**
   * Polling starts now (the gateway's start()): every offline watch counts its allowance from here. A gateway
   * built long before it starts must not call devices silent that it has not begun to poll.
   */
  pollingStarted(): void {
    for (const runtimes of this.#offlineByDevice.values()) for (const runtime of runtimes) runtime.watch?.restart();
  }

  /** A device's poll period changed (a downlink): its offline watches measure by the new one at once. */
  pollPeriodChanged(device: string): void {
    for (const runtime of this.#offlineByDevice.get(device) ?? []) runtime.watch?.onPeriodChanged();
  }

  activeAlarms(): ActiveAlarm[] {
    const alarms: ActiveAlarm[] = [];
    for (const { rule, state } of this.#rules.values()) {
      for (const level of state.activeLevels()) {
        const alarm: ActiveAlarm = { rule: rule.id, device: rule.device, level, acknowledged: state.isAcknowledged(level) };
        if (rule.kind !== 'offline') alarm.point = rule.point;
        alarms.push(alarm);
      }
    }
    return alarms;
  }

  /** Stop watchdog and pulse timers. Alarm state stays in the store for the next engine. */
  close(): void {
    for (const { watch } of this.#rules.values()) watch?.close();
    this.#outputs?.close();
  }

  #add(rule: AlertRuleConfig, options: AlertEngineOptions): void {
    const evaluator = rule.kind === 'offline' ? undefined : createEvaluator(rule);
    const watch =
      rule.kind === 'offline'
        ? new OfflineWatch(rule, this.#watchdog, () => options.pollPeriodMs(rule.device), () => this.#watchdogExpired(rule))
        : undefined;
    const levels = evaluator?.levels ?? watch?.levels ?? [];
    const runtime: RuleRuntime = {
      rule,
      levels,
      state: this.#restoreState(rule, levels),
      evaluator,
      watch,
      action: this.#outputs === undefined ? undefined : resolveAction(rule.action, options.outputKinds),
    };
    this.#rules.set(rule.id, runtime);
    if (rule.kind === 'offline') {
      pushTo(this.#offlineByDevice, rule.device, runtime);
      if (options.waitForPolling !== true) watch?.arm();
    } else {
      let byPoint = this.#byPoint.get(rule.device);
      if (byPoint === undefined) this.#byPoint.set(rule.device, (byPoint = new Map()));
      pushTo(byPoint, rule.point, runtime);
    }
  }

  #restoreState(rule: AlertRuleConfig, levels: AlertLevel[]): RuleAlarmState {
    let flags: number | undefined;
    try {
      flags = this.#persisted.load(rule);
    } catch (error) {
      this.#fail('ALERT_STATE_UNREADABLE', `Alarm state of rule ${rule.id} could not be read; starting it as normal`, rule.id, error);
    }
    const state = RuleAlarmState.fromFlags(flags ?? 0, levels);
    // A level the site no longer configures was dropped: rewrite the record without it.
    if (flags !== undefined && state.toFlags() !== flags) this.#save(rule, state);
    return state;
  }

  /** After a reboot the pins start unknown: write every output a rule uses, on or off. */
  #restoreOutputs(): void {
    if (this.#outputs === undefined) return;
    const used = new Set<string>();
    for (const runtime of this.#rules.values()) {
      if (runtime.action === undefined) continue;
      used.add(runtime.action.output);
      // A pulse announced the raise before the reboot; re-pulsing would announce it twice.
      if (runtime.action.mode === 'on') this.#outputs.demand(runtime.action.output, runtime.rule.id, wantsOn(runtime, runtime.action));
    }
    this.#outputs.initialise(used);
  }

  #sample(sample: Sample): void {
    this.#deviceAlive(sample.device, sample.t);
    const rules = this.#byPoint.get(sample.device)?.get(sample.point);
    if (rules !== undefined) this.#evaluate(rules, sample);
  }

  /** A valid reading of `device`: its offline watches start again, an offline alarm clears. */
  #deviceAlive(device: string, t: number): void {
    const offline = this.#offlineByDevice.get(device);
    if (offline === undefined) return;
    for (const runtime of offline) {
      runtime.watch?.onValidReading();
      const level = runtime.levels[0];
      if (runtime.state.isActive(level)) this.#apply(runtime, [{ level, state: 'cleared' }], t);
    }
  }

  #evaluate(rules: readonly RuleRuntime[], sample: Sample): void {
    for (const runtime of rules) {
      const transitions = runtime.evaluator?.onSample(sample, runtime.state) ?? [];
      if (transitions.length > 0) this.#apply(runtime, transitions, sample.t);
    }
  }

  #checkOverdue(device: string, t: number): void {
    for (const runtime of this.#offlineByDevice.get(device) ?? []) {
      const level = runtime.levels[0];
      if (!runtime.state.isActive(level) && runtime.watch?.isOverdue() === true) this.#apply(runtime, [{ level, state: 'raised' }], t);
    }
  }

  #watchdogExpired(rule: OfflineRule): void {
    const runtime = this.#rules.get(rule.id);
    if (runtime === undefined || runtime.state.isActive(rule.level)) return;
    this.#apply(runtime, [{ level: rule.level, state: 'raised' }], this.#clock.unixTimeMs());
    this.#flush();
  }

  #apply(runtime: RuleRuntime, transitions: LevelTransition[], t: number): void {
    const events: AlertEvent[] = [];
    for (const transition of transitions) {
      if (transition.state === 'raised') runtime.state.raise(transition.level);
      else runtime.state.clear(transition.level);
      events.push(this.#event(runtime, transition.level, transition.state, t, transition.value));
    }
    this.#afterChange(runtime, transitions);
    this.#emit(events);
  }

  /** Outputs first (the local action must not wait for anything), then the durable record. */
  #afterChange(runtime: RuleRuntime, transitions: LevelTransition[]): void {
    const action = runtime.action;
    if (action !== undefined && this.#outputs !== undefined) {
      const id = runtime.rule.id;
      if (action.mode === 'on') {
        this.#outputs.demand(action.output, id, wantsOn(runtime, action));
      } else if (transitions.some((transition) => transition.state === 'raised')) {
        this.#outputs.pulse(action.output, id, action.pulseMs);
      } else if (!wantsOn(runtime, action)) {
        this.#outputs.stopPulse(action.output, id);
      }
    }
    this.#save(runtime.rule, runtime.state);
  }

  #save(rule: AlertRuleConfig, state: RuleAlarmState): void {
    try {
      this.#persisted.save(rule, state.toFlags());
    } catch (error) {
      this.#fail('ALERT_STATE_UNSAVED', `Alarm state of rule ${rule.id} could not be saved; a reboot may forget or repeat it`, rule.id, error);
    }
  }

  #event(runtime: RuleRuntime, level: AlertLevel, state: AlertEvent['state'], t: number, value?: number | boolean): AlertEvent {
    const rule = runtime.rule;
    const event: AlertEvent = { rule: rule.id, device: rule.device, level, state, t, message: alertMessage(rule, level, state, value) };
    if (rule.kind !== 'offline') event.point = rule.point;
    if (value !== undefined) event.value = value;
    return event;
  }

  #emit(events: AlertEvent[]): void {
    for (const event of events) {
      try {
        this.onAlert?.(event);
      } catch (error) {
        this.#fail('ALERT_HANDLER_FAILED', `The alert handler threw on ${event.state} of rule ${event.rule}`, event.rule, error);
      }
    }
  }

  #fail(code: string, message: string, where: string, cause: unknown): void {
    const error = new AxonError(code, message, { where, cause });
    if (this.#onError !== undefined) this.#onError(error);
    else this.#failures.push(error);
  }

  /** Without an onError handler, surface the first failure once the call has done all its work. */
  #flush(): void {
    const first = this.#failures[0];
    this.#failures = [];
    if (first !== undefined) throw first;
  }
}

function createEvaluator(rule: Exclude<AlertRuleConfig, OfflineRule>): SampleEvaluator {
  switch (rule.kind) {
    case 'threshold':
      return new ThresholdEvaluator(rule);
    case 'rate-of-rise':
      return new RateOfRiseEvaluator(rule);
    case 'boolean':
      return new BooleanEvaluator(rule);
  }
}

function resolveAction(action: RuleAction | undefined, kinds: Record<string, OutputConfig['kind']> | undefined): ResolvedAction | undefined {
  if (action === undefined) return undefined;
  const mode = action.mode ?? 'on';
  return {
    output: action.output,
    mode,
    pulseMs: action.pulseMs ?? DEFAULT_PULSE_MS,
    silenceOnAck: action.silenceOnAck ?? (mode === 'pulse' || kinds?.[action.output] === 'buzzer'),
  };
}

/** Whether a rule still wants its output: any active level, or any unacknowledged one when acknowledging silences it. */
function wantsOn(runtime: RuleRuntime, action: ResolvedAction): boolean {
  return action.silenceOnAck ? runtime.state.anyUnacknowledged : runtime.state.anyActive;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
