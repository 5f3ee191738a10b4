/**
 * The network-server core: frames in (from any gateway transport), downlink
 * plans and application events out. It owns no sockets and no timers, so the
 * Semtech UDP server and the simulated radio channel drive the same code,
 * and a VirtualClock test runs it in virtual time.
 */
import { toHex } from '../../drivers/bytes.js';
import { PortableAes128, type BlockDecipher } from '../../drivers/crypto/aes128.js';
import { AxonError } from '../../drivers/errors.js';
import type { DataFrame } from '../../drivers/lorawan/data-frame.js';
import type { JoinRequest } from '../../drivers/lorawan/join.js';
import { decodePhyPayload, type PhyPayload } from '../../drivers/lorawan/phy.js';
import { createRegion } from '../../drivers/lorawan/regions/index.js';
import type { Region } from '../../drivers/lorawan/regions/types.js';
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import type { Clock } from '../../drivers/ports/clock.js';
import { decodeUplinkOnNode } from '../../sdk/codec/hosts/cbor-x.js';
import { NodeBlockCipher } from '../../firmware/rpi/ports/node-cipher.js';
import { ADR_HISTORY_MAX, adrTarget, dataRateOf, linkAdrReqFor, requiredSnrDb, type AdrOptions } from './adr.js';
import { buildDataDownlink, maxAppPayload, receiveWindows } from './downlink.js';
import type { QueuedDownlink } from './downlink-queue.js';
import type { NsEvent, NsEventListener, UpEvent } from './events.js';
import { JoinServer } from './join.js';
import { deviceTimeAns, devStatusReq, linkCheckAns, type UplinkMacCommand } from './mac-commands.js';
import type { DeviceRegistry, DeviceState, NetworkConfig, Session } from './registry.js';
import type { DownlinkPlan, DownlinkResult, ReceivedFrame } from './types.js';
import { acceptUplink } from './uplink.js';
import { FrameCrypto, type FrameCryptoStats } from './frame-crypto.js';
import { newUuid, randomUint32 } from './identity.js';
import { PayloadCodec } from './payload-codec.js';

export type RejectReason = 'outage' | 'malformed' | 'unsupported' | 'unknown-device' | 'mic' | 'replay' | 'devnonce-replay';

export interface NsStats {
  /** Frames handed to the server (after the gateway's CRC check). */
  received: number;
  joinsAccepted: number;
  uplinksAccepted: number;
  /** Confirmed uplinks sent again because our ACK was lost: answered, not delivered twice. */
  retransmissions: number;
  /** The same reception reported twice (several gateways): dropped silently. */
  duplicates: number;
  /** Unconfirmed frames heard again (NbTrans repetitions) after their first copy: dropped, no downlink planned. */
  repetitions: number;
  rejected: Record<RejectReason, number>;
  downlinksPlanned: number;
  downlinksSent: number;
  downlinksFailed: number;
  /** Downlinks dropped because their window fell into an outage. */
  downlinksLostInOutage: number;
}

export interface Outage {
  /** Clock.now() ms, inclusive. */
  fromMs: number;
  /** Clock.now() ms, exclusive. */
  toMs: number;
}

export interface NetworkServerOptions {
  registry: DeviceRegistry;
  network: NetworkConfig;
  clock: Clock;
  /** Default NodeBlockCipher (node:crypto). */
  cipher?: BlockCipher;
  /** Window tried first for downlinks (default rx1). */
  prefer?: 'rx1' | 'rx2';
  /** Run ADR for devices that set the ADR bit (default off). */
  adr?: boolean | AdrOptions;
  /** See UplinkOptions.dedupWindowMs. */
  dedupWindowMs?: number;
  /** Periods in which the server hears and sends nothing. */
  outages?: Outage[];
  /** Check one data frame in this many with lora-packet as well as our core (default 1: every frame; joins always). */
  crossCheckEvery?: number;
  /** Run the device profiles' codecs for `object` (default true, as ChirpStack). In-process consumers that read only `decoded` (the fleet) turn it off. */
  payloadCodecs?: boolean;
}

