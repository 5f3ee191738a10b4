/**
 * The gateway pipeline, assembled (docs/gateway.md):
 *
 *   PortScheduler per bus ─► PollResult ─┬─► AlertEngine ─► alert message ─► store ('alert') ─┐
 *                                        └─► BatchEncoder ─(flush period)─► store ('reading') ┴► UplinkSender ─► UplinkPort
 *
 * Runtime-neutral (Node on the Pi, XS on the ESP32): every wait and every
 * period goes through the Clock port, bytes through the ports it is given.
 * Alerts never wait for a batch: the engine's event is encoded, made durable
 * and handed to the sender in the same poll. Readings are framed on a period,
 * cut to the payload the uplink allows at that moment (re-read each flush: it
 * changes with ADR). The channel table is persisted so channel and rule
 * numbers stay the same across restarts, and so are poll periods set by
 * downlink (downlink-control.ts: re-applied before the first poll unless the
 * site file changed); alarm state and the log persist themselves.
 */
import { AxonError } from '../errors.js';
import { decodeBatchFrame } from '../batch/batch-frame.js';
import { findChannel, type ChannelTable } from '../batch/channels.js';
import { encodeCbor, type CborValue } from '../batch/cbor-codec.js';
import { encodeAlert } from '../batch/alert.js';
import { readingsOf } from '../batch/decode.js';
import { BatchEncoder } from '../batch/encoder.js';
import type { TimeStepS } from '../batch/format.js';
import { encodeStatus } from '../batch/status.js';
import { bytesEqual } from '../bytes.js';
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import type { DigitalOutput } from '../ports/digital.js';
import type { FileSystem, KeyValueStore } from '../ports/storage.js';
import type { UplinkPort } from '../ports/uplink.js';
import { AlertEngine, type ActiveAlarm } from '../rules/engine.js';
import type { AlertLevel } from '../rules/config.js';
import { siteRules } from '../rules/defaults.js';
import type { OutputConfig } from './site.js';
import type { PollResult, PortScheduler } from '../scheduler/port-scheduler.js';
import type { ManifestLookup } from '../scheduler/site-device.js';
import { schedulersForSite, type SiteSchedulerOptions } from '../scheduler/site-schedulers.js';
import { StoreAndForward } from '../store/store.js';
import type { Downlink } from './downlink.js';
import { DownlinkControl } from './downlink-control.js';
import type { AlertEvent } from './events.js';
import { saveBlob } from './kv-blob.js';
import { CHANNEL_TABLE_KEY, loadChannelTable, siteChannelTable } from './site-channels.js';
import type { BusConfig, SiteFile } from './site.js';
import { ALERTS_PER_FRAME, UplinkSender, alertFrames, type SentKind, type UplinkState } from './uplink-sender.js';
import { AppAckWindow, SequenceCounter, type AppAckOptions } from './app-ack-window.js';
import { samplesPerEarlyFlush } from './flush-size.js';

/** Defaults (docs/gateway.md, "Timing"). */
export const GATEWAY_DEFAULTS = {
  flushEveryMs: 5 * 60_000,
  statusEveryMs: 60 * 60_000,
  storeCapacityBytes: 256 * 1024,
  /** Application ports when the site's uplink names none (LoRaWAN FPorts). */
  dataPort: 10,
  alertPort: 11,
} as const;

export { CHANNEL_TABLE_KEY } from './site-channels.js';
export { POLL_OVERRIDES_KEY } from './poll-overrides.js';

