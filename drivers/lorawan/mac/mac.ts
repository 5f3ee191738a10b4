/**
 * The class A end-device MAC (LoRaWAN 1.0.x): activation, uplink
 * transactions with their receive windows, downlink checks, MAC commands,
 * ADR and its back-off, duty cycle. One transaction at a time (class A: the
 * radio is either sending, listening in RX1/RX2, or idle).
 *
 * State machine (docs/lorawan-mac.md has the diagram):
 *   unjoined ──join()──▶ joining ──accept──▶ joined ◀──┐
 *   joined ──sendFrame()──▶ wait for duty cycle ──▶ TX ──▶ RX1 ──▶ RX2 ──┤
 *                ▲ (confirmed, no ACK: back-off, retransmit same FCnt) ───┘
 */
import type { BlockCipher } from '../../ports/block-cipher.js';
import { sleep, type Clock } from '../../ports/clock.js';
import type { Radio } from '../../ports/radio.js';
import type { KeyValueStore } from '../../ports/storage.js';
import { concatBytes } from '../../bytes.js';
import { decodeCfList } from '../cflist.js';
import { encodeDataFrame } from '../data-frame.js';
import { MAX_FOPTS } from '../fhdr.js';
import { dataMType } from '../mhdr.js';
import type { Region, RxWindow } from '../regions/index.js';
import { AdrBackoff } from './adr.js';
import { ChannelPlan } from './channels.js';
import { applyDownlinkCommands, type RadioSettings } from './command-apply.js';
import { gpsToUnixMs } from './device-time.js';
import { checkDownlink, type RejectReason } from './downlink.js';
import { DutyCycleLimiter } from './duty-cycle.js';
import { LorawanMacError } from './errors.js';
import { MacPersistence, type FrameCounters } from './fcnt-store.js';
import { isApplicationPort } from './fport.js';
import { runJoin, type JoinOptions, type OtaaCredentials } from './join.js';
import { CID, deviceTimeReq, linkCheckReq } from './mac-commands.js';
import { seededRandom } from './random.js';
import { loraModulation, macRulesFor, maxPayloadAt, txPowerDbm, type MacRegionRules } from './region-rules.js';
import { listen, RECEIVE_DELAY1_MS, type RxTiming, type RxWindowPlan } from './rx-windows.js';
import { decodeSession, encodeSession, sessionTag, type Session } from './session.js';
import { Transmitter, type SentFrame } from './transmitter.js';

export type { OtaaCredentials } from './join.js';

export interface AbpCredentials {
  activation: 'abp';
  devAddr: number;
  nwkSKey: Uint8Array;
  appSKey: Uint8Array;
  /** As configured on the network server (defaults: offset 0, the region's RX2, RX1 delay 1 s). */
  rx1DrOffset?: number;
  rx2?: RxWindow;
  rx1DelayS?: number;
}

export type Credentials = OtaaCredentials | AbpCredentials;

export interface LoraWanMacOptions {
  region: Region;
  radio: Radio;
  clock: Clock;
  /** AES-128 (PortableAes128, NodeBlockCipher, Moddable's native AES). */
  cipher: BlockCipher;
  /** Frame counters, DevNonce and the OTAA session survive reboots here (see fcnt-store.ts). */
  store: KeyValueStore;
  credentials: Credentials;
  /** Channel choice and back-off jitter; default a generator seeded with `seed` (default 1). */
  random?: () => number;
  seed?: number;
  /** Let the network manage the data rate (default true). */
  adr?: boolean;
  /** Starting data rate; default the slowest DR that carries a payload on the default channels. */
  dataRate?: number;
  /**
   * Default channels (indexes) this device is provisioned to use, e.g. one
   * CN470 sub-band of 8 where the base stations have 8-channel concentrators
   * (join requests use only these). Default every default channel of the region.
   */
  channels?: readonly number[];
  /** AS923 uplink dwell time in force before any TxParamSetupReq (default 0). */
  dwellTime?: 0 | 400;
  keyPrefix?: string;
  fCntWriteAhead?: number;
  /** Transmissions of a confirmed frame before giving up, at least NbTrans (default 8, the LoRaWAN 1.0.2 default). */
  confirmedAttempts?: number;
  /** Longest pause between confirmed retransmissions, before the duty cycle (default 60 s). */
  maxRetryBackoffMs?: number;
  join?: JoinOptions;
  /** DevStatusAns battery level: 0 external power, 1–254, 255 unknown (default 255). */
  battery?: () => number;
  rxTiming?: RxTiming;
  /** ADR_ACK_LIMIT / ADR_ACK_DELAY (defaults 64 / 32). */
  adrAckLimit?: number;
  adrAckDelay?: number;
  /** Send an empty uplink at once when a downlink says more is pending (FPending). Default true. */
  followFPending?: boolean;
  onEvent?: (event: MacEvent) => void;
}

