/**
 * The simulator's device registry: what is provisioned (OTAA root keys or ABP
 * session keys, the application and its channel table) and what the network
 * learned since (the active session, frame counters, DevNonces already used,
 * the downlink queue). Lookups by DevEUI (MQTT commands), by JoinEUI+DevEUI
 * (join requests) and by DevAddr (data frames; several devices may share one,
 * the MIC tells them apart).
 */
import { toHex } from '../../drivers/bytes.js';
import type { ChannelTable } from '../../drivers/batch/channels.js';
import type { SessionKeys } from '../../drivers/lorawan/data-frame.js';
import type { RegionName } from '../../drivers/lorawan/regions/types.js';
import { DownlinkQueue } from './downlink-queue.js';
import type { PayloadCodec } from './payload-codec.js';

/** A ChirpStack object named by UUID: tenant, device profile. */
export interface NamedId {
  id: string;
  name: string;
}

interface DeviceCommon {
  /** A label for logs and ChirpStack's deviceInfo.deviceName. */
  name: string;
  /** The application's name (ChirpStack's deviceInfo.applicationName). */
  application: string;
  /** The application's UUID, the MQTT topic level application/<applicationId>/device/<devEUI>/… (default: a name-based UUID of `application`, identity.ts). */
  applicationId?: string;
  /** Default: tenant "axon" with a name-based UUID. */
  tenant?: NamedId;
  /** The device profile, which holds the codec in ChirpStack (default: "<application> (Axon codec)"). */
  deviceProfile?: NamedId;
  /** Device-profile and device tags (deviceInfo.tags). */
  tags?: Record<string, string>;
  /** The device profile's payload codec (default: the generated codec of `channels`). */
  codec?: PayloadCodec;
  /** 8 bytes, most significant first. */
  devEui: Uint8Array;
  /** The gateway's channel table: payloads decode with its generated codec (`object`) and the sdk decoder (`decoded`); without it events carry `data` only. */
  channels?: ChannelTable;
  /**
   * Uplink channels (indexes) the device is to use, e.g. the 8-channel sub-band
   * its base stations hear on CN470: the join accept's CFList masks the rest
   * and ADR's LinkADRReq keeps them. Default every channel of the region.
   */
  uplinkChannels?: readonly number[];
}

export interface OtaaDeviceConfig extends DeviceCommon {
  activation: 'otaa';
  joinEui: Uint8Array;
  appKey: Uint8Array;
}

export interface AbpDeviceConfig extends DeviceCommon {
  activation: 'abp';
  devAddr: number;
  keys: SessionKeys;
  /** The last uplink counter the network accepted (a device restarted past 65,535 keeps its upper bits). */
  lastFCntUp?: number;
  /** The next downlink counter. */
  fCntDown?: number;
}

export type DeviceConfig = OtaaDeviceConfig | AbpDeviceConfig;

export interface NetworkConfig {
  region: RegionName;
  /** 24 bits; its low 7 bits become the DevAddr prefix of joined devices (type-0 NetID). */
  netId: number;
  /** RX1 delay in seconds given in join accepts (and assumed for ABP devices). */
  rx1DelayS: number;
  /** RX1DROffset given in join accepts. */
  rx1DrOffset: number;
  /** Where gateways stand (rxInfo.location), by gateway ID. */
  gatewayLocations?: Record<string, GatewayLocation>;
}

export interface GatewayLocation {
  latitude: number;
  longitude: number;
  altitude: number;
}

/** An active session: what a successful join (or ABP provisioning) sets up. */
export interface Session {
  devAddr: number;
  keys: SessionKeys;
  /** Last uplink counter accepted; undefined until the first uplink of the session. */
  lastFCntUp: number | undefined;
  /** Counter for the next downlink. */
  fCntDown: number;
  rx1DelayS: number;
  rx1DrOffset: number;
  /** The last frame accepted, when, and its FRMPayload in clear (a repeat of the same bytes is not decrypted again). */
  lastUplink?: { phy: Uint8Array; atMs: number; payload: Uint8Array };
  /** A confirmed downlink waiting for the device's ACK bit. */
  awaitingAck?: { fCntDown: number; queueItemId: string };
  /** OTAA: the join is reported with the session's first uplink (ChirpStack v4), not at the accept. */
  joinUnreported?: boolean;
}

