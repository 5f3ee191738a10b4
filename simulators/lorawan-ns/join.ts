/**
 * The join server: OTAA for LoRaWAN 1.0.x. A join request is accepted when
 * lora-packet verifies its MIC with the device's AppKey and its DevNonce has
 * not been used before. The join accept is built by our encoder and must be
 * opened by lora-packet before it is sent; the session keys are lora-packet's
 * derivation, so a device whose own derivation disagrees fails its first MIC.
 */
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import type { BlockDecipher } from '../../drivers/crypto/aes128.js';
import type { JoinRequest } from '../../drivers/lorawan/join.js';
import { encodeJoinAccept } from '../../drivers/lorawan/join.js';
import type { Region } from '../../drivers/lorawan/regions/types.js';
import type { CfList } from '../../drivers/lorawan/cflist.js';
import { bankMasks } from './adr.js';
import { lpOpenJoinAccept, lpSessionKeys, lpVerifyJoinRequest } from './lora-packet-adapter.js';
import type { DeviceRegistry, DeviceState, NetworkConfig, Session } from './registry.js';

export type JoinRejection = 'unknown-device' | 'mic' | 'devnonce-replay';

export type JoinOutcome =
  | { ok: true; device: DeviceState; session: Session; joinAccept: Uint8Array; devNonce: number }
  | { ok: false; reason: JoinRejection; detail: string; device?: DeviceState };

/** 25 bits of NwkAddr under the 7-bit NwkID of a type-0 NetID. */
const NWK_ADDR_BITS = 25;

export class JoinServer {
  readonly #registry: DeviceRegistry;
  readonly #network: NetworkConfig;
  readonly #region: Region;
  readonly #cipher: BlockCipher;
  readonly #decipher: BlockDecipher;
  #nextNwkAddr = 1;

  constructor(registry: DeviceRegistry, network: NetworkConfig, region: Region, cipher: BlockCipher, decipher: BlockDecipher) {
    this.#registry = registry;
    this.#network = network;
    this.#region = region;
    this.#cipher = cipher;
    this.#decipher = decipher;
  }

  handle(request: JoinRequest): JoinOutcome {
    const device = this.#registry.byJoinRequest(request.joinEui, request.devEui);
    if (device === undefined || device.config.activation !== 'otaa') {
      return { ok: false, reason: 'unknown-device', detail: 'no OTAA device with this JoinEUI and DevEUI is registered' };
    }
    const appKey = device.config.appKey;
    if (!lpVerifyJoinRequest(request.phyPayload, appKey)) {
      return { ok: false, reason: 'mic', detail: 'join request MIC does not match the registered AppKey', device };
    }
    // Checked after the MIC, so a forged request cannot burn a device's DevNonces.
    if (device.usedDevNonces.has(request.devNonce)) {
      return { ok: false, reason: 'devnonce-replay', detail: `DevNonce ${request.devNonce} was already used by this device`, device };
    }
    device.usedDevNonces.add(request.devNonce);
    device.joinNonce = (device.joinNonce + 1) & 0xffffff;

    const fields = {
      joinNonce: device.joinNonce,
      netId: this.#network.netId,
      devAddr: this.#allocateDevAddr(device),
      dlSettings: { rx1DrOffset: this.#network.rx1DrOffset, rx2DataRate: this.#region.rx2Default().dataRate },
      rxDelay: this.#network.rx1DelayS,
      ...this.#cfList(device),
    };
    const joinAccept = encodeJoinAccept(this.#cipher, this.#decipher, fields, appKey);
    const check = lpOpenJoinAccept(joinAccept, appKey);
    if (check === undefined || check.devAddr !== fields.devAddr || check.joinNonce !== fields.joinNonce || check.netId !== fields.netId) {
      // Our encoder and lora-packet disagree: sending it would only make the device fail later, less clearly.
      throw new Error(`join accept for ${device.devEuiHex} is not accepted by lora-packet (${JSON.stringify(check)})`);
    }
    const keys = lpSessionKeys(appKey, { netId: fields.netId, joinNonce: fields.joinNonce, devNonce: request.devNonce });
    const session: Session = {
      devAddr: fields.devAddr,
      keys,
      lastFCntUp: undefined,
      fCntDown: 0,
      rx1DelayS: fields.rxDelay === 0 ? 1 : fields.rxDelay,
      rx1DrOffset: fields.dlSettings.rx1DrOffset,
    };
    return { ok: true, device, session, joinAccept, devNonce: request.devNonce };
  }

  /** CN470 and US915 (RP002 CFListType 1): the channel mask of a device held to some channels, e.g. its base stations' sub-band. */
  #cfList(device: DeviceState): { cfList?: CfList } {
    const channels = device.config.uplinkChannels;
    if (channels === undefined || (this.#region.name !== 'CN470' && this.#region.name !== 'US915')) return {};
    const masks = bankMasks(channels);
    return { cfList: { type: 1, channelMasks: [0, 1, 2, 3, 4, 5].map((bank) => masks.get(bank) ?? 0) } };
  }

  /** A device that re-joins keeps its address (easier to follow in logs); otherwise the next free one. */
  #allocateDevAddr(device: DeviceState): number {
    if (device.session !== undefined) return device.session.devAddr;
    const prefix = ((this.#network.netId & 0x7f) << NWK_ADDR_BITS) >>> 0;
    for (;;) {
      const devAddr = (prefix | (this.#nextNwkAddr++ & (2 ** NWK_ADDR_BITS - 1))) >>> 0;
      if (!this.#registry.isDevAddrUsed(devAddr)) return devAddr;
    }
  }
}
