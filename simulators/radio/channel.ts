/**
 * A simulated LoRa channel for tests and fleets: many device radios (the Radio
 * port) and one or more gateways share one air model, all on a Clock
 * (VirtualClock in tests). Runtime-neutral: runs in XS.
 *
 * The model, kept deliberately small:
 *  - Two planes that never interfere: uplinks (normal IQ) and downlinks
 *    (inverted IQ), as on real LoRaWAN radios.
 *  - Airtime from drivers/lorawan/airtime (uplinks with CRC, downlinks without).
 *  - RSSI = transmit power − path loss (per device, optionally per gateway);
 *    SNR = RSSI − noise floor of the bandwidth. A packet whose SNR is below the
 *    SF's demodulation floor is lost ('weak').
 *  - Collision: two packets overlapping in time on the same frequency, SF and
 *    bandwidth. Capture: a packet survives a collision when it is
 *    `captureThresholdDb` stronger than every packet it overlaps at that
 *    receiver; otherwise all of them are lost.
 *  - Inter-SF interference: SFs are only quasi-orthogonal; a packet overlapped
 *    on its frequency by a packet at another SF is lost when its SIR is below
 *    the co-channel rejection of Croce et al. 2018 (inter-sf.ts).
 *  - A gateway is half-duplex: an uplink overlapping its own downlink is lost there.
 *  - A gateway is a concentrator (concentrator.ts): it hears only its uplink
 *    channels, demodulates at most 16 packets at once, and refuses downlinks
 *    that would break the sub-band's duty cycle.
 *  - Random loss per receiver from a seeded generator.
 *  - A device hears a downlink only when it has a receive window open (Radio
 *    receive) whose span contains the downlink's start, on the same frequency,
 *    SF and bandwidth; it then receives to the end of the packet.
 */
import type { Clock, TimerHandle } from '../../drivers/ports/clock.js';
import type { LoraModulation, Radio, RadioPacketStatus, RadioReceiveRequest, RadioTransmitRequest, RadioTransmitResult } from '../../drivers/ports/radio.js';
import { loraTimeOnAirMs } from '../../drivers/lorawan/airtime.js';
import { mulberry32 } from '../models/prng.js';
import { Concentrator, DownlinkRefusedError } from './concentrator.js';
import { interSfThresholdDb, type InterSfModel } from './inter-sf.js';
import type {
  ChannelStats, ChannelTransmission, DeviceRadioOptions, DownlinkRequest, GatewayOptions, GatewayStats, LoraChannelOptions, Plane,
  ReceivedUplink, ReceptionOutcome, ScheduledDownlink,
} from './types.js';

const noReceptions = (): Record<ReceptionOutcome, number> => ({ ok: 0, collision: 0, interference: 0, lost: 0, weak: 0, 'gateway-busy': 0, 'demodulators-busy': 0 });

/** SNR below which an SX127x cannot demodulate, by SF (datasheet table). */
const DEMOD_FLOOR_DB: Readonly<Record<number, number>> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

/** Lowest SNR a packet at `sf` can be received with (SX127x datasheet figures). */
export function demodulationFloorDb(sf: number): number {
  return DEMOD_FLOOR_DB[sf] ?? -20;
}

const sameModulation = (a: LoraModulation & { freqHz: number }, b: LoraModulation & { freqHz: number }) =>
  a.freqHz === b.freqHz && a.sf === b.sf && a.bw === b.bw;

const sameChannel = (a: ChannelTransmission, b: ChannelTransmission) => a.freqHz === b.freqHz && a.bw === b.bw;

const overlaps = (a: ChannelTransmission, b: ChannelTransmission) => a.startMs < b.endMs && b.startMs < a.endMs;

interface OpenWindow {
  request: RadioReceiveRequest;
  opensMs: number;
  closesMs: number;
  /** The downlink the radio's preamble detector locked onto, if any. */
  locked: ChannelTransmission | undefined;
  resolve(payload: Uint8Array | undefined): void;
  timer: TimerHandle;
}

export class SimulatedLoraChannel {
  readonly clock: Clock;
  /** Every transmission, in the order it went on the air or was scheduled (empty when `keepLog` is false). */
  readonly log: ChannelTransmission[] = [];
  readonly stats: ChannelStats = {
    uplinks: 0,
    downlinks: 0,
    receptions: noReceptions(),
    unheardDownlinks: 0,
  };
  /** Called for every transmission as it starts (fleet monitors, traces). */
  onTransmission: ((transmission: ChannelTransmission) => void) | undefined;