export interface DeviceState {
  readonly config: DeviceConfig;
  /** Lower-case hex, the key of MQTT topics. */
  readonly devEuiHex: string;
  session: Session | undefined;
  /** DevNonces seen in join requests: a repeat is a replayed join (LoRaWAN 1.0.3 §6.2.4). */
  readonly usedDevNonces: Set<number>;
  /** The last JoinNonce given; each join accept uses the next. */
  joinNonce: number;
  readonly queue: DownlinkQueue;
  /** SNR of recent uplinks with the ADR bit set, newest last. */
  readonly snrHistory: number[];
  /** The data rate ADR last asked for and has not yet seen answered. */
  adrRequestedDr?: number;
  /** Answers to DevStatusReq, for logs and `event/status`. */
  lastStatus?: { battery: number; margin: number };
}

export class DeviceRegistry {
  readonly #byDevEui = new Map<string, DeviceState>();
  readonly #byDevAddr = new Map<number, Set<DeviceState>>();

  constructor(devices: readonly DeviceConfig[]) {
    for (const config of devices) this.add(config);
  }

  add(config: DeviceConfig): DeviceState {
    const devEuiHex = toHex(config.devEui);
    if (this.#byDevEui.has(devEuiHex)) throw new RangeError(`DevEUI ${devEuiHex} is registered twice`);
    const state: DeviceState = { config, devEuiHex, session: undefined, usedDevNonces: new Set(), joinNonce: 0, queue: new DownlinkQueue(), snrHistory: [] };
    this.#byDevEui.set(devEuiHex, state);
    if (config.activation === 'abp') {
      this.activate(state, {
        devAddr: config.devAddr,
        keys: config.keys,
        lastFCntUp: config.lastFCntUp,
        fCntDown: config.fCntDown ?? 0,
        rx1DelayS: 1,
        rx1DrOffset: 0,
      });
    }
    return state;
  }

  get devices(): IterableIterator<DeviceState> {
    return this.#byDevEui.values();
  }

  byDevEui(devEuiHex: string): DeviceState | undefined {
    return this.#byDevEui.get(devEuiHex.toLowerCase());
  }

  /** The OTAA device a join request is for; JoinEUI must match as well. */
  byJoinRequest(joinEui: Uint8Array, devEui: Uint8Array): DeviceState | undefined {
    const state = this.#byDevEui.get(toHex(devEui));
    if (state === undefined || state.config.activation !== 'otaa') return undefined;
    return toHex(state.config.joinEui) === toHex(joinEui) ? state : undefined;
  }

  /** Devices whose active session uses `devAddr` (usually one). */
  byDevAddr(devAddr: number): readonly DeviceState[] {
    return [...(this.#byDevAddr.get(devAddr) ?? [])];
  }

  /** Install a new session (after a join), replacing any previous one and its DevAddr. */
  activate(state: DeviceState, session: Session): void {
    if (state.session !== undefined) this.#byDevAddr.get(state.session.devAddr)?.delete(state);
    state.session = session;
    state.snrHistory.length = 0;
    delete state.adrRequestedDr;
    let set = this.#byDevAddr.get(session.devAddr);
    if (set === undefined) this.#byDevAddr.set(session.devAddr, (set = new Set()));
    set.add(state);
  }

  /** DevAddrs in use, so a join never hands out one twice. */
  isDevAddrUsed(devAddr: number): boolean {
    return (this.#byDevAddr.get(devAddr)?.size ?? 0) > 0;
  }
}
