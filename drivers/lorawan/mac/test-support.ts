/**
 * A minimal network-server test double for the MAC's core tests, built on
 * drivers/lorawan's own codecs and the simulated channel's gateway API. It
 * knows a handful of devices, answers joins, checks uplink MICs, tracks
 * counters, ACKs confirmed frames (or drops the first N ACKs), answers
 * LinkCheckReq / DeviceTimeReq, and sends queued downlinks in RX1 (or RX2).
 * The full network-server simulator lives in simulators/lorawan-ns/.
 */
import { PortableAes128 } from '../../crypto/aes128.js';
import { concatBytes } from '../../bytes.js';
import type { Clock } from '../../ports/clock.js';
import type { Radio } from '../../ports/radio.js';
import { MemoryKeyValueStore } from '../../ports/storage.js';
import { SimulatedLoraChannel, demodulationFloorDb, type SimulatedDeviceRadio, type SimulatedGateway, type ReceivedUplink } from '../../../simulators/radio/index.js';
import { VirtualClock } from '../../ports/virtual-clock.js';
import { decodeDataFrame, encodeDataFrame, expandFCnt, verifyDataMic, decryptDataPayload, type SessionKeys } from '../data-frame.js';
import { decodeJoinRequest, encodeJoinAccept, verifyJoinRequestMic, type JoinAcceptFields } from '../join.js';
import { deriveSessionKeys } from '../keys.js';
import { decodeMhdr } from '../mhdr.js';
import { createRegion, type Region, type RegionName } from '../regions/index.js';
import { LoraWanMac, type Credentials, type LoraWanMacOptions } from './mac.js';
import { CID, decodeUplinkCommands, encodeDownlinkCommand } from './mac-commands.js';
import { unixMsToGps } from './device-time.js';

export const APP_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x2b + i);
export const DEV_EUI = Uint8Array.of(0x00, 0x04, 0xa3, 0x0b, 0x00, 0x1c, 0x05, 0x30);
export const JOIN_EUI = Uint8Array.of(0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x00, 0x00, 0x00);
export const ABP_KEYS: SessionKeys = {
  nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  appSKey: Uint8Array.from({ length: 16 }, (_, i) => 16 - i),
};
export const ABP_DEVADDR = 0x26011bda;
/** The DevAddr the test network gives the bench's OTAA device at every join. */
export const OTAA_DEVADDR = 0x26000042;

export interface NsUplink {
  atMs: number;
  devAddr: number;
  fCnt: number;
  confirmed: boolean;
  fPort: number | undefined;
  payload: Uint8Array;
  adr: boolean;
  adrAckReq: boolean;
  ack: boolean;
  /** MAC commands from FOpts or the FPort 0 payload. */
  macCommands: Array<{ cid: number; payload: Uint8Array }>;
  freqHz: number;
  sf: number;
  dataRate: number;
  phyBytes: number;
}

export interface NsDownlink {
  port?: number;
  payload?: Uint8Array;
  confirmed?: boolean;
  fPending?: boolean;
  /** MAC commands in FOpts. */
  fOpts?: Uint8Array;
}

interface NsDevice {
  devEui?: Uint8Array;
  appKey?: Uint8Array;
  devAddr: number;
  keys?: SessionKeys;
  lastFCntUp?: number;
  fCntDown: number;
}

export class TestNetwork {
  readonly gateway: SimulatedGateway;
  readonly uplinks: NsUplink[] = [];
  readonly joinRequests: Array<{ devNonce: number; atMs: number; accepted: boolean }> = [];
  /** Uplinks whose MIC failed or that repeated an FCnt (the NS counts, the tests assert zero). */
  readonly problems: string[] = [];
  /** Unconfirmed frames heard again after their first copy (dropped, as a network server drops them). */
  repetitions = 0;
  /** Confirmed uplinks left unacknowledged before ACKs start (drops the first N). */
  dropAcks = 0;
  /** Answer in window 1 or 2. */
  answerIn: 1 | 2 = 1;
  /** Network time minus the simulation's Unix time, for DeviceTimeAns. */
  networkTimeOffsetMs = 0;
  /** Network-server outages on the clock's monotonic time, [fromMs, toMs): uplinks starting inside one go unheard. */
  outages: Array<{ fromMs: number; toMs: number }> = [];
  /**
   * Every decrypted data uplink, before it is recorded and answered (an
   * application side queues its answer here, for this uplink's windows).
   * Return false to lose the frame: unrecorded and unanswered.
   */
  onData: ((uplink: NsUplink) => boolean | void) | undefined;
  /** Answer join requests (turn off to test join retries). */
  acceptJoins = true;
  /**
   * Check MICs and decrypt uplinks (default). Long simulations that only
   * count airtime turn it off: portable AES inside XS is the bulk of their cost.
   */
  verifyUplinks = true;
  readonly #region: Region;
  readonly #clock: Clock;
  readonly #aes = new PortableAes128();
  readonly #devices: NsDevice[] = [];
  readonly #pending = new Map<number, NsDownlink[]>();
  readonly #raw = new Map<number, Uint8Array[]>();
  readonly #seenNonces = new Set<number>();
  #joinNonce = 0x000100;

