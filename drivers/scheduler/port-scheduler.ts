/**
 * PortScheduler: the one owner of one physical port. Every transaction on the
 * port goes through it, one at a time, so pollers can never fight over a bus
 * (DESIGN.md §3 field complaint). Modbus RTU, DL/T 645 and CJ/T 188 devices
 * share the port through a PortMux: each protocol client has its own channel
 * and the scheduler claims the port for one device's turn at a time.
 *
 * Policy, in the order the loop applies it:
 *  1. queued writes first: a write waits at most for the device poll in progress;
 *  2. then the due device with the lowest priority number (alarm-class devices
 *     default to 0, others to 10), earliest due time next, site order last;
 *  3. a device's next due time is its previous due time plus its period, so
 *     cadence does not drift with poll duration; beats that are already past
 *     are skipped (and counted) rather than polled back to back;
 *  4. adaptive devices switch to their fast period while the condition holds
 *     on the latest reading, and back when it stops holding;
 *  5. a device whose polls fail `failureThreshold` times in a row is skipped
 *     with exponential back-off (see breaker.ts); the probe poll makes a single
 *     attempt per request, and a silent device's remaining requests are failed
 *     at once instead of each waiting out its own timeout.
 * Time comes only from the Clock port, so all of this runs in virtual time.
 */
import { AxonError } from '../errors.js';
import type { BusConfig, SiteDevice } from '../gateway/site.js';
import type { DeviceManifest } from '../devices/manifest.js';
import { ModbusDevice } from '../devices/modbus-device.js';
import { MeterDevice } from '../devices/meter-device.js';
import type { PointReading } from '../devices/reading.js';
import { planReads, type ReadRequest } from '../devices/read-plan.js';
import type { ModbusClient, RequestOptions } from '../modbus/client.js';
import { ModbusRtuMaster, interFrameDelayMs } from '../modbus/rtu-master.js';
import type { ByteStream } from '../ports/byte-stream.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { CircuitBreaker, breakerOptionsFor, type BreakerOptions, type BreakerState } from './breaker.js';
import { ScheduledCjt188Client, ScheduledDlt645Client, isSilence, type PollSession } from './meter-clients.js';
import { PlanImageClient, PollImage } from './poll-image.js';
import { MuxChannel, PortMux, type PortMuxStats } from './port-mux.js';
import {
  adaptiveConditionHolds,
  busLine,
  devicePeriodMs,
  devicePriority,
  manifestFor,
  polledModbusPoints,
  type ManifestLookup,
} from './site-device.js';
import { extendPlan } from './stable-plan.js';

/** One poll of one device, as emitted to the pipeline. */
export interface PollResult {
  bus: string;
  /** Site device id. */
  device: string;
  /** Unix time the poll started, ms (Clock.unixTimeMs). */
  t: number;
  readings: Record<string, PointReading>;
  /** Clock time the poll took, ms (wire time, timeouts and retries included). */
  durationMs: number;
}

export interface DeviceStats {
  device: string;
  priority: number;
  /** Period in force, ms (the adaptive one while its condition holds). */
  periodMs: number;
  adaptiveActive: boolean;
  polls: number;
  /** Polls in which no point could be read. */
  failures: number;
  consecutiveFailures: number;
  breaker: BreakerState;
  backoffMs: number;
  /** Clock time of the next poll (the breaker's retry time while it is open). */
  nextDueMs: number;
  lastPollMs: number | undefined;
  lastDurationMs: number | undefined;
  /** Largest delay between a poll's due time and its start, ms. */
  maxLatenessMs: number;
  /** Beats skipped because the poll came too late for them. */
  missedBeats: number;
  /** Read requests put on the wire for this device's polls (Modbus plan requests, meter DIs; config reads not counted). */
  requests: number;
  writes: number;
}