export interface GatewayOptions {
  site: SiteFile;
  manifests: ManifestLookup;
  clock: Clock;
  /** Open a bus's port (serialport, Moddable serial, a simulated line). The gateway owns and closes it. */
  openPort(bus: BusConfig): ByteStream;
  /** Store-and-forward log. */
  files: FileSystem;
  /** Log meta, alarm state, channel table, poll periods set by downlink. */
  meta: KeyValueStore;
  /** Site outputs by id (relay, buzzer, LED); without them rule actions are ignored. */
  outputs?: Record<string, DigitalOutput>;
  uplink: UplinkPort;
  /** Batch flush period, ms (default 5 min). */
  flushEveryMs?: number;
  /** Status message period, ms (default 1 h); one also goes out at start and after every uplink recovery. */
  statusEveryMs?: number;
  /** Bytes the log may use (default 256 KiB). */
  storeCapacityBytes?: number;
  /** Uplink retry back-off: first delay and cap, ms (defaults 1 s and 60 s). */
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** Application acknowledgement tuning, for uplinks whose delivery is 'application' (docs/app-ack.md). */
  appAck?: AppAckOptions;
  /** The alert window's tuning, for uplinks whose alertDelivery is 'application' (defaults: ALERT_ACK_DEFAULTS). */
  alertAck?: AppAckOptions;
  /**
   * Randomness (the jitter of alert copies). Hosts pass their entropy so that
   * gateways of one district do not act in step; the default is a fixed seed.
   */
  random?: () => number;
  /** Scheduler tuning for hosts with coarse serial timing (Node on ptys). */
  minQuietMs?: number;
  modbus?: SiteSchedulerOptions['modbus'];
  /** Downlink rate limit: at most one status answer and one save of poll periods per window, ms (default 30 s). */
  downlinkWindowMs?: number;
  /** Everything that happens, for a live view or a log. */
  onEvent?: (event: GatewayEvent) => void;
}

export type GatewayEvent =
  | { kind: 'poll'; poll: PollResult }
  | { kind: 'alert'; alert: AlertEvent }
  | { kind: 'sent'; what: SentKind; bytes: number }
  | { kind: 'uplink-failed'; error: Error }
  | { kind: 'downlink'; downlink: Downlink }
  /** Worth a log line, not an error (a poll period set by downlink dropped at start). */
  | { kind: 'notice'; code: string; message: string }
  | { kind: 'error'; error: Error };

export interface GatewayStats {
  polls: number;
  /** Polls in which no point could be read. */
  failedPolls: number;
  /** Poll beats skipped because a device's previous poll ended after them (the bus was behind). */
  missedPolls: number;
  /** Valid readings queued for batches. */
  samples: number;
  /** Alert events raised, cleared or acknowledged. */
  alerts: number;
  alertsSent: number;
  /** Frames that carried alerts (an alert group is one frame). */
  alertFramesSent: number;
  framesSent: number;
  statusSent: number;
  bytesSent: number;
  sendFailures: number;
  /** Downlinks refused (malformed, unknown target, out of bounds) since start. */
  refusedDownlinks: number;
  /** Samples waiting for the next flush. */
  queuedSamples: number;
  store: { pendingAlerts: number; pendingReadings: number; droppedReadings: number; usedBytes: number; capacityBytes: number };
  uplink: { state: UplinkState; retryInMs?: number; lastError?: string; /** Under application acks: data frames on the air awaiting the platform's data-ack, alert frames likewise, and frames resent (both). */ awaitingAck?: number; alertFramesAwaitingAck?: number; resent?: number };
  activeAlarms: ActiveAlarm[];
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new AxonError('GATEWAY_FAILURE', String(error));
}

export class Gateway {
  /** The table frames and alerts are encoded with; the platform decodes with the same (generateCodec, decodeUplink). */
  readonly channelTable: ChannelTable;
  readonly #o: GatewayOptions;
  readonly #clock: Clock;
  readonly #store: StoreAndForward;
  readonly #encoder: BatchEncoder;
  readonly #schedulers: PortScheduler[];
  readonly #schedulerOf = new Map<string, PortScheduler>();
  readonly #engine: AlertEngine;
  readonly #sender: UplinkSender;
  readonly #appAck: AppAckWindow | undefined;
  readonly #alertAck: AppAckWindow | undefined;
  readonly #counts = { polls: 0, failedPolls: 0, samples: 0, alerts: 0 };
  readonly #downlinks: DownlinkControl;
  readonly #earlyFlushAt: number;
  #flushTimer: TimerHandle | undefined;
  #statusTimer: TimerHandle | undefined;
  #running = false;