  constructor(channel: SimulatedLoraChannel, region: Region) {
    this.#region = region;
    this.#clock = channel.clock;
    this.gateway = channel.addGateway({ id: 'gw-test' });
    this.gateway.onUplink = (uplink) => this.#onUplink(uplink);
  }

  addOtaaDevice(devEui: Uint8Array, appKey: Uint8Array, devAddr: number): void {
    this.#devices.push({ devEui, appKey, devAddr, fCntDown: 0 });
  }

  addAbpDevice(devAddr: number, keys: SessionKeys): void {
    this.#devices.push({ devAddr, keys, fCntDown: 0 });
  }

  /** Send this downlink after the device's next uplink. */
  queue(devAddr: number, downlink: NsDownlink): void {
    this.#pending.set(devAddr, [...(this.#pending.get(devAddr) ?? []), downlink]);
  }

  /** Send these exact bytes after the device's next uplink (replays, corruption). */
  queueRaw(devAddr: number, bytes: Uint8Array): void {
    this.#raw.set(devAddr, [...(this.#raw.get(devAddr) ?? []), bytes]);
  }

  /** Encode a downlink for `devAddr` with the network's next FCntDown (or `fCnt`). */
  encodeDownlink(devAddr: number, downlink: NsDownlink, fCnt?: number): Uint8Array {
    const device = this.#device(devAddr);
    const keys = device.keys as SessionKeys;
    const counter = fCnt ?? device.fCntDown++;
    return encodeDataFrame(this.#aes, {
      mType: downlink.confirmed ? 'confirmed-data-down' : 'unconfirmed-data-down',
      devAddr,
      fCnt: counter,
      fCtrl: { fPending: downlink.fPending ?? false },
      fOpts: downlink.fOpts,
      fPort: downlink.port,
      payload: downlink.payload,
    }, keys);
  }

  uplinksOf(devAddr: number): NsUplink[] {
    return this.uplinks.filter((u) => u.devAddr === devAddr);
  }

  #device(devAddr: number): NsDevice {
    const device = this.#devices.find((d) => d.devAddr === devAddr);
    if (device === undefined) throw new Error(`test network: unknown DevAddr ${devAddr.toString(16)}`);
    return device;
  }

  #dataRateOf(uplink: ReceivedUplink): number {
    const dr = this.#region.uplinkDataRates.find((d) => {
      const rate = this.#region.dataRate(d);
      return rate.modulation === 'lora' && rate.sf === uplink.sf && rate.bw === uplink.bw;
    });
    if (dr === undefined) throw new Error(`test network: no uplink DR for SF${uplink.sf}/${uplink.bw}`);
    return dr;
  }

  #onUplink(uplink: ReceivedUplink): void {
    if (this.outages.some((o) => uplink.startMs >= o.fromMs && uplink.startMs < o.toMs)) return;
    const mType = decodeMhdr(uplink.payload[0]);
    if (mType === 'join-request') this.#onJoin(uplink);
    else this.#onData(uplink);
  }

  #onJoin(uplink: ReceivedUplink): void {
    const request = decodeJoinRequest(uplink.payload);
    const device = this.#devices.find((d) => d.devEui !== undefined && d.devEui.every((b, i) => b === request.devEui[i]));
    if (device === undefined || device.appKey === undefined) return;
    const fresh = !this.#seenNonces.has(request.devNonce) && verifyJoinRequestMic(this.#aes, request, device.appKey);
    this.joinRequests.push({ devNonce: request.devNonce, atMs: uplink.endMs, accepted: fresh && this.acceptJoins });
    if (this.#seenNonces.has(request.devNonce)) this.problems.push(`DevNonce ${request.devNonce} reused`);
    this.#seenNonces.add(request.devNonce);
    if (!fresh || !this.acceptJoins) return;
    const fields: JoinAcceptFields = { joinNonce: this.#joinNonce++, netId: 0x000013, devAddr: device.devAddr, dlSettings: { rx1DrOffset: 0, rx2DataRate: this.#region.rx2Default().dataRate }, rxDelay: 1 };
    device.keys = deriveSessionKeys(this.#aes, device.appKey, { joinNonce: fields.joinNonce, netId: fields.netId, devNonce: request.devNonce });
    device.lastFCntUp = undefined;
    device.fCntDown = 0;
    const bytes = encodeJoinAccept(this.#aes, this.#aes, fields, device.appKey);
    const dr = this.#dataRateOf(uplink);
    const rx1 = this.#region.rx1(dr, 0, uplink.freqHz);
    this.#send(uplink.endMs + 5000, rx1.frequency, rx1.dataRate, bytes);
  }

  #onData(uplink: ReceivedUplink): void {
    const frame = decodeDataFrame(uplink.payload);
    const device = this.#devices.find((d) => d.devAddr === frame.devAddr && d.keys !== undefined);
    if (device === undefined) return;
    const keys = device.keys as SessionKeys;
    const fCnt = device.lastFCntUp === undefined ? frame.fCnt16 : expandFCnt(frame.fCnt16, device.lastFCntUp);
    if (this.verifyUplinks && !verifyDataMic(this.#aes, frame, keys.nwkSKey, fCnt)) {
      this.problems.push(`MIC failed for FCnt ${fCnt}`);
      return;
    }
    const repeat = device.lastFCntUp !== undefined && fCnt === device.lastFCntUp;
    const payload = this.verifyUplinks ? decryptDataPayload(this.#aes, frame, keys, fCnt) : frame.frmPayload;
    const dataRate = this.#dataRateOf(uplink);
    const macBytes = frame.fPort === 0 ? payload : frame.fOpts;
    const record: NsUplink = {
      atMs: uplink.endMs, devAddr: frame.devAddr, fCnt, confirmed: frame.confirmed, fPort: frame.fPort, payload,
      adr: frame.fCtrl.adr, adrAckReq: frame.fCtrl.adrAckReq, ack: frame.fCtrl.ack,
      macCommands: decodeUplinkCommands(macBytes), freqHz: uplink.freqHz, sf: uplink.sf, dataRate, phyBytes: uplink.payload.length,
    };
    // An unconfirmed frame again (NbTrans) after its first copy arrived: heard, but a network server does not
    // deliver it to the application again. A frame a test loses on the air leaves the counter where it was.
    if (!(repeat && !frame.confirmed) && this.onData?.(record) === false) return;
    device.lastFCntUp = fCnt;
    this.uplinks.push(record);
    if (repeat && !frame.confirmed) {
      this.repetitions++;
      return;
    }

    const answers: Uint8Array[] = [];
    for (const command of record.macCommands) {
      if (command.cid === CID.LinkCheck) {
        answers.push(encodeDownlinkCommand({ type: 'LinkCheckAns', margin: Math.max(0, Math.round(uplink.snrDb - demodulationFloorDb(uplink.sf))), gwCnt: 1 }));
      } else if (command.cid === CID.DeviceTime) {
        answers.push(encodeDownlinkCommand({ type: 'DeviceTimeAns', ...unixMsToGps(this.#clock.unixTimeMs() - (this.#clock.now() - uplink.endMs) + this.networkTimeOffsetMs) }));
      }
    }
    let ack = false;
    if (frame.confirmed) {
      if (this.dropAcks > 0) this.dropAcks--;
      else ack = true;
    }
    const raw = this.#raw.get(frame.devAddr)?.shift();
    const queued = this.#pending.get(frame.devAddr)?.shift();
    if (raw === undefined && queued === undefined && !ack && answers.length === 0) return;
    const bytes = raw ?? this.#dataDownlink(device, queued ?? {}, ack, concatBytes(...answers, queued?.fOpts ?? new Uint8Array(0)));
    const delay = this.answerIn === 1 ? 1000 : 2000;
    if (this.answerIn === 1) {
      const rx1 = this.#region.rx1(dataRate, 0, uplink.freqHz);
      this.#send(uplink.endMs + delay, rx1.frequency, rx1.dataRate, bytes);
    } else {
      const rx2 = this.#region.rx2Default();
      this.#send(uplink.endMs + delay, rx2.frequency, rx2.dataRate, bytes);
    }
  }

  #dataDownlink(device: NsDevice, downlink: NsDownlink, ack: boolean, fOpts: Uint8Array): Uint8Array {
    return encodeDataFrame(this.#aes, {
      mType: downlink.confirmed ? 'confirmed-data-down' : 'unconfirmed-data-down',
      devAddr: device.devAddr,
      fCnt: device.fCntDown++,
      fCtrl: { ack, fPending: downlink.fPending ?? false },
      fOpts: downlink.port === 0 ? undefined : fOpts,
      fPort: downlink.port,
      payload: downlink.port === 0 ? concatBytes(fOpts, downlink.payload ?? new Uint8Array(0)) : downlink.payload,
    }, device.keys as SessionKeys);
  }

  #send(atMs: number, freqHz: number, dataRate: number, payload: Uint8Array): void {
    const rate = this.#region.dataRate(dataRate);
    if (rate.modulation !== 'lora') throw new Error('test network: FSK downlink');
    this.gateway.scheduleDownlink({ atMs, freqHz, sf: rate.sf, bw: rate.bw, payload });
  }
}

/** A device, its radio, a channel, a clock and a test network: the common test bench. */
export interface Bench {
  clock: VirtualClock;
  channel: SimulatedLoraChannel;
  network: TestNetwork;
  region: Region;
  store: MemoryKeyValueStore;
  radio: SimulatedDeviceRadio;
  mac: LoraWanMac;
  /** A new MAC over the same store and radio: a reboot. */
  reboot(overrides?: Partial<LoraWanMacOptions>): LoraWanMac;
}

export interface BenchOptions {
  region?: RegionName;
  activation?: 'otaa' | 'abp';
  seed?: number;
  mac?: Partial<LoraWanMacOptions>;
  lossProbability?: number;
  pathLossDb?: number;
  /** Share a clock with another bench (a gateway pipeline). */
  clock?: VirtualClock;
  /** The MAC's radio built on the bench's simulated front end (a chip simulator and its driver); default the front end itself. */
  radio?: (front: SimulatedDeviceRadio, clock: VirtualClock) => Radio;
}

export function createBench(options: BenchOptions = {}): Bench {
  const clock = options.clock ?? new VirtualClock();
  const region = createRegion(options.region ?? 'EU868');
  const channel = new SimulatedLoraChannel(clock, { seed: options.seed ?? 7, lossProbability: options.lossProbability ?? 0 });
  const network = new TestNetwork(channel, region);
  const store = new MemoryKeyValueStore();
  const radio = channel.createDeviceRadio({ id: 'device', pathLossDb: options.pathLossDb ?? 110 });
  const credentials: Credentials = options.activation === 'abp'
    ? { activation: 'abp', devAddr: ABP_DEVADDR, nwkSKey: ABP_KEYS.nwkSKey, appSKey: ABP_KEYS.appSKey }
    : { activation: 'otaa', devEui: DEV_EUI, joinEui: JOIN_EUI, appKey: APP_KEY };
  if (options.activation === 'abp') network.addAbpDevice(ABP_DEVADDR, ABP_KEYS);
  else network.addOtaaDevice(DEV_EUI, APP_KEY, OTAA_DEVADDR);
  const macRadio = options.radio?.(radio, clock) ?? radio;
  const make = (overrides: Partial<LoraWanMacOptions> = {}) => new LoraWanMac({
    region, radio: macRadio, clock, cipher: new PortableAes128(), store, credentials, seed: options.seed ?? 7, ...options.mac, ...overrides,
  });
  const bench: Bench = { clock, channel, network, region, store, radio, mac: make(), reboot: (overrides) => (bench.mac = make(overrides)) };
  return bench;
}