export interface PortSchedulerOptions {
  bus: BusConfig;
  /** The port. The scheduler becomes its only owner and closes it in close(). */
  stream: ByteStream;
  clock: Clock;
  manifests: ManifestLookup;
  onPoll?: (result: PollResult) => void;
  /** Unexpected failures of the loop itself (device trouble is reported in readings, not here). */
  onError?: (error: Error) => void;
  /** Circuit breaker tuning; the first back-off defaults to two poll periods of the device. */
  breaker?: BreakerOptions;
  /** Read plans to start from (e.g. persisted from a previous run), by device id: kept stable, see stable-plan.ts. */
  plans?: ReadonlyMap<string, readonly ReadRequest[]>;
  /** Quiet line before each device's turn, ms. Default and minimum t3.5 of the bus line. Raise on hosts with coarse serial timing. */
  minQuietMs?: number;
  /** Tuning of the Modbus RTU master (see RtuMasterOptions). */
  modbus?: { minFrameGapMs?: number; lateReplyWindowMs?: number };
}

type Driver =
  | { kind: 'modbus'; device: ModbusDevice; client: PlanImageClient; plan: ReadRequest[] }
  | { kind: 'meter'; device: MeterDevice; session: PollSession; channel: MuxChannel };

interface ScheduledDevice {
  site: SiteDevice;
  manifest: DeviceManifest;
  order: number;
  priority: number;
  driver: Driver;
  breaker: CircuitBreaker;
  adaptiveActive: boolean;
  nextDue: number;
  stats: Omit<DeviceStats, 'device' | 'priority' | 'periodMs' | 'adaptiveActive' | 'consecutiveFailures' | 'breaker' | 'backoffMs' | 'nextDueMs'>;
}

interface QueuedWrite {
  device: ScheduledDevice;
  point: string;
  value: number | boolean;
  resolve(): void;
  reject(error: Error): void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new AxonError('SCHEDULER_FAILURE', String(error));
}

/** Every point of the device failed with `error`, in manifest order. */
function failedReadings(manifest: DeviceManifest, error: Error): Record<string, PointReading> {
  const readings: Record<string, PointReading> = {};
  for (const point of manifest.points) readings[point.id] = { ok: false, error };
  return readings;
}

async function readRequest(client: ModbusClient, unit: number, request: ReadRequest, options: RequestOptions): Promise<ArrayLike<number>> {
  const { address, count } = request;
  switch (request.fc) {
    case 1:
      return (await client.readCoils(unit, address, count, options)).map(Number);
    case 2:
      return (await client.readDiscreteInputs(unit, address, count, options)).map(Number);
    case 3:
      return client.readHoldingRegisters(unit, address, count, options);
    case 4:
      return client.readInputRegisters(unit, address, count, options);
  }
}

export class PortScheduler {
  readonly bus: BusConfig;
  readonly #clock: Clock;
  readonly #manifests: ManifestLookup;
  readonly #options: PortSchedulerOptions;
  readonly #mux: PortMux;
  readonly #quietMs: number;
  readonly #devices = new Map<string, ScheduledDevice>();
  readonly #writes: QueuedWrite[] = [];
  #modbus: { master: ModbusRtuMaster; channel: MuxChannel } | undefined;
  #dlt645: { client: ScheduledDlt645Client; channel: MuxChannel } | undefined;
  #cjt188: { client: ScheduledCjt188Client; channel: MuxChannel } | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #busy = false;