export class LoraNetworkServer {
  readonly registry: DeviceRegistry;
  readonly network: NetworkConfig;
  readonly region: Region;
  readonly stats: NsStats = {
    received: 0, joinsAccepted: 0, uplinksAccepted: 0, retransmissions: 0, duplicates: 0, repetitions: 0,
    rejected: { outage: 0, malformed: 0, unsupported: 0, 'unknown-device': 0, mic: 0, replay: 0, 'devnonce-replay': 0 },
    downlinksPlanned: 0, downlinksSent: 0, downlinksFailed: 0, downlinksLostInOutage: 0,
  };
  readonly #clock: Clock;
  readonly #cipher: BlockCipher;
  readonly #crypto: FrameCrypto;
  readonly #joins: JoinServer;
  readonly #listeners = new Set<NsEventListener>();
  readonly #outages: Outage[];
  readonly #prefer: 'rx1' | 'rx2';
  readonly #adr: AdrOptions | undefined;
  readonly #dedupWindowMs: number | undefined;
  readonly #payloadCodecs: boolean;
  /** Join requests heard in the last dedup window, by PHYPayload hex, and the gateway that reported each first. */
  readonly #recentJoins = new Map<string, { atMs: number; gatewayId: string }>();

  constructor(options: NetworkServerOptions) {
    this.registry = options.registry;
    this.network = options.network;
    this.region = createRegion(options.network.region);
    this.#clock = options.clock;
    this.#cipher = options.cipher ?? new NodeBlockCipher();
    this.#crypto = new FrameCrypto(this.#cipher, { crossCheckEvery: options.crossCheckEvery ?? 1 });
    // Join accepts are AES-*decrypted* by the network; only the portable AES has the inverse cipher.
    const decipher: BlockDecipher = new PortableAes128();
    this.#joins = new JoinServer(options.registry, options.network, this.region, this.#cipher, decipher);
    this.#outages = [...(options.outages ?? [])];
    this.#prefer = options.prefer ?? 'rx1';
    this.#adr = options.adr === true ? {} : options.adr === false ? undefined : options.adr;
    this.#dedupWindowMs = options.dedupWindowMs;
    this.#payloadCodecs = options.payloadCodecs ?? true;
  }

  /** How many frame operations our core did, and how many lora-packet checked as well. */
  get crossChecks(): Readonly<FrameCryptoStats> {
    return this.#crypto.stats;
  }

