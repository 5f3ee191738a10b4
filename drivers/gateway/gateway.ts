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
 * downlink (re-applied before the first poll); alarm state and the log
 * persist themselves.
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
import { siteRules } from '../rules/defaults.js';
import type { OutputConfig } from './site.js';
import type { PollResult, PortScheduler } from '../scheduler/port-scheduler.js';
import type { ManifestLookup } from '../scheduler/site-device.js';
import { schedulersForSite, type SiteSchedulerOptions } from '../scheduler/site-schedulers.js';
import { StoreAndForward } from '../store/store.js';
import { decodeDownlink, type Downlink } from './downlink.js';
import type { AlertEvent } from './events.js';
import { saveBlob } from './kv-blob.js';
import { encodePollOverrides, loadPollOverrides, POLL_OVERRIDES_KEY, savePollOverrides } from './poll-overrides.js';
import { CHANNEL_TABLE_KEY, loadChannelTable, siteChannelTable } from './site-channels.js';
import type { BusConfig, SiteFile } from './site.js';
import { UplinkSender, type SentKind, type UplinkState } from './uplink-sender.js';
import { AppAckWindow, type AppAckOptions } from './app-ack-window.js';

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
  /** Scheduler tuning for hosts with coarse serial timing (Node on ptys). */
  minQuietMs?: number;
  modbus?: SiteSchedulerOptions['modbus'];
  /** Everything that happens, for a live view or a log. */
  onEvent?: (event: GatewayEvent) => void;
}

export type GatewayEvent =
  | { kind: 'poll'; poll: PollResult }
  | { kind: 'alert'; alert: AlertEvent }
  | { kind: 'sent'; what: SentKind; bytes: number }
  | { kind: 'uplink-failed'; error: Error }
  | { kind: 'downlink'; downlink: Downlink }
  | { kind: 'error'; error: Error };

