/**
 * What the gateway does with a downlink (docs/gateway.md, "Downlinks"), kept
 * out of gateway.ts: decode, check, obey or refuse, answer, persist.
 *
 * - A poll period outside its bounds (poll-period-bounds.ts), a malformed
 *   downlink or one naming a channel or rule the gateway does not have is
 *   refused: counted, reported as an `error` event, answered with a status
 *   that says why (docs/batch-format.md §7), never applied, never persisted.
 * - Answers and saves are throttled (throttle.ts): a flood of downlinks costs
 *   at most one status uplink and one save of the poll-period record per
 *   window (the first at once, the rest folded into one at the window's end).
 * - Overrides are persisted with a fingerprint of the device's site entry. At
 *   start, an override is dropped, with a `notice` event, when that entry has
 *   changed (the site file wins), when the device left the site, or when its
 *   period is outside today's bounds (a record written by an older version).
 */
import { AxonError } from '../errors.js';
import { bytesEqual } from '../bytes.js';
import type { ChannelTable } from '../batch/channels.js';
import { STATUS_WITH_REFUSAL_BYTES, type StatusRefusal } from '../batch/status.js';
import { readUint } from '../batch/fixed-bytes.js';
import type { Clock } from '../ports/clock.js';
import type { KeyValueStore } from '../ports/storage.js';
import type { AlertLevel } from '../rules/config.js';
import { manifestFor, type ManifestLookup } from '../scheduler/site-device.js';
import { decodeDownlink, DownlinkRefused, type Downlink } from './downlink.js';
import type { GatewayEvent } from './gateway.js';
import { checkDownlinkPollPeriod, pollPeriodBounds, withinBounds, type PollPeriodBounds } from './poll-period-bounds.js';
import { encodePollOverrides, loadPollOverrides, POLL_OVERRIDES_KEY, savePollOverrides, siteEntryFingerprint, type PollOverrides } from './poll-overrides.js';
import type { SiteDevice, SiteFile } from './site.js';
import { Throttle } from './throttle.js';

/** Default rate-limit window: at most one answer and one save per 30 s. */
export const DOWNLINK_WINDOW_MS = 30_000;

export interface DownlinkControlOptions {
  site: SiteFile;
  manifests: ManifestLookup;
  clock: Clock;
  meta: KeyValueStore;
  table: ChannelTable;
  /** Rate-limit window, ms (default DOWNLINK_WINDOW_MS). */
  windowMs?: number;
  /** Change a device's poll period (undefined: the site file's); false when no scheduler has the device. */
  setPollPeriod(device: string, periodS: number | undefined): boolean;
  acknowledge(rule: string, level: AlertLevel | undefined): void;
  /** The platform's data-ack (docs/app-ack.md): sequenced frames it received, from `base` on. */
  dataAck(base: number, seqs: readonly number[]): void;
  /** Ask for a status message (the answer). */
  requestStatus(): void;
  emit(event: GatewayEvent): void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new AxonError('GATEWAY_FAILURE', String(error));
}

export class DownlinkControl {
  readonly #o: DownlinkControlOptions;
  readonly #devices = new Map<string, { entry: SiteDevice; bounds: PollPeriodBounds }>();
  readonly #answer: Throttle;
  readonly #save: Throttle;
  #overrides: PollOverrides = { periods: new Map(), sites: new Map() };
  /** The bytes of the meta record as last read or written (a save is skipped when nothing changed). */
  #record: Uint8Array;
  #refused = 0;
  #lastRefusal: DownlinkRefused | undefined;
  /** Refusals numbered 1, 2, …: the last one a status was built with, and the last one a delivered status carried. */
  #refusalInStatus = 0;
  #refusalReported = 0;

  constructor(options: DownlinkControlOptions) {
    this.#o = options;
    for (const bus of options.site.buses) {
      for (const entry of bus.devices) this.#devices.set(entry.id, { entry, bounds: pollPeriodBounds(manifestFor(options.manifests, entry)) });
    }
    const windowMs = options.windowMs ?? DOWNLINK_WINDOW_MS;
    this.#answer = new Throttle(options.clock, windowMs, () => options.requestStatus());
    this.#save = new Throttle(options.clock, windowMs, () => this.#persist());
    this.#record = encodePollOverrides(this.#overrides);
  }