export interface MacCounters {
  /** Data frames put on the air, repetitions included. */
  uplinks: number;
  /** Of those, repetitions of an FCnt already sent. */
  retransmissions: number;
  joinRequests: number;
  /** Downlinks that passed every check. */
  downlinks: number;
  /** Downlinks rejected, by reason. */
  rejected: Record<RejectReason, number>;
  /** Join accepts that failed decryption or MIC. */
  joinAcceptsRejected: number;
  /** Confirmed frames never acknowledged. */
  confirmedFailed: number;
  /** MAC command bytes that could not be read (unknown CID, truncated). */
  macBytesIgnored: number;
}

export type MacEvent =
  | { type: 'join-request'; attempt: number; dataRate: number; devNonce: number }
  | { type: 'joined'; devAddr: number }
  | { type: 'downlink-rejected'; reason: RejectReason }
  | { type: 'link-check'; marginDb: number; gatewayCount: number }
  | { type: 'device-time'; networkUnixMs: number; offsetMs: number }
  | { type: 'radio-settings'; dataRate: number; txPowerDbm: number; nbTrans: number; cause: 'network' | 'adr-backoff' };

export interface FrameRequest {
  /** 1–223 application data, 0 MAC commands only, undefined for an empty frame. */
  port?: number;
  payload?: Uint8Array;
  confirmed: boolean;
}

export interface FrameResult {
  fCnt: number;
  /** Confirmed frames: always true (no ACK rejects). */
  acked: boolean;
  transmissions: number;
  dataRate: number;
}

export interface ApplicationDownlink {
  port: number;
  payload: Uint8Array;
}

interface AcceptedDownlink {
  ack: boolean;
  fPending: boolean;
  app: ApplicationDownlink | undefined;
}

/** LoRaWAN 1.0.x ACK_TIMEOUT is 2 ± 1 s after RX2; the back-off starts there. */
const ACK_TIMEOUT_MS = 2000;
/** The first jitter window is twice this; it doubles per attempt. */
const ACK_JITTER_MS = 1000;

export class LoraWanMac {
  /** Application downlinks (FPort 1–223). */
  onDownlink: ((downlink: ApplicationDownlink) => void) | undefined;
  readonly counters: MacCounters = {
    uplinks: 0, retransmissions: 0, joinRequests: 0, downlinks: 0,
    rejected: { malformed: 0, unexpected: 0, foreign: 0, replay: 0, mic: 0 },
    joinAcceptsRejected: 0, confirmedFailed: 0, macBytesIgnored: 0,
  };
  readonly region: Region;
  readonly channels: ChannelPlan;