  constructor(options: GatewayOptions) {
    this.#o = options;
    this.#clock = options.clock;
    const rules = siteRules(options.site, options.manifests);
    const previous = loadChannelTable(options.meta);
    this.channelTable = siteChannelTable(options.site, options.manifests, { previous: previous?.table, rules });
    const encoded = encodeCbor(this.channelTable as unknown as CborValue);
    if (previous === undefined || !bytesEqual(previous.bytes, encoded)) saveBlob(options.meta, CHANNEL_TABLE_KEY, encoded);
    // Stamps of a previous run end before this one starts: a restart within one time step must not reissue them.
    this.#encoder = new BatchEncoder(this.channelTable, { notBeforeMs: options.clock.unixTimeMs() });
    this.#store = StoreAndForward.open({ files: options.files, meta: options.meta, capacityBytes: options.storeCapacityBytes ?? GATEWAY_DEFAULTS.storeCapacityBytes });
    this.#earlyFlushAt = samplesPerEarlyFlush(this.#store.capacityBytes);
    this.#schedulers = schedulersForSite({
      site: options.site,
      manifests: options.manifests,
      clock: options.clock,
      openPort: options.openPort,
      onPoll: (poll) => this.#onPoll(poll),
      onError: (error) => this.#emit({ kind: 'error', error }),
      minQuietMs: options.minQuietMs,
      modbus: options.modbus,
    });
    for (const scheduler of this.#schedulers) for (const device of scheduler.bus.devices) this.#schedulerOf.set(device.id, scheduler);
    this.#downlinks = new DownlinkControl({
      site: options.site,
      manifests: options.manifests,
      clock: options.clock,
      meta: options.meta,
      table: this.channelTable,
      windowMs: options.downlinkWindowMs,
      setPollPeriod: (device, periodS) => this.#setPollPeriod(device, periodS),
      acknowledge: (rule, level) => this.acknowledge(rule, level),
      dataAck: (base, seqs) => this.#sender.acknowledged(base, seqs),
      requestStatus: () => this.#sender.requestStatus(),
      emit: (event) => this.#emit(event),
    });
    this.#downlinks.restore();
    const outputKinds: Record<string, OutputConfig['kind']> = {};
    for (const output of options.site.outputs ?? []) outputKinds[output.id] = output.kind;
    this.#engine = new AlertEngine({
      rules,
      clock: options.clock,
      store: options.meta,
      outputs: options.outputs,
      outputKinds,
      pollPeriodMs: (device) => this.#schedulerOf.get(device)?.periodOf(device) ?? 0,
      // No device is silent before the gateway polls it: the watches start with start().
      waitForPolling: true,
      onAlert: (event) => this.#onAlert(event),
      onError: (error) => this.#emit({ kind: 'error', error }),
    });
    const uplinkConfig = options.site.uplink;
    // Data and alerts draw one sequence: the platform sees one numbering and one data-ack covers both.
    const sequence = new SequenceCounter(this.#store.nextSeq);
    this.#appAck = options.uplink.delivery === 'application' ? new AppAckWindow(this.#store, options.clock, options.appAck, { sequence }) : undefined;
    this.#alertAck = this.#appAck !== undefined && options.uplink.alertDelivery === 'application'
      ? new AppAckWindow(this.#store, options.clock, options.alertAck, { queue: 'alert', sequence, frames: alertFrames, recordsPerFrame: ALERTS_PER_FRAME, ...(options.random === undefined ? {} : { random: options.random }) })
      : undefined;
    this.#sender = new UplinkSender({
      appAck: this.#appAck,
      alertAck: this.#alertAck,
      store: this.#store,
      uplink: options.uplink,
      clock: options.clock,
      ports: {
        data: (uplinkConfig.kind === 'lorawan' ? uplinkConfig.fPortData : undefined) ?? GATEWAY_DEFAULTS.dataPort,
        alert: (uplinkConfig.kind === 'lorawan' ? uplinkConfig.fPortAlert : undefined) ?? GATEWAY_DEFAULTS.alertPort,
      },
      status: () => this.#statusMessage(),
      recut: (payload, maxBytes) => this.#recut(payload, maxBytes),
      retryFirstMs: options.retryFirstMs,
      retryMaxMs: options.retryMaxMs,
      onSent: (what, payload) => {
        if (what === 'status') this.#downlinks.onStatusSent(payload);
        this.#emit({ kind: 'sent', what, bytes: payload.length });
      },
      onFailure: (error) => this.#emit({ kind: 'uplink-failed', error }),
    });
    options.uplink.onDownlink = (message) => this.#downlinks.onDownlink(message.payload);
  }

  /** Start polling, the flush and status periods, and the sender (which first delivers what a previous run left in the log). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#engine.pollingStarted();
    for (const scheduler of this.#schedulers) scheduler.start();
    this.#armFlush();
    this.#armStatus();
    this.#sender.start();
    this.#sender.requestStatus();
  }

  /** Stop polling and sending; queued samples are framed into the log so nothing waits in RAM. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#flushTimer !== undefined) this.#clock.cancel(this.#flushTimer);
    if (this.#statusTimer !== undefined) this.#clock.cancel(this.#statusTimer);
    await Promise.all(this.#schedulers.map((scheduler) => scheduler.stop()));
    this.#downlinks.stop();
    this.flush();
    await this.#sender.stop();
    this.#store.sync();
  }

  /** Stop, then release ports, timers and files. Alarm state, the log and the channel table stay for the next run. */
  async close(): Promise<void> {
    await this.stop();
    this.#engine.close();
    await Promise.all(this.#schedulers.map((scheduler) => scheduler.close()));
    this.#store.close();
    this.#o.uplink.onDownlink = undefined;
  }

  /** Frame the queued samples into the log now (the flush period does this by itself). */
  flush(): void {
    const maxBytes = Math.min(this.#o.uplink.maxPayloadBytes() - (this.#appAck?.overheadBytes ?? 0), this.#store.maxPayloadBytes);
    let appended = 0;
    for (const frame of this.#encoder.flush(maxBytes)) {
      this.#store.append('reading', frame);
      appended++;
    }
    if (appended > 0) {
      this.#store.sync();
      this.#sender.kick();
    }
  }

  /**
   * Acknowledge an active alarm here (a local button, the Pi's status page): exactly what an
   * acknowledge downlink does. The 'acknowledged' alert goes up like any alert, silenceable
   * outputs go quiet, the alarm stays active until its condition clears. Returns the levels
   * newly acknowledged (0: not active, or acknowledged already).
   */
  acknowledge(rule: string, level?: AlertLevel): number {
    return this.#engine.acknowledge(rule, this.#clock.unixTimeMs(), level);
  }

  stats(): GatewayStats {
    const store = this.#store.status();
    const uplink: GatewayStats['uplink'] = { state: this.#sender.state };
    const retryAt = this.#sender.retryAt;
    if (this.#sender.state === 'backoff' && retryAt !== undefined) uplink.retryInMs = Math.max(0, retryAt - this.#clock.now());
    const lastError = this.#sender.lastError;
    if (lastError !== undefined) uplink.lastError = lastError.message;
    if (this.#appAck !== undefined) {
      uplink.awaitingAck = this.#appAck.stats.awaiting;
      if (this.#alertAck !== undefined) uplink.alertFramesAwaitingAck = this.#alertAck.stats.awaiting;
      uplink.resent = this.#appAck.stats.resent + (this.#alertAck?.stats.resent ?? 0);
    }
    const sent = this.#sender.stats;
    return {
      ...this.#counts,
      missedPolls: this.#missedPolls(),
      alertsSent: sent.alertsSent,
      alertFramesSent: sent.alertFramesSent,
      framesSent: sent.framesSent,
      statusSent: sent.statusSent,
      bytesSent: sent.bytesSent,
      sendFailures: sent.failures,
      refusedDownlinks: this.#downlinks.refused,
      queuedSamples: this.#encoder.pending,
      store: {
        pendingAlerts: store.pendingAlerts,
        pendingReadings: store.pendingReadings,
        droppedReadings: store.droppedReadings,
        usedBytes: store.usedBytes,
        capacityBytes: store.capacityBytes,
      },
      uplink,
      activeAlarms: this.#engine.activeAlarms(),
    };
  }

  #missedPolls(): number {
    let missed = 0;
    for (const scheduler of this.#schedulers) for (const device of scheduler.stats()) missed += device.missedBeats;
    return missed;
  }

  #onPoll(poll: PollResult): void {
    this.#counts.polls++;
    // Alarms first: the engine drives the outputs and raises alerts before anything is batched.
    this.#engine.onPoll(poll.device, poll.t, poll.readings);
    let valid = 0;
    for (const point of Object.keys(poll.readings)) {
      const reading = poll.readings[point];
      if (!reading.ok) continue;
      valid++;
      // Config points are read (and cached) by the driver but are not channels.
      if (findChannel(this.channelTable, poll.device, point) === undefined) continue;
      try {
        this.#encoder.add({ device: poll.device, point, t: poll.t, value: reading.value });
        this.#counts.samples++;
      } catch (error) {
        this.#emit({ kind: 'error', error: asError(error) });
      }
    }
    if (valid === 0) this.#counts.failedPolls++;
    // A fast site fills the queue long before the period is up: frame it while one flush is still small beside the log.
    if (this.#encoder.pending >= this.#earlyFlushAt) this.flush();
    this.#emit({ kind: 'poll', poll });
  }

  #onAlert(alert: AlertEvent): void {
    this.#counts.alerts++;
    try {
      // Durable before it is sent: an alert survives a reboot even if the uplink is down.
      this.#store.append('alert', encodeAlert(alert, this.channelTable));
      this.#sender.kick();
    } catch (error) {
      this.#emit({ kind: 'error', error: asError(error) });
    }
    this.#emit({ kind: 'alert', alert });
  }

  /** A poll period set (or cleared) by downlink: the scheduler polls to it, the offline watch measures by it at once. */
  #setPollPeriod(device: string, periodS: number | undefined): boolean {
    const scheduler = this.#schedulerOf.get(device);
    if (scheduler === undefined) return false;
    scheduler.setPollPeriod(device, periodS);
    // Undefined while the constructor restores persisted periods: the engine, built next, reads them then.
    this.#engine?.pollPeriodChanged(device);
    return true;
  }

  #statusMessage(): Uint8Array {
    const store = this.#store.status();
    const refused = this.#downlinks.statusRefusal(this.#o.uplink.maxPayloadBytes());
    return encodeStatus({ t: this.#clock.unixTimeMs(), dropped: store.droppedReadings, queued: store.pendingAlerts + store.pendingReadings, refused });
  }

  /** A stored frame larger than the uplink now allows, re-encoded into frames that fit (same readings, same table). */
  #recut(payload: Uint8Array, maxBytes: number): Uint8Array[] | undefined {
    try {
      const content = decodeBatchFrame(payload);
      const encoder = new BatchEncoder(this.channelTable, { timeStepS: content.stepS as TimeStepS });
      for (const reading of readingsOf(content, this.channelTable)) encoder.add(reading);
      const frames = encoder.flush(maxBytes);
      return encoder.pending === 0 ? frames : undefined;
    } catch (error) {
      this.#emit({ kind: 'error', error: asError(error) });
      return undefined;
    }
  }

  #armFlush(): void {
    this.#flushTimer = this.#clock.schedule(this.#o.flushEveryMs ?? GATEWAY_DEFAULTS.flushEveryMs, () => {
      this.flush();
      if (this.#running) this.#armFlush();
    });
  }

  #armStatus(): void {
    this.#statusTimer = this.#clock.schedule(this.#o.statusEveryMs ?? GATEWAY_DEFAULTS.statusEveryMs, () => {
      this.#sender.requestStatus();
      if (this.#running) this.#armStatus();
    });
  }

  #emit(event: GatewayEvent): void {
    this.#o.onEvent?.(event);
  }
}