  /** Subscribe to events; returns the unsubscribe function. */
  onEvent(listener: NsEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  addOutage(outage: Outage): void {
    this.#outages.push(outage);
  }

  /** True while the server is down: transports drop everything, protocol acknowledgements included. */
  isOutage(nowMs = this.#clock.now()): boolean {
    return this.#outages.some((o) => nowMs >= o.fromMs && nowMs < o.toMs);
  }

  /** Queue application data for a device's next receive windows. */
  enqueueDownlink(devEui: string, item: { fPort: number; data: Uint8Array; confirmed: boolean; id?: string }): QueuedDownlink {
    return this.#device(devEui).queue.enqueue(item);
  }

  /** Ask a device for its battery and link margin (answered in event/status). */
  requestDeviceStatus(devEui: string): void {
    this.#device(devEui).queue.enqueueMac(devStatusReq());
  }

  /** Queue any MAC command (CID + payload), e.g. a hand-made LinkADRReq. */
  enqueueMacCommand(devEui: string, command: Uint8Array): void {
    this.#device(devEui).queue.enqueueMac(command);
  }

  /**
   * One uplink as a gateway heard it. Returns the downlink to schedule, if
   * any: the transport sends it to the same gateway and reports the result
   * with reportDownlink.
   */
  handleFrame(frame: ReceivedFrame): DownlinkPlan | undefined {
    this.stats.received++;
    if (this.isOutage()) return this.#reject('outage', 'the network server is in a configured outage', undefined);
    let parsed: PhyPayload;
    try {
      parsed = decodePhyPayload(frame.phyPayload);
    } catch (error) {
      const unsupported = error instanceof AxonError && error.code === 'LORAWAN_UNSUPPORTED';
      return this.#reject(unsupported ? 'unsupported' : 'malformed', error instanceof Error ? error.message : String(error), undefined);
    }
    if (parsed.kind === 'join-request') return this.#join(parsed, frame);
    if (parsed.kind === 'data' && parsed.direction === 'up') return this.#uplink(parsed, frame);
    return this.#reject('unsupported', `${parsed.kind === 'data' ? parsed.mType : parsed.kind} frames are not handled on the uplink path`, undefined);
  }

  /** What became of a plan handleFrame returned (Semtech TX_ACK, or the radio). */
  reportDownlink(result: DownlinkResult): void {
    if (result.window === undefined) this.stats.downlinksFailed++;
    else this.stats.downlinksSent++;
    const device = this.registry.byDevEui(result.plan.devEui);
    if (device === undefined) return;
    const { plan } = result;
    const queueItemId = plan.queueItemId ?? '';
    if (result.window === undefined) {
      // ChirpStack publishes a txack only for a downlink the gateway took; a refused one is a DOWNLINK_GATEWAY log.
      const context: Record<string, string> = { downlink_id: String(plan.downlinkId ?? 0), gateway_id: plan.gatewayId };
      if (queueItemId !== '') context.queue_item_id = queueItemId;
      this.#log(device, 'ERROR', 'DOWNLINK_GATEWAY', `every receive window failed at gateway ${plan.gatewayId}: ${result.errors.join(', ')}`, context);
      return;
    }
    this.#emit({ type: 'txack', device, gatewayId: plan.gatewayId, downlinkId: plan.downlinkId ?? 0, queueItemId, fCntDown: plan.fCntDown, window: result.window, errors: result.errors, timeMs: this.#clock.unixTimeMs() });
  }

  /** The device profile's codec of a device: its own, or the generated codec of its channel table. */
  codecOf(device: DeviceState): PayloadCodec | undefined {
    const config = device.config;
    return config.codec ?? (config.channels === undefined ? undefined : PayloadCodec.forTable(config.channels));
  }

  /** Publish a problem about a device as a log event (e.g. a downlink command its codec could not encode). */
  logForDevice(devEui: string, level: 'INFO' | 'WARNING' | 'ERROR', code: string, description: string, context: Record<string, string> = {}): void {
    this.#log(this.#device(devEui), level, code, description, context);
  }

  #join(request: { kind: 'join-request' } & JoinRequest, frame: ReceivedFrame): DownlinkPlan | undefined {
    // Several gateways report the same join request: copies from other gateways within the dedup window
    // are one request, not a DevNonce replay. One gateway cannot hear one transmission twice, so the same
    // bytes again from the same gateway are a replay and go to the join server, which refuses them.
    const key = toHex(frame.phyPayload);
    const now = this.#clock.now();
    for (const [k, heard] of this.#recentJoins) if (now - heard.atMs > (this.#dedupWindowMs ?? 200)) this.#recentJoins.delete(k);
    const heard = this.#recentJoins.get(key);
    if (heard !== undefined && heard.gatewayId !== frame.rx.gatewayId) {
      this.stats.duplicates++;
      return undefined;
    }
    this.#recentJoins.set(key, { atMs: now, gatewayId: frame.rx.gatewayId });
    const outcome = this.#joins.handle(request);
    if (!outcome.ok) {
      return this.#reject(outcome.reason, `join request from DevEUI ${toHex(request.devEui)}: ${outcome.detail}`, outcome.device, outcome.reason === 'devnonce-replay' ? 'JOIN_DEVNONCE' : undefined);
    }
    const { device, session } = outcome;
    session.joinUnreported = true;
    this.registry.activate(device, session);
    device.queue.clearMac();
    this.stats.joinsAccepted++;
    return this.#plan({ gatewayId: frame.rx.gatewayId, devEui: device.devEuiHex, kind: 'join-accept', phyPayload: outcome.joinAccept, windows: receiveWindows(this.region, frame.rx, 'join', { prefer: this.#prefer }) });
  }

  #uplink(frame: DataFrame, received: ReceivedFrame): DownlinkPlan | undefined {
    const outcome = acceptUplink(this.registry, frame, this.#clock.now(), this.#crypto, { dedupWindowMs: this.#dedupWindowMs });
    if (!outcome.ok) return this.#reject(outcome.reason, `uplink from DevAddr ${frame.devAddr.toString(16).padStart(8, '0')}: ${outcome.detail}`, outcome.device);
    const { device, session } = outcome;
    if (outcome.kind === 'duplicate') {
      this.stats.duplicates++;
      return undefined;
    }
    if (outcome.kind === 'repetition') {
      this.stats.repetitions++;
      return undefined;
    }
    if (outcome.kind === 'retransmission') {
      this.stats.retransmissions++;
      return this.#dataDownlink(device, session, received, { ack: true, force: false });
    }
    this.stats.uplinksAccepted++;
    const timeMs = this.#clock.unixTimeMs();
    const deduplicationId = newUuid();
    if (session.joinUnreported === true) {
      delete session.joinUnreported;
      this.#emit({ type: 'join', device, devAddr: session.devAddr, deduplicationId, timeMs });
    }
    this.#settleConfirmedDownlink(device, session, frame.fCtrl.ack, timeMs, deduplicationId);
    if (outcome.macProblem !== undefined) this.#log(device, 'WARNING', 'UPLINK_MAC', outcome.macProblem, { deduplication_id: deduplicationId });
    this.#answerMac(device, outcome.macCommands, received, timeMs, deduplicationId);
    const dataRate = dataRateOf(this.region, received.rx.sf, received.rx.bw);
    if (frame.fCtrl.adr && this.#adr !== undefined && dataRate !== undefined) this.#runAdr(device, dataRate, received);

    const up: UpEvent = {
      type: 'up', device, devAddr: session.devAddr, fCnt: outcome.fCnt, fPort: frame.fPort, confirmed: frame.confirmed, adr: frame.fCtrl.adr,
      dataRate, payload: frame.fPort === 0 ? new Uint8Array(0) : outcome.payload, rx: received.rx, timeMs, deduplicationId, uplinkId: randomUint32() % 65536 || 1,
    };
    this.#decode(device, up);
    // FPort 0 frames are MAC traffic, not application data.
    if (frame.fPort !== 0) this.#emit(up);
    return this.#dataDownlink(device, session, received, { ack: frame.confirmed, force: frame.fCtrl.adrAckReq });
  }

  /** The uplink after a confirmed downlink says whether the device got it (ACK bit); no retries in the simulator. */
  #settleConfirmedDownlink(device: DeviceState, session: Session, ackBit: boolean, timeMs: number, deduplicationId: string): void {
    const pending = session.awaitingAck;
    if (pending === undefined) return;
    delete session.awaitingAck;
    this.#emit({ type: 'ack', device, acknowledged: ackBit, fCntDown: pending.fCntDown, queueItemId: pending.queueItemId, timeMs, deduplicationId });
  }

  #answerMac(device: DeviceState, commands: readonly UplinkMacCommand[], received: ReceivedFrame, timeMs: number, deduplicationId: string): void {
    for (const command of commands) {
      switch (command.cid) {
        case 'LinkCheckReq':
          device.queue.enqueueMac(linkCheckAns(received.rx.snr - requiredSnrDb(received.rx.sf), 1));
          break;
        case 'DeviceTimeReq': {
          // The answer is the time at the end of the uplink: the gateway's own time when it has one.
          const gatewayTime = received.rx.time === undefined ? Number.NaN : Date.parse(received.rx.time);
          device.queue.enqueueMac(deviceTimeAns(Number.isFinite(gatewayTime) ? gatewayTime : timeMs));
          break;
        }
        case 'LinkADRAns':
          if (!(command.powerAck && command.dataRateAck && command.channelMaskAck)) {
            this.#log(device, 'WARNING', 'MAC_LINKADR_NACK', `LinkADRAns refused (power ${command.powerAck}, data rate ${command.dataRateAck}, channel mask ${command.channelMaskAck})`, { deduplication_id: deduplicationId });
          }
          delete device.adrRequestedDr;
          break;
        case 'DevStatusAns':
          device.lastStatus = { battery: command.battery, margin: command.margin };
          this.#emit({ type: 'status', device, battery: command.battery, margin: command.margin, timeMs, deduplicationId });
          break;
        default:
          break;
      }
    }
  }