  /** Downlinks refused since start. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Apply the overrides a previous run persisted, before the first poll, and
   * rewrite the record without those dropped. An unreadable record reads as
   * none (nothing is written until a downlink sets a period).
   */
  restore(): void {
    const saved = loadPollOverrides(this.#o.meta);
    if (saved === undefined) return;
    this.#record = saved.bytes;
    const kept: PollOverrides = { periods: new Map(), sites: new Map() };
    for (const [device, periodS] of saved.overrides.periods) {
      const known = this.#devices.get(device);
      if (known === undefined) {
        this.#o.emit({ kind: 'notice', code: 'POLL_OVERRIDE_DROPPED', message: `poll period ${periodS} s set by downlink for ${device} dropped: the device is no longer in the site file` });
        continue;
      }
      const fingerprint = siteEntryFingerprint(known.entry);
      const saw = saved.overrides.sites.get(device);
      const dropped =
        saw !== undefined && saw !== fingerprint
          ? 'its entry in the site file changed since (the site file wins)'
          : !withinBounds(periodS, known.bounds)
            ? `it is outside ${known.bounds.minS}–${known.bounds.maxS} s`
            : undefined;
      if (dropped !== undefined) {
        this.#o.emit({ kind: 'notice', code: 'POLL_OVERRIDE_DROPPED', message: `poll period ${periodS} s set by downlink for ${device} dropped: ${dropped}; polling at the site file's period` });
        continue;
      }
      try {
        if (!this.#o.setPollPeriod(device, periodS)) continue;
      } catch (error) {
        this.#o.emit({ kind: 'error', error: asError(error) });
        continue;
      }
      kept.periods.set(device, periodS);
      kept.sites.set(device, fingerprint);
    }
    this.#overrides = kept;
    this.#persist();
  }

  onDownlink(payload: Uint8Array): void {
    let downlink: Downlink;
    try {
      downlink = decodeDownlink(payload, this.#o.table);
      if (downlink.kind === 'data-ack') {
        // Bookkeeping, not a command: no status answer (it would cost an uplink per acknowledgement).
        this.#o.dataAck(downlink.base, downlink.seqs);
        this.#o.emit({ kind: 'downlink', downlink });
        return;
      }
      if (downlink.kind === 'acknowledge') this.#o.acknowledge(downlink.rule, downlink.level);
      else this.#setPollPeriod(downlink, readUint(payload, 1, 2));
    } catch (error) {
      if (error instanceof DownlinkRefused) this.#refuse(error);
      this.#o.emit({ kind: 'error', error: asError(error) });
      // A refusal is answered (the platform learns why); another failure (a store, a scheduler) is only reported.
      if (error instanceof DownlinkRefused) this.#answer.request();
      return;
    }
    // Answer at once (or at the end of the window): the status frame tells the platform the gateway is
    // alive and carries a LoRaWAN ACK of a confirmed downlink now, not at the next batch.
    this.#answer.request();
    this.#o.emit({ kind: 'downlink', downlink });
  }

  /** What the next status says about refusals: the last one until a status carrying it has been delivered, if it fits. */
  statusRefusal(maxPayloadBytes: number): StatusRefusal | undefined {
    const last = this.#lastRefusal;
    if (last === undefined || this.#refusalReported === this.#refused || maxPayloadBytes < STATUS_WITH_REFUSAL_BYTES) return undefined;
    this.#refusalInStatus = this.#refused;
    const refusal: StatusRefusal = { count: this.#refused, downlink: last.downlinkType, reason: last.reason };
    if (last.index !== undefined) refusal.index = last.index;
    return refusal;
  }

  /** A status went out: if it carried the refusal block, that refusal has been reported. */
  onStatusSent(payload: Uint8Array): void {
    if (payload.length === STATUS_WITH_REFUSAL_BYTES) this.#refusalReported = this.#refusalInStatus;
  }

  /** On stop: save now what waits for the end of the window; an answer still waiting is dropped (the sender is stopping too). */
  stop(): void {
    this.#save.flush();
    this.#answer.close();
  }

  #setPollPeriod(downlink: Extract<Downlink, { kind: 'poll-period' }>, channel: number): void {
    const known = this.#devices.get(downlink.device);
    if (known !== undefined && downlink.periodS !== undefined) checkDownlinkPollPeriod(downlink.device, channel, downlink.periodS, known.bounds);
    if (!this.#o.setPollPeriod(downlink.device, downlink.periodS) || known === undefined) return;
    const periods = new Map(this.#overrides.periods);
    const sites = new Map(this.#overrides.sites);
    if (downlink.periodS === undefined) {
      periods.delete(downlink.device);
      sites.delete(downlink.device);
    } else {
      periods.set(downlink.device, downlink.periodS);
      sites.set(downlink.device, siteEntryFingerprint(known.entry));
    }
    this.#overrides = { periods, sites };
    // Obeyed at once; saved now or at the end of the window. A store that refuses the write is reported, and the period holds until a restart.
    this.#save.request();
  }

  #refuse(error: DownlinkRefused): void {
    this.#refused++;
    this.#lastRefusal = error;
  }

  /** Save the overrides in force, unless the record already holds them. */
  #persist(): void {
    const bytes = encodePollOverrides(this.#overrides);
    if (bytesEqual(bytes, this.#record)) return;
    try {
      savePollOverrides(this.#o.meta, bytes);
      this.#record = bytes;
    } catch (error) {
      this.#o.emit({
        kind: 'error',
        error: new AxonError('GATEWAY_PERSIST_FAILED', `poll periods set by downlink could not be saved (${asError(error).message})`, {
          where: `meta key ${POLL_OVERRIDES_KEY}`,
          fix: 'check the meta store (NVS, the state directory) has room; the periods apply until the next restart',
        }),
      });
    }
  }
}