  readonly #random: () => number;
  readonly #lossProbability: number;
  readonly #captureDb: number;
  readonly #interSf: InterSfModel;
  readonly #noiseFigureDb: number;
  readonly #keepLog: boolean;
  /** Transmissions that may still overlap something: pruned as time passes. */
  #recent: ChannelTransmission[] = [];
  readonly #devices: SimulatedDeviceRadio[] = [];
  /** Radios by id (the first with an id, as a search of the list would find it): interference looks senders up per overlapping packet. */
  readonly #deviceIndex = new Map<string, SimulatedDeviceRadio>();
  /**
   * Radios with a receive window open, in creation order: only they can hear a downlink, so a downlink is
   * offered to them, not to every device of the channel.
   */
  readonly #listening = new Set<SimulatedDeviceRadio>();
  readonly #gateways: SimulatedGateway[] = [];
  /** Downlinks no window has locked onto yet. */
  readonly #unheard = new Set<number>();
  #nextId = 1;

  constructor(clock: Clock, options: LoraChannelOptions = {}) {
    this.clock = clock;
    this.#random = mulberry32(options.seed ?? 1);
    this.#lossProbability = options.lossProbability ?? 0;
    this.#captureDb = options.captureThresholdDb ?? 6;
    this.#interSf = options.interSf ?? 'croce2018';
    this.#noiseFigureDb = options.noiseFigureDb ?? 6;
    this.#keepLog = options.keepLog ?? true;
  }