  #runAdr(device: DeviceState, dataRate: number, received: ReceivedFrame): void {
    const history = device.snrHistory;
    history.push(received.rx.snr);
    if (history.length > ADR_HISTORY_MAX) history.shift();
    const target = adrTarget(dataRate, received.rx.sf, history, this.#adr);
    if (target === undefined || target === device.adrRequestedDr) return;
    device.adrRequestedDr = target;
    device.queue.enqueueMac(linkAdrReqFor(this.region, target, device.config.uplinkChannels));
  }

  /** `object` from the device profile's codec, as ChirpStack runs it (its failure is an UPLINK_CODEC log); `decoded` from the sdk decoder for Node consumers. */
  #decode(device: DeviceState, up: UpEvent): void {
    if (up.fPort === undefined || up.fPort === 0 || up.payload.length === 0) return;
    const codec = this.#payloadCodecs ? this.codecOf(device) : undefined;
    if (codec !== undefined) {
      const outcome = codec.decodeUplink({ bytes: up.payload, fPort: up.fPort, recvTimeMs: up.timeMs });
      if ('ok' in outcome) up.object = outcome.ok;
      else this.#log(device, 'ERROR', 'UPLINK_CODEC', outcome.error, { deduplication_id: up.deduplicationId });
    }
    const channels = device.config.channels;
    if (channels === undefined) return;
    try {
      up.decoded = decodeUplinkOnNode(up.payload, channels);
    } catch (error) {
      up.decodeError = error instanceof Error ? error.message : String(error);
    }
  }

  #dataDownlink(device: DeviceState, session: Session, received: ReceivedFrame, options: { ack: boolean; force: boolean }): DownlinkPlan | undefined {
    const windows = receiveWindows(this.region, received.rx, session, { prefer: this.#prefer });
    const built = buildDataDownlink(this.#cipher, device, session, {
      ack: options.ack,
      force: options.force,
      adr: this.#adr !== undefined,
      maxPayload: maxAppPayload(this.region, windows),
      crypto: this.#crypto,
    });
    if (built.dropped !== undefined) {
      this.#log(device, 'ERROR', 'DOWNLINK_TOO_LARGE', `queued downlink ${built.dropped.id} (${built.dropped.data.length} bytes on FPort ${built.dropped.fPort}) does not fit the receive windows' data rate and was dropped`, { queue_item_id: built.dropped.id });
    }
    if (built.frame === undefined) return undefined;
    const plan: DownlinkPlan = { gatewayId: received.rx.gatewayId, devEui: device.devEuiHex, kind: 'data', phyPayload: built.frame.phyPayload, fCntDown: built.frame.fCntDown, windows };
    if (built.frame.item !== undefined) plan.queueItemId = built.frame.item.id;
    return this.#plan(plan);
  }

  /** Drop windows that fall into an outage; a plan with none left is lost. */
  #plan(plan: DownlinkPlan): DownlinkPlan | undefined {
    const now = this.#clock.now();
    plan.windows = plan.windows.filter((w) => !this.isOutage(now + w.delayMs));
    if (plan.windows.length === 0) {
      this.stats.downlinksLostInOutage++;
      return undefined;
    }
    this.stats.downlinksPlanned++;
    plan.downlinkId = randomUint32();
    return plan;
  }

  #reject(reason: RejectReason, description: string, device: DeviceState | undefined, code?: string): undefined {
    this.stats.rejected[reason]++;
    this.#log(device, reason === 'outage' ? 'INFO' : 'WARNING', code ?? `UPLINK_${reason.toUpperCase().replace(/-/g, '_')}`, description);
    return undefined;
  }

  #log(device: DeviceState | undefined, level: 'INFO' | 'WARNING' | 'ERROR', code: string, description: string, context: Record<string, string> = {}): void {
    this.#emit({ type: 'log', device, level, code, description, context, timeMs: this.#clock.unixTimeMs() });
  }

  #emit(event: NsEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #device(devEui: string): DeviceState {
    const device = this.registry.byDevEui(devEui);
    if (device === undefined) throw new RangeError(`no device with DevEUI ${devEui} is registered`);
    return device;
  }
}