  readonly #o: LoraWanMacOptions;
  readonly #rules: MacRegionRules;
  readonly #random: () => number;
  readonly #persistence: MacPersistence;
  readonly #limiter = new DutyCycleLimiter();
  readonly #transmitter: Transmitter;
  readonly #adr: AdrBackoff;
  readonly #settings: RadioSettings;
  #session: Session | undefined;
  #fcnt: FrameCounters | undefined;
  /** One-shot answers, sent in the next uplink that has room. */
  #answers: Uint8Array[] = [];
  /** Answers repeated in every uplink until a downlink arrives. */
  #sticky: Uint8Array[] = [];
  /** Requests (LinkCheckReq, DeviceTimeReq) for the next uplink. */
  #requests: Uint8Array[] = [];
  #ackDownlink = false;
  /** Unix time (local clock) at the end of the uplink that carried DeviceTimeReq. */
  #deviceTimeRefUnixMs: number | undefined;
  #networkOffsetMs: number | undefined;
  #lastLinkCheck: { marginDb: number; gatewayCount: number } | undefined;
  /** A DeviceTimeReq was taken into the frame being sent. */
  #deviceTimeInFlight = false;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: LoraWanMacOptions) {
    this.#o = options;
    this.region = options.region;
    this.#rules = macRulesFor(options.region);
    this.#random = options.random ?? seededRandom(options.seed ?? 1);
    this.#persistence = new MacPersistence({ store: options.store, keyPrefix: options.keyPrefix, fCntWriteAhead: options.fCntWriteAhead });
    this.channels = new ChannelPlan(options.region, this.#rules, options.channels);
    this.#transmitter = new Transmitter({
      region: options.region, radio: options.radio, clock: options.clock, channels: this.channels, limiter: this.#limiter, random: this.#random,
    });
    this.#adr = new AdrBackoff({ limit: options.adrAckLimit, delay: options.adrAckDelay });
    this.#settings = {
      dataRate: 0, txPowerIndex: 0, nbTrans: 1, dwellTime: options.dwellTime ?? 0, maxEirpDbm: options.region.maxEirpDbm, aggregateDutyCycle: 1,
    };
    this.#settings.dataRate = this.#defaultDataRate();
    this.#restoreSession();
  }

  // ---- status ----

  get joined(): boolean {
    return this.#session !== undefined;
  }

  get devAddr(): number | undefined {
    return this.#session?.devAddr;
  }

  get dataRate(): number {
    return this.#settings.dataRate;
  }

  get txPowerDbm(): number {
    return Math.min(this.#settings.maxEirpDbm, txPowerDbm(this.region.maxEirpDbm, this.#settings.txPowerIndex));
  }

  get nbTrans(): number {
    return this.#settings.nbTrans;
  }

  /** The FCntUp the next new frame will carry (undefined before a session exists). */
  get nextFCntUp(): number | undefined {
    return this.#fcnt?.nextUp;
  }

  get lastFCntDown(): number | undefined {
    return this.#fcnt?.lastDown;
  }

  /** Uplinks since the last downlink (ADR_ACK_CNT). */
  get adrAckCount(): number {
    return this.#adr.count;
  }

  get lastLinkCheck(): { marginDb: number; gatewayCount: number } | undefined {
    return this.#lastLinkCheck;
  }

  /** Network time minus local time (Clock.unixTimeMs), ms, from the last DeviceTimeAns. */
  get networkTimeOffsetMs(): number | undefined {
    return this.#networkOffsetMs;
  }

  /** The network's Unix time now, once DeviceTimeAns has been received. */
  networkUnixTimeMs(): number | undefined {
    return this.#networkOffsetMs === undefined ? undefined : this.#o.clock.unixTimeMs() + this.#networkOffsetMs;
  }

  /** Airtime booked in a duty-cycle band (e.g. EU868 'g1') by transmissions ending after `sinceMs`. */
  airtimeSince(band: string, sinceMs: number): number {
    return this.#limiter.airtimeSince(band, sinceMs);
  }

  /**
   * Largest application payload the next frame can carry: the current data
   * rate's limit (and dwell time) minus the MAC answers that will ride in FOpts.
   */
  maxPayloadBytes(): number {
    const limit = maxPayloadAt(this.region, this.#settings.dataRate, this.#settings.dwellTime) ?? 0;
    return limit - concatBytes(...this.#pickCommands(Math.min(MAX_FOPTS, limit))).length;
  }

  /**
   * How long until a frame with `payloadBytes` of application data could go
   * on the air (duty cycle), ms; 0 when it could go now. The gateway asks
   * before it hands over data, so an alert arriving meanwhile takes that slot.
   */
  transmitDelayMs(payloadBytes: number): number {
    const limit = maxPayloadAt(this.region, this.#settings.dataRate, this.#settings.dwellTime) ?? 0;
    const fOpts = concatBytes(...this.#pickCommands(Math.min(MAX_FOPTS, limit - payloadBytes))).length;
    // MHDR 1 + FHDR 7 + FPort 1 + MIC 4 around the payload and FOpts.
    const start = this.#transmitter.earliestStart(this.#settings.dataRate, 13 + fOpts + payloadBytes);
    return Number.isFinite(start) ? Math.max(0, start - this.#o.clock.now()) : 0;
  }

  // ---- actions ----

  /** Ask for a LinkCheckAns in the next uplink's window (result in lastLinkCheck and a 'link-check' event). */
  requestLinkCheck(): void {
    this.#requests.push(linkCheckReq());
  }

  /** Ask for the network time with the next uplink (result in networkTimeOffsetMs and a 'device-time' event). */
  requestDeviceTime(): void {
    this.#requests.push(deviceTimeReq());
  }

  /** OTAA: join now (a new session, even when one was restored). */
  join(): Promise<void> {
    return this.#exclusive(() => this.#join());
  }

  /**
   * One uplink transaction: wait for duty cycle, transmit, listen in RX1/RX2,
   * repeat per NbTrans (unconfirmed) or until ACK (confirmed). Joins first if
   * an OTAA device has no session. Rejects LORAWAN_NO_ACK when a confirmed
   * frame is never acknowledged, LORAWAN_PAYLOAD_TOO_LARGE when the payload
   * does not fit the current data rate.
   */
  sendFrame(request: FrameRequest): Promise<FrameResult> {
    return this.#exclusive(async () => {
      if (this.#session === undefined) await this.#join();
      const result = await this.#transact(request);
      return result;
    });
  }

  /** Stop: pending work is abandoned, the radio is closed. */
  close(): void {
    this.#closed = true;
    this.#o.radio.close();
  }

  // ---- internals ----

  get #adrEnabled(): boolean {
    return this.#o.adr ?? true;
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new LorawanMacError('LORAWAN_CLOSED', 'the MAC was closed', 'create a new LoraWanMac');
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #defaultDataRate(): number {
    const wanted = this.#o.dataRate;
    const usable = (dr: number) => loraModulation(this.region, dr) !== undefined && maxPayloadAt(this.region, dr, this.#settings.dwellTime) !== undefined && this.channels.offers(dr);
    if (wanted !== undefined) {
      if (!usable(wanted)) throw new LorawanMacError('LORAWAN_CONFIG', `DR${wanted} is not usable for uplinks in ${this.region.name}`, `use one of DR${this.region.uplinkDataRates.filter(usable).join(', DR')}`);
      return wanted;
    }
    const lowest = this.region.uplinkDataRates.find(usable);
    if (lowest === undefined) throw new LorawanMacError('LORAWAN_CONFIG', `${this.region.name} offers no usable LoRa data rate`, 'check the region configuration');
    return lowest;
  }

  #restoreSession(): void {
    const credentials = this.#o.credentials;
    if (credentials.activation === 'abp') {
      const rx2 = credentials.rx2 ?? this.region.rx2Default();
      this.#startSession({
        activation: 'abp',
        devAddr: credentials.devAddr,
        keys: { nwkSKey: credentials.nwkSKey, appSKey: credentials.appSKey },
        rx1DrOffset: credentials.rx1DrOffset ?? 0,
        rx2: { ...rx2 },
        rx1DelayMs: (credentials.rx1DelayS ?? 1) * 1000,
      });
      return;
    }
    const bytes = this.#persistence.loadSessionBytes();
    const session = bytes === undefined ? undefined : decodeSession(bytes);
    if (session !== undefined) this.#startSession(session);
  }

  #startSession(session: Session): void {
    this.#session = session;
    this.#fcnt = this.#persistence.counters(sessionTag(session));
    this.channels.reset();
    if (session.cfList !== undefined) {
      try {
        this.channels.applyCfList(decodeCfList(session.cfList));
      } catch {
        // A CFList this region cannot use: stay on the default channels.
      }
    }
    this.#answers = [];
    this.#sticky = [];
    this.#ackDownlink = false;
    this.#adr.onDownlink();
    Object.assign(this.#settings, { txPowerIndex: 0, nbTrans: 1, aggregateDutyCycle: 1, maxEirpDbm: this.region.maxEirpDbm });
    this.#settings.dataRate = this.#defaultDataRate();
    this.#transmitter.aggregateDutyCycle = 1;
  }

  async #join(): Promise<void> {
    const credentials = this.#o.credentials;
    if (credentials.activation !== 'otaa') {
      throw new LorawanMacError('LORAWAN_CONFIG', 'join() needs OTAA credentials', 'ABP devices have a session from the start: call sendFrame()');
    }
    const session = await runJoin({
      region: this.region,
      rules: this.#rules,
      radio: this.#o.radio,
      clock: this.#o.clock,
      cipher: this.#o.cipher,
      channels: this.channels,
      transmitter: this.#transmitter,
      persistence: this.#persistence,
      random: this.#random,
      timing: this.#o.rxTiming ?? {},
      powerDbm: this.region.maxEirpDbm,
      onRejected: () => this.counters.joinAcceptsRejected++,
      onAttempt: (attempt, dataRate, devNonce) => {
        this.counters.joinRequests++;
        this.#o.onEvent?.({ type: 'join-request', attempt, dataRate, devNonce });
      },
    }, credentials, this.#o.join);
    // Session first, counters follow it by tag (a torn update cannot pair old counters with new keys).
    this.#persistence.saveSessionBytes(encodeSession(session));
    this.#startSession(session);
    this.#o.onEvent?.({ type: 'joined', devAddr: session.devAddr });
  }

  async #transact(request: FrameRequest): Promise<FrameResult> {
    const session = this.#session as Session;
    const counters = this.#fcnt as FrameCounters;
    const { port, confirmed } = request;
    let payload = request.payload ?? new Uint8Array(0);
    if (port !== undefined && port !== 0 && !isApplicationPort(port)) {
      throw new LorawanMacError('LORAWAN_CONFIG', `FPort ${port} is not an application port`, 'use FPort 1–223 (see FPORT in drivers/lorawan/mac/fport.ts)');
    }
    const limit = maxPayloadAt(this.region, this.#settings.dataRate, this.#settings.dwellTime) ?? 0;
    if (payload.length > limit) {
      throw new LorawanMacError('LORAWAN_PAYLOAD_TOO_LARGE', `${payload.length} bytes do not fit DR${this.#settings.dataRate} of ${this.region.name} (at most ${limit})`,
        'ask maxPayloadBytes() before building the frame and split it; the data rate can change with ADR');
    }
    // MAC commands: in FOpts (up to 15 bytes, what fits), or as the payload of a port-0 / empty frame.
    let fOpts: Uint8Array = new Uint8Array(0);
    let fPort = port;
    const macOnly = port === undefined || port === 0;
    const picked = this.#pickCommands(macOnly ? limit : Math.min(MAX_FOPTS, limit - payload.length));
    const commands = concatBytes(...picked);
    if (macOnly && commands.length > MAX_FOPTS) {
      fPort = 0;
      payload = commands;
    } else if (port === 0) {
      payload = commands;
    } else {
      fOpts = commands;
    }
    this.#consumeCommands(picked);
    const carriesDeviceTimeReq = this.#deviceTimeInFlight;
    this.#deviceTimeInFlight = false;

    const fCnt = counters.takeUp();
    const fCtrl = { adr: this.#adrEnabled, adrAckReq: this.#adrEnabled && this.#adr.ackRequested, ack: this.#ackDownlink };
    this.#ackDownlink = false;
    const attempts = confirmed ? Math.max(this.#settings.nbTrans, this.#o.confirmedAttempts ?? 8) : this.#settings.nbTrans;
    let acked = false;
    let transmissions = 0;
    let app: ApplicationDownlink | undefined;
    let fPending = false;
    let dataRate = this.#settings.dataRate;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0 && confirmed) dataRate = this.#retryDataRate(attempt, payload.length + fOpts.length);
      const phy = encodeDataFrame(this.#o.cipher, { mType: dataMType(confirmed, 'up'), devAddr: session.devAddr, fCnt, fCtrl, fOpts, fPort, payload }, session.keys);
      const sent = await this.#transmitter.send(phy, dataRate, this.txPowerDbm);
      transmissions++;
      this.counters.uplinks++;
      if (attempt > 0) this.counters.retransmissions++;
      if (carriesDeviceTimeReq) this.#deviceTimeRefUnixMs = this.#o.clock.unixTimeMs() - (this.#o.clock.now() - sent.endMs);
      const downlink = await listen(this.#o.radio, this.#o.clock, this.#dataWindows(session, sent), this.#o.rxTiming ?? {}, (bytes) => this.#acceptDownlink(bytes));
      if (downlink !== undefined) {
        app = downlink.app ?? app;
        fPending = downlink.fPending;
        if (downlink.ack) acked = true;
        // Any valid downlink ends an unconfirmed frame's repetitions; a confirmed one needs the ACK.
        if (!confirmed || acked) break;
      }
      if (confirmed && attempt + 1 < attempts) await this.#retryBackoff(attempt);
    }
    if (this.#adr.afterUplink() === 'step' && this.#adrEnabled) this.#adrBackoffStep();
    if (app !== undefined) this.#deliver(app);
    if (fPending && (this.#o.followFPending ?? true)) this.#followUp();
    if (confirmed && !acked) {
      this.counters.confirmedFailed++;
      throw new LorawanMacError('LORAWAN_NO_ACK', `confirmed frame FCnt ${fCnt} was not acknowledged after ${transmissions} transmissions`,
        'the record stays queued; check gateway coverage (LinkCheck) and the network server');
    }
    return { fCnt, acked, transmissions, dataRate };
  }

  /** Commands for the next frame: whole commands in order (sticky answers, answers, requests), at most `room` bytes. */
  #pickCommands(room: number): Uint8Array[] {
    const picked: Uint8Array[] = [];
    let length = 0;
    for (const command of [...this.#sticky, ...this.#answers, ...this.#requests]) {
      if (length + command.length > room) break;
      picked.push(command);
      length += command.length;
    }
    return picked;
  }

  /** Drop the one-shot commands a frame carried (sticky answers stay until a downlink arrives). */
  #consumeCommands(sent: readonly Uint8Array[]): void {
    const carried = new Set(sent);
    this.#answers = this.#answers.filter((c) => !carried.has(c));
    for (const request of this.#requests) {
      if (carried.has(request) && request[0] === CID.DeviceTime) this.#deviceTimeInFlight = true;
    }
    this.#requests = this.#requests.filter((c) => !carried.has(c));
  }

  #dataWindows(session: Session, sent: SentFrame): RxWindowPlan[] {
    const windows: RxWindowPlan[] = [];
    const rx1DelayMs = session.rx1DelayMs || RECEIVE_DELAY1_MS;
    try {
      const rx1 = this.region.rx1(sent.dataRate, session.rx1DrOffset, sent.channel.frequency, { dwellTime: this.#settings.dwellTime });
      const modulation = loraModulation(this.region, rx1.dataRate);
      const freqHz = this.channels.rx1FrequencyFor(sent.channel.frequency) ?? rx1.frequency;
      if (modulation !== undefined) windows.push({ window: 1, atMs: sent.endMs + rx1DelayMs, freqHz, dataRate: rx1.dataRate, ...modulation });
    } catch {
      // An RX1 offset the region rejects: RX2 only.
    }
    const modulation2 = loraModulation(this.region, session.rx2.dataRate);
    if (modulation2 !== undefined) {
      windows.push({ window: 2, atMs: sent.endMs + rx1DelayMs + 1000, freqHz: session.rx2.frequency, dataRate: session.rx2.dataRate, ...modulation2 });
    }
    return windows;
  }

  /** Check a received frame; on success apply it and return what the transaction needs. Never throws. */
  #acceptDownlink(bytes: Uint8Array): AcceptedDownlink | undefined {
    const session = this.#session;
    const counters = this.#fcnt;
    if (session === undefined || counters === undefined) return undefined;
    const verdict = checkDownlink(this.#o.cipher, bytes, { devAddr: session.devAddr, keys: session.keys, lastFCntDown: counters.lastDown });
    if (!verdict.ok) {
      this.counters.rejected[verdict.reason]++;
      this.#o.onEvent?.({ type: 'downlink-rejected', reason: verdict.reason });
      return undefined;
    }
    const { frame, fCnt, payload } = verdict;
    counters.acceptDown(fCnt);
    this.counters.downlinks++;
    this.#adr.onDownlink();
    this.#sticky = [];
    if (frame.confirmed) this.#ackDownlink = true;
    const commandBytes = frame.fPort === 0 ? payload : frame.fOpts;
    if (commandBytes.length > 0) this.#applyCommands(commandBytes, session);
    const app = frame.fPort !== undefined && isApplicationPort(frame.fPort) ? { port: frame.fPort, payload } : undefined;
    return { ack: frame.fCtrl.ack, fPending: frame.fCtrl.fPending, app };
  }

  #applyCommands(bytes: Uint8Array, session: Session): void {
    const before = { ...this.#settings };
    const outcome = applyDownlinkCommands(bytes, {
      region: this.region,
      rules: this.#rules,
      channels: this.channels,
      radio: this.#settings,
      session,
      battery: this.#o.battery ?? (() => 255),
      snrDb: this.#o.radio.packetStatus()?.snrDb,
    });
    this.counters.macBytesIgnored += outcome.ignoredBytes;
    this.#answers.push(...outcome.answers);
    this.#sticky.push(...outcome.sticky);
    if (outcome.sessionChanged && session.activation === 'otaa') this.#persistence.saveSessionBytes(encodeSession(session));
    if (outcome.radioChanged) {
      this.#transmitter.aggregateDutyCycle = this.#settings.aggregateDutyCycle;
      // A new dwell limit can leave the current DR without payload (AS923 DR0–1): move up to the first usable one.
      if (maxPayloadAt(this.region, this.#settings.dataRate, this.#settings.dwellTime) === undefined) this.#settings.dataRate = this.#defaultDataRate();
      const s = this.#settings;
      if (s.dataRate !== before.dataRate || s.txPowerIndex !== before.txPowerIndex || s.nbTrans !== before.nbTrans) {
        this.#o.onEvent?.({ type: 'radio-settings', dataRate: s.dataRate, txPowerDbm: this.txPowerDbm, nbTrans: s.nbTrans, cause: 'network' });
      }
    }
    if (outcome.linkCheck !== undefined) {
      this.#lastLinkCheck = outcome.linkCheck;
      this.#o.onEvent?.({ type: 'link-check', ...outcome.linkCheck });
    }
    if (outcome.deviceTime !== undefined && this.#deviceTimeRefUnixMs !== undefined) {
      const networkUnixMs = gpsToUnixMs(outcome.deviceTime.gpsSeconds, outcome.deviceTime.fraction);
      this.#networkOffsetMs = networkUnixMs - this.#deviceTimeRefUnixMs;
      this.#deviceTimeRefUnixMs = undefined;
      this.#o.onEvent?.({ type: 'device-time', networkUnixMs, offsetMs: this.#networkOffsetMs });
    }
  }

  /** Confirmed retries step one DR down every second attempt (LoRaWAN 1.0.2 §19.4), never below what the frame fits. */
  #retryDataRate(attempt: number, bytes: number): number {
    let dr = this.#settings.dataRate;
    for (let steps = Math.floor(attempt / 2); steps > 0; steps--) {
      const lower = this.#lowerDataRate(dr);
      if (lower === undefined || (maxPayloadAt(this.region, lower, this.#settings.dwellTime) ?? 0) < bytes) break;
      dr = lower;
    }
    return dr;
  }

  /** The next slower DR the enabled channels offer, if any. */
  #lowerDataRate(dr: number): number | undefined {
    const rates = this.region.uplinkDataRates.filter((d) => d < dr && this.channels.offers(d) && loraModulation(this.region, d) !== undefined
      && maxPayloadAt(this.region, d, this.#settings.dwellTime) !== undefined);
    return rates.length > 0 ? rates[rates.length - 1] : undefined;
  }

  /** ACK_TIMEOUT (2 s), then a random delay in a window that doubles per failed attempt (2 s, 4 s … maxRetryBackoffMs): full jitter. */
  async #retryBackoff(attempt: number): Promise<void> {
    // Full jitter over a doubling window: devices that lost their ACKs together (a storm) spread out at once.
    const window = Math.min(this.#o.maxRetryBackoffMs ?? 60_000, ACK_JITTER_MS * 2 ** (attempt + 1));
    await sleep(this.#o.clock, ACK_TIMEOUT_MS + this.#random() * window);
  }

  #adrBackoffStep(): void {
    const s = this.#settings;
    if (s.txPowerIndex > 0) {
      s.txPowerIndex = 0;
    } else {
      const lower = this.#lowerDataRate(s.dataRate);
      if (lower !== undefined) s.dataRate = lower;
      else this.channels.enableAll();
    }
    this.#o.onEvent?.({ type: 'radio-settings', dataRate: s.dataRate, txPowerDbm: this.txPowerDbm, nbTrans: s.nbTrans, cause: 'adr-backoff' });
  }

  #deliver(app: ApplicationDownlink): void {
    try {
      this.onDownlink?.(app);
    } catch {
      // The application's handler must not break the MAC; its own errors are its own.
    }
  }

  /** FPending: open new receive windows soon with an empty uplink (carrying any answers). */
  #followUp(): void {
    void this.#exclusive(() => this.#transact({ confirmed: false })).catch(() => undefined);
  }
}