  /** A device's radio (implements the Radio port). */
  createDeviceRadio(options: DeviceRadioOptions = {}): SimulatedDeviceRadio {
    const radio = new SimulatedDeviceRadio(this, options.id ?? `dev-${this.#devices.length + 1}`, options.pathLossDb ?? 120, this.#devices.length);
    this.#devices.push(radio);
    if (!this.#deviceIndex.has(radio.id)) this.#deviceIndex.set(radio.id, radio);
    return radio;
  }

  /** A gateway: receives every uplink it can hear, transmits downlinks at exact times. */
  addGateway(options: GatewayOptions = {}): SimulatedGateway {
    const gateway = new SimulatedGateway(this, options.id ?? `gw-${this.#gateways.length + 1}`, new Concentrator(options));
    this.#gateways.push(gateway);
    return gateway;
  }

  /** Transmissions sent by one device or gateway (from the log). */
  transmissionsOf(sender: string): ChannelTransmission[] {
    return this.log.filter((t) => t.sender === sender);
  }

  noiseFloorDbm(bw: number): number {
    return -174 + 10 * Math.log10(bw * 1000) + this.#noiseFigureDb;
  }

  // ---- internal, used by the radios and gateways of this channel ----

  /** @internal A radio opened (true) or closed (false) a receive window. */
  listening(radio: SimulatedDeviceRadio, open: boolean): void {
    if (open) this.#listening.add(radio);
    else this.#listening.delete(radio);
  }

  /** @internal Put a packet on the air. */
  airtime(plane: Plane, modulation: LoraModulation, bytes: number): number {
    return loraTimeOnAirMs({ sf: modulation.sf, bw: modulation.bw, phyPayloadBytes: bytes, crc: plane === 'uplink' });
  }

  /** @internal */
  startTransmission(plane: Plane, sender: string, request: RadioTransmitRequest, startMs: number, device?: SimulatedDeviceRadio): ChannelTransmission {
    const airtimeMs = this.airtime(plane, request, request.payload.length);
    const transmission: ChannelTransmission = {
      id: this.#nextId++,
      plane,
      sender,
      freqHz: request.freqHz,
      sf: request.sf,
      bw: request.bw,
      powerDbm: request.powerDbm,
      startMs,
      endMs: startMs + airtimeMs,
      airtimeMs,
      payload: request.payload.slice(),
    };
    this.#prune();
    this.#recent.push(transmission);
    if (this.#keepLog) this.log.push(transmission);
    if (plane === 'uplink') this.stats.uplinks++;
    else this.stats.downlinks++;
    if (device !== undefined) this.#detectPreamble(transmission, device);
    this.onTransmission?.(transmission);
    return transmission;
  }

  /**
   * An uplink starts: every base station that listens on its channel, is not
   * transmitting and can detect it takes a demodulator for it, if one is free.
   */
  #detectPreamble(transmission: ChannelTransmission, device: SimulatedDeviceRadio): void {
    for (const gateway of this.#gateways) {
      if (!gateway.concentrator.listensOn(transmission.freqHz) || this.#transmittingDuring(gateway, transmission, transmission.startMs)) continue;
      const snr = transmission.powerDbm - device.pathLossTo(gateway.id) - this.noiseFloorDbm(transmission.bw);
      if (!(snr >= demodulationFloorDb(transmission.sf))) continue;
      if (!gateway.concentrator.lockDemodulator(transmission.startMs, transmission.endMs)) gateway.undemodulated.add(transmission.id);
    }
  }

  /** Is `gateway` sending a downlink that overlaps `transmission` (at `atMs` only, when given)? */
  #transmittingDuring(gateway: SimulatedGateway, transmission: ChannelTransmission, atMs?: number): boolean {
    return this.#recent.some((t) => t.plane === 'downlink' && t.sender === gateway.id &&
      (atMs === undefined ? overlaps(t, transmission) : t.startMs <= atMs && atMs < t.endMs));
  }

  /** @internal An uplink ended: decide, for every gateway, whether it was received. */
  finishUplink(transmission: ChannelTransmission, device: SimulatedDeviceRadio): void {
    for (const gateway of this.#gateways) {
      // A channel the concentrator does not listen on is not a reception at all.
      if (!gateway.concentrator.listensOn(transmission.freqHz)) continue;
      const rssiOf = (t: ChannelTransmission) => t.powerDbm - this.#deviceById(t.sender).pathLossTo(gateway.id);
      const undemodulated = gateway.undemodulated.delete(transmission.id);
      const outcome: ReceptionOutcome = this.#transmittingDuring(gateway, transmission)
        ? 'gateway-busy'
        : undemodulated ? 'demodulators-busy' : this.#outcome(transmission, rssiOf);
      this.stats.receptions[outcome]++;
      gateway.countReception(outcome);
      if (outcome !== 'ok') continue;
      const rssiDbm = rssiOf(transmission);
      gateway.onUplink?.({
        gatewayId: gateway.id,
        deviceId: device.id,
        payload: transmission.payload.slice(),
        freqHz: transmission.freqHz,
        sf: transmission.sf,
        bw: transmission.bw,
        startMs: transmission.startMs,
        endMs: transmission.endMs,
        airtimeMs: transmission.airtimeMs,
        rssiDbm,
        snrDb: rssiDbm - this.noiseFloorDbm(transmission.bw),
      });
    }
  }

  /** @internal A gateway scheduled a downlink: lock windows already open for it. */
  announceDownlink(transmission: ChannelTransmission): void {
    let heard = false;
    // In creation order, as a scan of every device would offer it (the order timers are scheduled in).
    const listening = [...this.#listening].sort((a, b) => a.index - b.index);
    for (const device of listening) heard = device.offer(transmission) || heard;
    if (!heard) this.#unheard.add(transmission.id);
  }

  /** @internal A window opened: find a downlink already scheduled to start inside it. */
  scheduledDownlinkFor(window: OpenWindow): ChannelTransmission | undefined {
    let best: ChannelTransmission | undefined;
    for (const t of this.#recent) {
      if (t.plane !== 'downlink' || !sameModulation(t, window.request)) continue;
      if (t.startMs < window.opensMs || t.startMs > window.closesMs) continue;
      if (best === undefined || t.startMs < best.startMs) best = t;
    }
    if (best !== undefined) this.#unheard.delete(best.id);
    return best;
  }

  /** @internal A downlink ended at a device locked onto it: was it received? */
  downlinkOutcome(transmission: ChannelTransmission, device: SimulatedDeviceRadio): { outcome: ReceptionOutcome; status: RadioPacketStatus } {
    const rssiOf = (t: ChannelTransmission) => t.powerDbm - device.pathLossTo(t.sender);
    const outcome = this.#outcome(transmission, rssiOf);
    this.stats.receptions[outcome]++;
    const rssiDbm = rssiOf(transmission);
    return { outcome, status: { rssiDbm, snrDb: rssiDbm - this.noiseFloorDbm(transmission.bw) } };
  }

  /** @internal A downlink ended: count it if no window ever locked onto it. */
  finishDownlink(transmission: ChannelTransmission): void {
    if (this.#unheard.delete(transmission.id)) this.stats.unheardDownlinks++;
  }

  #outcome(transmission: ChannelTransmission, rssiOf: (t: ChannelTransmission) => number): ReceptionOutcome {
    const rssi = rssiOf(transmission);
    if (!Number.isFinite(rssi) || rssi - this.noiseFloorDbm(transmission.bw) < demodulationFloorDb(transmission.sf)) return 'weak';
    let interfered = false;
    for (const other of this.#recent) {
      if (other === transmission || other.plane !== transmission.plane || !sameChannel(other, transmission) || !overlaps(other, transmission)) continue;
      const sir = rssi - rssiOf(other);
      if (other.sf === transmission.sf) {
        if (!(sir >= this.#captureDb)) return 'collision';
      } else if (sir < interSfThresholdDb(transmission.sf, other.sf, this.#interSf)) {
        interfered = true;
      }
    }
    if (interfered) return 'interference';
    if (this.#lossProbability > 0 && this.#random() < this.#lossProbability) return 'lost';
    return 'ok';
  }

  #deviceById(id: string): SimulatedDeviceRadio {
    const device = this.#deviceIndex.get(id);
    if (device === undefined) throw new Error(`SimulatedLoraChannel: no device radio '${id}'`);
    return device;
  }

  /** Drop transmissions that ended long enough ago that nothing still on the air can overlap them. */
  #prune(): void {
    const horizon = this.clock.now() - 10_000; // longer than any LoRa packet (SF12, 255 bytes ≈ 9.2 s)
    if (this.#recent.length > 0 && this.#recent[0].endMs < horizon) {
      this.#recent = this.#recent.filter((t) => t.endMs >= horizon || t.startMs > this.clock.now());
    }
  }
}

/** A device's radio on the simulated channel. */
export class SimulatedDeviceRadio implements Radio {
  readonly id: string;
  /**
   * Called when an open window locks onto a downlink (its preamble will be
   * detected at `startMs`): a chip simulator raises its preamble/header IRQs then.
   */
  onLock: ((downlink: { startMs: number; endMs: number }) => void) | undefined;
  /** @internal Its place among the channel's radios (creation order). */
  readonly index: number;
  readonly #channel: SimulatedLoraChannel;
  readonly #pathLoss: number | ((gatewayId: string) => number);
  #transmitting = false;
  #window: OpenWindow | undefined;
  #status: RadioPacketStatus | undefined;
  #closed = false;

  constructor(channel: SimulatedLoraChannel, id: string, pathLossDb: number | ((gatewayId: string) => number), index = 0) {
    this.#channel = channel;
    this.id = id;
    this.index = index;
    this.#pathLoss = pathLossDb;
  }

  pathLossTo(gatewayId: string): number {
    return typeof this.#pathLoss === 'number' ? this.#pathLoss : this.#pathLoss(gatewayId);
  }

  transmit(request: RadioTransmitRequest): Promise<RadioTransmitResult> {
    if (this.#closed) return Promise.reject(new Error(`radio ${this.id}: transmit after close`));
    if (this.#transmitting || this.#window !== undefined) return Promise.reject(new Error(`radio ${this.id}: busy (half-duplex)`));
    const clock = this.#channel.clock;
    const transmission = this.#channel.startTransmission('uplink', this.id, request, clock.now(), this);
    this.#transmitting = true;
    return new Promise((resolve) => {
      clock.schedule(transmission.airtimeMs, () => {
        this.#transmitting = false;
        this.#channel.finishUplink(transmission, this);
        resolve({ airtimeMs: transmission.airtimeMs, endMs: transmission.endMs });
      });
    });
  }

  receive(request: RadioReceiveRequest): Promise<Uint8Array | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#transmitting || this.#window !== undefined) return Promise.reject(new Error(`radio ${this.id}: busy (half-duplex)`));
    const clock = this.#channel.clock;
    return new Promise((resolve) => {
      const opensMs = clock.now();
      const window: OpenWindow = {
        request: { ...request },
        opensMs,
        closesMs: opensMs + request.windowMs,
        locked: undefined,
        resolve,
        timer: clock.schedule(request.windowMs, () => {
          if (window.locked === undefined) this.#finish(window, undefined);
        }),
      };
      this.#window = window;
      this.#channel.listening(this, true);
      const scheduled = this.#channel.scheduledDownlinkFor(window);
      if (scheduled !== undefined) this.#lock(window, scheduled);
    });
  }

  packetStatus(): RadioPacketStatus | undefined {
    return this.#status === undefined ? undefined : { ...this.#status };
  }

  close(): void {
    this.#closed = true;
    if (this.#window !== undefined) this.#finish(this.#window, undefined);
  }

  /** @internal A downlink was scheduled: lock onto it if a matching window is open and it starts inside. */
  offer(transmission: ChannelTransmission): boolean {
    const window = this.#window;
    if (window === undefined || !sameModulation(transmission, window.request)) return false;
    if (transmission.startMs < window.opensMs || transmission.startMs > window.closesMs) return false;
    if (window.locked !== undefined && window.locked.startMs <= transmission.startMs) return false;
    this.#lock(window, transmission);
    return true;
  }

  #lock(window: OpenWindow, transmission: ChannelTransmission): void {
    window.locked = transmission;
    this.onLock?.({ startMs: transmission.startMs, endMs: transmission.endMs });
    const clock = this.#channel.clock;
    clock.schedule(transmission.endMs - clock.now(), () => {
      if (this.#window !== window || window.locked !== transmission) return;
      const { outcome, status } = this.#channel.downlinkOutcome(transmission, this);
      if (outcome === 'ok') this.#status = status;
      this.#finish(window, outcome === 'ok' ? transmission.payload.slice() : undefined);
    });
  }

  #finish(window: OpenWindow, payload: Uint8Array | undefined): void {
    if (this.#window !== window) return;
    this.#window = undefined;
    this.#channel.listening(this, false);
    this.#channel.clock.cancel(window.timer);
    window.resolve(payload);
  }
}

/** A gateway on the simulated channel: the network side's view of the air. */
export class SimulatedGateway {
  readonly id: string;
  /** Called at the end of every uplink this gateway received. */
  onUplink: ((uplink: ReceivedUplink) => void) | undefined;
  /** @internal Its channels, demodulators and duty cycle. */
  readonly concentrator: Concentrator;
  /** @internal Uplinks whose preamble found every demodulator held. */
  readonly undemodulated = new Set<number>();
  readonly #stats: Omit<GatewayStats, 'busiestHourShare'> = { receptions: noReceptions(), downlinks: 0, downlinksRefused: { 'too-late': 0, busy: 0, 'duty-cycle': 0 } };
  readonly #channel: SimulatedLoraChannel;
  #busyUntil = -Infinity;

  constructor(channel: SimulatedLoraChannel, id: string, concentrator: Concentrator) {
    this.#channel = channel;
    this.id = id;
    this.concentrator = concentrator;
  }

  /** @internal */
  countReception(outcome: ReceptionOutcome): void {
    this.#stats.receptions[outcome]++;
  }

  /** What this base station heard and lost, by cause, and what it sent so far (a snapshot). */
  get stats(): GatewayStats {
    const s = this.#stats;
    return { receptions: { ...s.receptions }, downlinks: s.downlinks, downlinksRefused: { ...s.downlinksRefused }, busiestHourShare: { ...this.concentrator.busiestHourShare } };
  }

  /**
   * Transmit `payload` starting exactly at `request.atMs` (class A: the
   * uplink's endMs + RX1 delay for RX1, + 1 s more for RX2). Throws a
   * DownlinkRefusedError when the time has passed (code TOO_LATE), the gateway
   * is already transmitting then (one TX chain; BUSY), or the downlink would
   * break its sub-band's duty cycle (DUTY_CYCLE).
   */
  scheduleDownlink(request: DownlinkRequest): ScheduledDownlink {
    const clock = this.#channel.clock;
    const refused = this.#stats.downlinksRefused;
    if (request.atMs < clock.now()) {
      refused['too-late']++;
      throw new DownlinkRefusedError('TOO_LATE', `gateway ${this.id}: downlink at ${request.atMs} ms is in the past (now ${clock.now()} ms)`);
    }
    const airtimeMs = this.#channel.airtime('downlink', request, request.payload.length);
    if (request.atMs < this.#busyUntil) {
      refused.busy++;
      throw new DownlinkRefusedError('BUSY', `gateway ${this.id}: already transmitting until ${this.#busyUntil} ms`);
    }
    try {
      this.concentrator.bookDownlink(this.id, request.freqHz, request.atMs, airtimeMs);
    } catch (error) {
      refused['duty-cycle']++;
      throw error;
    }
    this.#stats.downlinks++;
    this.#busyUntil = request.atMs + airtimeMs;
    const transmission = this.#channel.startTransmission('downlink', this.id, { ...request, powerDbm: request.powerDbm ?? 14 }, request.atMs);
    this.#channel.announceDownlink(transmission);
    clock.schedule(transmission.endMs - clock.now(), () => this.#channel.finishDownlink(transmission));
    return { id: transmission.id, startMs: transmission.startMs, endMs: transmission.endMs, airtimeMs };
  }
}