export interface GatewayStats {
  polls: number;
  /** Polls in which no point could be read. */
  failedPolls: number;
  /** Valid readings queued for batches. */
  samples: number;
  /** Alert events raised, cleared or acknowledged. */
  alerts: number;
  alertsSent: number;
  framesSent: number;
  statusSent: number;
  bytesSent: number;
  sendFailures: number;
  /** Samples waiting for the next flush. */
  queuedSamples: number;
  store: { pendingAlerts: number; pendingReadings: number; droppedReadings: number; usedBytes: number; capacityBytes: number };
  uplink: { state: UplinkState; retryInMs?: number; lastError?: string; /** Under application acks: frames on the air awaiting the platform's data-ack, and frames resent. */ awaitingAck?: number; resent?: number };
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
  readonly #counts = { polls: 0, failedPolls: 0, samples: 0, alerts: 0 };
  /** Poll periods set by downlink and in force, s, by device. */
  #pollOverrides: Map<string, number>;
  /** The bytes of the meta record as last read or written (a write is skipped when nothing changed). */
  #pollOverridesRecord: Uint8Array;
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
    this.#encoder = new BatchEncoder(this.channelTable);
    this.#store = StoreAndForward.open({ files: options.files, meta: options.meta, capacityBytes: options.storeCapacityBytes ?? GATEWAY_DEFAULTS.storeCapacityBytes });
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
    const saved = loadPollOverrides(options.meta);
    this.#pollOverrides = saved?.overrides ?? new Map();
    // No record, or an unreadable one, is as good as an empty one: nothing is written until a downlink sets a period.
    this.#pollOverridesRecord = saved?.bytes ?? encodePollOverrides(this.#pollOverrides);
    this.#restorePollOverrides();
    const outputKinds: Record<string, OutputConfig['kind']> = {};
    for (const output of options.site.outputs ?? []) outputKinds[output.id] = output.kind;
    this.#engine = new AlertEngine({
      rules,
      clock: options.clock,
      store: options.meta,
      outputs: options.outputs,
      outputKinds,
      pollPeriodMs: (device) => this.#schedulerOf.get(device)?.periodOf(device) ?? 0,
      onAlert: (event) => this.#onAlert(event),
      onError: (error) => this.#emit({ kind: 'error', error }),
    });
    const uplinkConfig = options.site.uplink;
    this.#appAck = options.uplink.delivery === 'application' ? new AppAckWindow(this.#store, options.clock, options.appAck) : undefined;
    this.#sender = new UplinkSender({
      appAck: this.#appAck,
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
      onSent: (what, payload) => this.#emit({ kind: 'sent', what, bytes: payload.length }),
      onFailure: (error) => this.#emit({ kind: 'uplink-failed', error }),
    });
    options.uplink.onDownlink = (message) => this.#onDownlink(message.payload);
  }

  /** Start polling, the flush and status periods, and the sender (which first delivers what a previous run left in the log). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
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

  stats(): GatewayStats {
    const store = this.#store.status();
    const uplink: GatewayStats['uplink'] = { state: this.#sender.state };
    const retryAt = this.#sender.retryAt;
    if (this.#sender.state === 'backoff' && retryAt !== undefined) uplink.retryInMs = Math.max(0, retryAt - this.#clock.now());
    const lastError = this.#sender.lastError;
    if (lastError !== undefined) uplink.lastError = lastError.message;
    if (this.#appAck !== undefined) {
      uplink.awaitingAck = this.#appAck.stats.awaiting;
      uplink.resent = this.#appAck.stats.resent;
    }
    const sent = this.#sender.stats;
    return {
      ...this.#counts,
      alertsSent: sent.alertsSent,
      framesSent: sent.framesSent,
      statusSent: sent.statusSent,
      bytesSent: sent.bytesSent,
      sendFailures: sent.failures,
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

  #onDownlink(payload: Uint8Array): void {
    let downlink: Downlink;
    try {
      downlink = decodeDownlink(payload, this.channelTable);
      if (downlink.kind === 'data-ack') {
        // Bookkeeping, not a command: no status answer (it would cost an uplink per acknowledgement).
        this.#sender.acknowledged(downlink.base, downlink.seqs);
        this.#emit({ kind: 'downlink', downlink });
        return;
      }
      if (downlink.kind === 'acknowledge') this.#engine.acknowledge(downlink.rule, this.#clock.unixTimeMs(), downlink.level);
      else this.#schedulerOf.get(downlink.device)?.setPollPeriod(downlink.device, downlink.periodS);
    } catch (error) {
      this.#emit({ kind: 'error', error: asError(error) });
      return;
    }
    if (downlink.kind === 'poll-period' && this.#schedulerOf.has(downlink.device)) {
      const overrides = new Map(this.#pollOverrides);
      if (downlink.periodS === undefined) overrides.delete(downlink.device);
      else overrides.set(downlink.device, downlink.periodS);
      // Obeyed either way; a store that refuses the write is reported, and the period holds until a restart.
      this.#persistPollOverrides(overrides);
    }
    // Answer at once: the status frame tells the platform the gateway is alive
    // and carries a LoRaWAN ACK of a confirmed downlink now, not at the next batch.
    this.#sender.requestStatus();
    this.#emit({ kind: 'downlink', downlink });
  }

  /**
   * Apply the overrides a previous run persisted, before the first poll. Those
   * of devices no longer in the site (or that a scheduler refuses) are dropped
   * and the record rewritten. An unreadable record reads as none: the site
   * file's periods apply.
   */
  #restorePollOverrides(): void {
    const kept = new Map<string, number>();
    for (const [device, periodS] of this.#pollOverrides) {
      const scheduler = this.#schedulerOf.get(device);
      if (scheduler === undefined) continue;
      try {
        scheduler.setPollPeriod(device, periodS);
        kept.set(device, periodS);
      } catch (error) {
        this.#emit({ kind: 'error', error: asError(error) });
      }
    }
    this.#persistPollOverrides(kept);
  }

  /** Make `overrides` the ones in force and save them, unless the record already holds them. */
  #persistPollOverrides(overrides: Map<string, number>): void {
    this.#pollOverrides = overrides;
    const bytes = encodePollOverrides(overrides);
    if (bytesEqual(bytes, this.#pollOverridesRecord)) return;
    try {
      savePollOverrides(this.#o.meta, bytes);
      this.#pollOverridesRecord = bytes;
    } catch (error) {
      this.#emit({
        kind: 'error',
        error: new AxonError('GATEWAY_PERSIST_FAILED', `poll periods set by downlink could not be saved (${asError(error).message})`, {
          where: `meta key ${POLL_OVERRIDES_KEY}`,
          fix: 'check the meta store (NVS, the state directory) has room; the periods apply until the next restart',
        }),
      });
    }
  }

  #statusMessage(): Uint8Array {
    const store = this.#store.status();
    return encodeStatus({ t: this.#clock.unixTimeMs(), dropped: store.droppedReadings, queued: store.pendingAlerts + store.pendingReadings });
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