  constructor(options: PortSchedulerOptions) {
    this.#options = options;
    this.bus = options.bus;
    this.#clock = options.clock;
    this.#manifests = options.manifests;
    const line = busLine(options.bus);
    this.#mux = new PortMux(options.stream, options.clock, line);
    this.#quietMs = Math.max(interFrameDelayMs(line), options.minQuietMs ?? 0);
    const now = options.clock.now();
    options.bus.devices.forEach((site, order) => {
      const manifest = manifestFor(this.#manifests, site);
      this.#devices.set(site.id, {
        site,
        manifest,
        order,
        priority: devicePriority(site, manifest),
        driver: this.#driverFor(site, manifest, options.plans?.get(site.id) ?? []),
        breaker: new CircuitBreaker(breakerOptionsFor(devicePeriodMs(site, manifest), options.breaker)),
        adaptiveActive: false,
        nextDue: now,
        stats: { polls: 0, failures: 0, lastPollMs: undefined, lastDurationMs: undefined, maxLatenessMs: 0, missedBeats: 0, requests: 0, writes: 0 },
      });
    });
  }

  /** Byte counters of the port. */
  get portStats(): Readonly<PortMuxStats> {
    return this.#mux.stats;
  }

  /** True while a device poll or a write holds the port. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Start polling (every device is due at once; priorities order the first cycle). */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#loop = this.#run().catch((error: unknown) => this.#options.onError?.(asError(error)));
  }

  /** Stop after the transaction in progress; resolves when the loop has exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
  }

  /** Stop, fail queued writes, close the protocol clients and the port. */
  async close(): Promise<void> {
    await this.stop();
    for (const write of this.#writes.splice(0)) write.reject(new AxonError('SCHEDULER_CLOSED', `the scheduler of bus '${this.bus.id}' was closed before the write ran`));
    this.#modbus?.master.close();
    this.#dlt645?.client.close();
    this.#cjt188?.client.close();
    this.#mux.close();
  }

  /**
   * Queue a write to a point of a Modbus device. It runs between device polls,
   * ahead of every due poll; the promise settles when the device has answered.
   */
  write(deviceId: string, pointId: string, value: number | boolean): Promise<void> {
    const device = this.#devices.get(deviceId);
    if (device === undefined) return Promise.reject(this.#unknownDevice(deviceId));
    if (device.driver.kind !== 'modbus') {
      return Promise.reject(new AxonError('SCHEDULER_NOT_WRITABLE', `device '${deviceId}' is a ${device.manifest.protocol} meter; only Modbus points can be written`, {
        where: `bus ${this.bus.id}`,
        fix: 'write to a writable point of a Modbus device',
      }));
    }
    return new Promise<void>((resolve, reject) => {
      this.#writes.push({ device, point: pointId, value, resolve, reject });
      this.#wake?.();
    });
  }

  /** Make every device due now (a "poll now" button; a full back-to-back cycle for measurements). Open breakers still hold. */
  pollAllNow(): void {
    const now = this.#clock.now();
    for (const device of this.#devices.values()) device.nextDue = Math.min(device.nextDue, now);
    this.#wake?.();
  }

  /** The read plan each Modbus device runs, by device id (persist it to keep plans stable across restarts). */
  plans(): Map<string, ReadRequest[]> {
    const out = new Map<string, ReadRequest[]>();
    for (const [id, device] of this.#devices) {
      if (device.driver.kind === 'modbus') out.set(id, device.driver.plan.map((r) => ({ ...r, points: [...r.points] })));
    }
    return out;
  }

  /**
   * Take a changed site entry or manifest for a device (points added, disabled
   * or overridden). Existing read requests stay exactly as they were; new
   * points get requests of their own. Call replan() to coalesce them.
   */
  updateDevice(site: SiteDevice): void {
    const device = this.#devices.get(site.id);
    if (device === undefined) throw this.#unknownDevice(site.id);
    const manifest = manifestFor(this.#manifests, site);
    device.driver = this.#driverFor(site, manifest, device.driver.kind === 'modbus' ? device.driver.plan : []);
    device.site = site;
    device.manifest = manifest;
    device.priority = devicePriority(site, manifest);
  }

  /** Poll period in force for a device, ms (the adaptive one while its condition holds): the offline rule's yardstick. */
  periodOf(deviceId: string): number {
    return this.#periodOf(this.#devices.get(deviceId) ?? this.#throwUnknown(deviceId));
  }

  /**
   * Change a device's normal poll period (a configuration downlink); undefined
   * returns to the site file's. The next poll comes at most one new period
   * after the last one, so shortening a long period takes effect at once.
   */
  setPollPeriod(deviceId: string, periodS: number | undefined): void {
    const device = this.#devices.get(deviceId) ?? this.#throwUnknown(deviceId);
    if (periodS !== undefined && !(Number.isFinite(periodS) && periodS > 0)) {
      throw new AxonError('SCHEDULER_BAD_PERIOD', `poll period ${periodS} s for device '${deviceId}' is not a positive number`, { fix: 'give a period in seconds, 1–86400' });
    }
    const site = { ...device.site };
    const period = periodS ?? this.bus.devices.find((d) => d.id === deviceId)?.pollPeriodS;
    if (period === undefined) delete site.pollPeriodS;
    else site.pollPeriodS = period;
    device.site = site;
    const last = device.stats.lastPollMs;
    if (last !== undefined) device.nextDue = Math.min(device.nextDue, last + this.#periodOf(device));
    this.#wake?.();
  }

  /** Plan a device's reads from scratch (or every device's): the only way existing requests change. */
  replan(deviceId?: string): void {
    const targets = deviceId === undefined ? [...this.#devices.values()] : [this.#devices.get(deviceId) ?? this.#throwUnknown(deviceId)];
    for (const device of targets) {
      if (device.driver.kind === 'modbus') device.driver.plan = planReads(polledModbusPoints(device.manifest), this.bus.plan);
    }
  }

  stats(): DeviceStats[] {
    return [...this.#devices.values()].map((d) => ({
      device: d.site.id,
      priority: d.priority,
      periodMs: this.#periodOf(d),
      adaptiveActive: d.adaptiveActive,
      consecutiveFailures: d.breaker.consecutiveFailures,
      breaker: d.breaker.state,
      backoffMs: d.breaker.backoffMs,
      nextDueMs: this.#dueOf(d),
      ...d.stats,
    }));
  }

  // ── the loop ────────────────────────────────────────────────────────────

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const write = this.#writes.shift();
      if (write !== undefined) {
        await this.#serveWrite(write);
        continue;
      }
      const now = this.#clock.now();
      const next = this.#pickDue(now);
      if (next !== undefined) {
        await this.#poll(next, this.#dueOf(next));
        continue;
      }
      await this.#sleepUntil(this.#earliestDue());
    }
  }

  /** Due time, held back while the breaker is open. */
  #dueOf(device: ScheduledDevice): number {
    return Math.max(device.nextDue, device.breaker.retryAt);
  }

  #pickDue(now: number): ScheduledDevice | undefined {
    let best: ScheduledDevice | undefined;
    for (const device of this.#devices.values()) {
      const due = this.#dueOf(device);
      if (due > now) continue;
      if (best === undefined) {
        best = device;
        continue;
      }
      const bestDue = this.#dueOf(best);
      if (device.priority < best.priority || (device.priority === best.priority && (due < bestDue || (due === bestDue && device.order < best.order)))) best = device;
    }
    return best;
  }

  #earliestDue(): number {
    let earliest = Infinity;
    for (const device of this.#devices.values()) earliest = Math.min(earliest, this.#dueOf(device));
    return earliest;
  }

  /** Sleep until `time` or until woken by a write or stop(). */
  #sleepUntil(time: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined;
      const done = () => {
        if (timer !== undefined) this.#clock.cancel(timer);
        this.#wake = undefined;
        resolve();
      };
      if (Number.isFinite(time)) timer = this.#clock.schedule(Math.max(0, time - this.#clock.now()), done);
      this.#wake = done;
    });
  }

  /** Wait until the line has been quiet for t3.5 (or minQuietMs): another client's slaves need the gap to frame. */
  async #quiet(): Promise<void> {
    for (;;) {
      const wait = this.#mux.lastActivity + this.#quietMs - this.#clock.now();
      if (wait <= 1e-6) return;
      await new Promise<void>((resolve) => this.#clock.schedule(wait, resolve));
    }
  }

  async #poll(device: ScheduledDevice, due: number): Promise<void> {
    device.breaker.allows(this.#clock.now()); // an open breaker past its back-off becomes a half-open probe
    this.#busy = true;
    let readings: Record<string, PointReading>;
    let startedAt = this.#clock.now();
    let t = this.#clock.unixTimeMs();
    try {
      await this.#quiet();
      startedAt = this.#clock.now();
      t = this.#clock.unixTimeMs();
      readings = await this.#read(device);
    } catch (error) {
      readings = failedReadings(device.manifest, asError(error));
      this.#options.onError?.(asError(error));
    } finally {
      this.#busy = false;
    }
    const end = this.#clock.now();
    const success = Object.values(readings).some((r) => r.ok);
    device.breaker.record(success, end);
    const stats = device.stats;
    stats.polls++;
    if (!success) stats.failures++;
    stats.lastPollMs = startedAt;
    stats.lastDurationMs = end - startedAt;
    stats.maxLatenessMs = Math.max(stats.maxLatenessMs, startedAt - due);
    this.#updateAdaptive(device, readings);
    const period = this.#periodOf(device);
    let next = due + period;
    while (next <= end) {
      next += period;
      stats.missedBeats++;
    }
    device.nextDue = next;
    this.#options.onPoll?.({ bus: this.bus.id, device: device.site.id, t, readings, durationMs: end - startedAt });
  }

  #updateAdaptive(device: ScheduledDevice, readings: Record<string, PointReading>): void {
    const adaptive = device.site.adaptive;
    if (adaptive === undefined) return;
    const reading = readings[adaptive.point];
    // An unreadable point keeps the current mode: a flooded sensor that drops out must not slow polling down.
    if (reading === undefined || !reading.ok) return;
    device.adaptiveActive = adaptiveConditionHolds(adaptive, reading.value);
  }

  #periodOf(device: ScheduledDevice): number {
    const adaptive = device.site.adaptive;
    return device.adaptiveActive && adaptive !== undefined ? adaptive.pollPeriodS * 1000 : devicePeriodMs(device.site, device.manifest);
  }

  #requestOptions(device: ScheduledDevice): RequestOptions {
    const options: RequestOptions = {};
    const timeoutMs = device.site.timeoutMs ?? device.manifest.timeoutMs ?? this.bus.timeoutMs;
    if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
    // A probe of a device that has been failing makes one attempt: retrying silence only costs bus time.
    const retries = device.breaker.state === 'half-open' ? 0 : device.site.retries;
    if (retries !== undefined) options.retries = retries;
    return options;
  }

  async #read(device: ScheduledDevice): Promise<Record<string, PointReading>> {
    const driver = device.driver;
    if (driver.kind === 'meter') {
      driver.session.guard.reset();
      driver.session.requestOptions = this.#requestOptions(device);
      const before = driver.session.guard.requests;
      try {
        return await this.#holdingPort(driver.channel, () => driver.device.readAll());
      } finally {
        device.stats.requests += driver.session.guard.requests - before;
      }
    }
    const modbus = this.#modbusClient();
    return this.#holdingPort(modbus.channel, async () => {
      const image = new PollImage(driver.device.requests);
      const options = this.#requestOptions(device);
      let silence: Error | undefined;
      let answered = false;
      for (const request of driver.plan) {
        if (silence !== undefined) {
          image.fail(request, silence);
          continue;
        }
        device.stats.requests++;
        try {
          image.store(request, await readRequest(modbus.master, driver.device.unit, request, options));
          answered = true;
        } catch (error) {
          const failure = asError(error);
          image.fail(request, failure);
          if (isSilence(failure)) silence = failure;
        }
      }
      // A device that never answered would only spend more timeouts on its config reads.
      if (silence !== undefined && !answered) return failedReadings(device.manifest, silence);
      driver.client.serve(image);
      try {
        return await driver.device.readAll();
      } finally {
        driver.client.serve(undefined);
      }
    });
  }

  async #serveWrite(write: QueuedWrite): Promise<void> {
    const driver = write.device.driver;
    if (driver.kind !== 'modbus') return; // refused in write()
    this.#busy = true;
    try {
      await this.#quiet();
      await this.#holdingPort(this.#modbusClient().channel, () => driver.device.write(write.point, write.value));
      write.device.stats.writes++;
      write.resolve();
    } catch (error) {
      write.reject(asError(error));
    } finally {
      this.#busy = false;
    }
  }

  async #holdingPort<T>(channel: MuxChannel, work: () => Promise<T>): Promise<T> {
    this.#mux.claim(channel);
    try {
      return await work();
    } finally {
      this.#mux.release(channel);
    }
  }

  // ── clients and drivers ─────────────────────────────────────────────────

  #driverFor(site: SiteDevice, manifest: DeviceManifest, previousPlan: readonly ReadRequest[]): Driver {
    if (manifest.protocol === 'modbus') {
      const client = new PlanImageClient(this.#modbusClient().master);
      const device = new ModbusDevice({ client, manifest, unit: Number(site.address), plan: this.bus.plan });
      return { kind: 'modbus', device, client, plan: extendPlan(previousPlan, polledModbusPoints(manifest), this.bus.plan) };
    }
    if (manifest.protocol === 'cjt188') {
      const { client, channel } = this.#cjt188Client();
      return { kind: 'meter', device: new MeterDevice({ client, manifest, address: site.address }), session: client, channel };
    }
    const { client, channel } = this.#dlt645Client();
    return { kind: 'meter', device: new MeterDevice({ client, manifest, address: site.address }), session: client, channel };
  }

  #modbusClient(): { master: ModbusRtuMaster; channel: MuxChannel } {
    if (this.#modbus === undefined) {
      const channel = this.#mux.channel('modbus');
      const master = new ModbusRtuMaster({
        stream: channel,
        clock: this.#clock,
        line: busLine(this.bus),
        name: this.bus.id,
        ...(this.bus.timeoutMs === undefined ? {} : { timeoutMs: this.bus.timeoutMs }),
        ...this.#options.modbus,
      });
      this.#modbus = { master, channel };
    }
    return this.#modbus;
  }

  #dlt645Client(): { client: ScheduledDlt645Client; channel: MuxChannel } {
    if (this.#dlt645 === undefined) {
      const channel = this.#mux.channel('dlt645');
      const client = new ScheduledDlt645Client({ stream: channel, clock: this.#clock, port: this.bus.id, ...(this.bus.timeoutMs === undefined ? {} : { timeoutMs: this.bus.timeoutMs }) });
      this.#dlt645 = { client, channel };
    }
    return this.#dlt645;
  }

  #cjt188Client(): { client: ScheduledCjt188Client; channel: MuxChannel } {
    if (this.#cjt188 === undefined) {
      const channel = this.#mux.channel('cjt188');
      const client = new ScheduledCjt188Client({ stream: channel, clock: this.#clock, port: this.bus.id, ...(this.bus.timeoutMs === undefined ? {} : { timeoutMs: this.bus.timeoutMs }) });
      this.#cjt188 = { client, channel };
    }
    return this.#cjt188;
  }

  #unknownDevice(deviceId: string): AxonError {
    return new AxonError('SCHEDULER_UNKNOWN_DEVICE', `bus '${this.bus.id}' has no device '${deviceId}'`, {
      fix: `use one of ${[...this.#devices.keys()].join(', ')}`,
    });
  }

  #throwUnknown(deviceId: string): never {
    throw this.#unknownDevice(deviceId);
  }
}
