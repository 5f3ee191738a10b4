/**
 * MIC checks and payload decryption for the network server, on two
 * independent implementations: our core (drivers/lorawan over the host's
 * BlockCipher, fast: one cached node:crypto cipher per key) for every frame,
 * and lora-packet, an implementation of LoRaWAN that shares no code with
 * ours, on a sample. A sampled frame is done by both and they must agree; a
 * disagreement throws FRAME_CROSS_CHECK, which fails whatever run it is in (a
 * fleet, a test), because a mistake shared by our encoder and our decoder must
 * never pass unseen.
 *
 * `crossCheckEvery: 1` (the default) checks every frame with lora-packet, as
 * the server always did; a fleet of millions of frames samples 1 in 1,000.
 * Join requests and join accepts are always checked by lora-packet (join.ts).
 */
import { AxonError } from '../../drivers/errors.js';
import { bytesEqual } from '../../drivers/bytes.js';
import { decryptDataPayload, verifyDataMic, type DataFrame, type SessionKeys } from '../../drivers/lorawan/data-frame.js';
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import { lpDecryptData, lpVerifyDataMic } from './lora-packet-adapter.js';

export interface FrameCryptoOptions {
  /** Check one frame in this many with lora-packet as well (default 1: every frame). */
  crossCheckEvery?: number;
}

export interface FrameCryptoStats {
  /** Frame operations (MIC checks, decryptions, downlink checks) done by our core. */
  operations: number;
  /** Of those, also done by lora-packet and compared. */
  crossChecked: number;
}

export class FrameCrypto {
  readonly stats: FrameCryptoStats = { operations: 0, crossChecked: 0 };
  readonly #cipher: BlockCipher;
  readonly #every: number;

  constructor(cipher: BlockCipher, options: FrameCryptoOptions = {}) {
    const every = options.crossCheckEvery ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`crossCheckEvery must be a whole number ≥ 1, got ${every}`);
    this.#cipher = cipher;
    this.#every = every;
  }

  /** True when the data frame's MIC is right for `nwkSKey` and the full 32-bit counter. */
  verifyDataMic(frame: DataFrame, nwkSKey: Uint8Array, fCnt: number): boolean {
    const ours = verifyDataMic(this.#cipher, frame, nwkSKey, fCnt);
    if (this.#sampled()) {
      const theirs = lpVerifyDataMic(frame.phyPayload, nwkSKey, fCnt);
      if (theirs !== ours) this.#disagree(`MIC of a data frame from ${hexAddr(frame.devAddr)} at FCnt ${fCnt}: ours says ${ours ? 'valid' : 'invalid'}, lora-packet ${theirs ? 'valid' : 'invalid'}`);
    }
    return ours;
  }

  /** FRMPayload in clear (AppSKey for FPort > 0, NwkSKey for FPort 0); empty without FPort. */
  decryptData(frame: DataFrame, keys: SessionKeys, fCnt: number): Uint8Array {
    const ours = decryptDataPayload(this.#cipher, frame, keys, fCnt);
    if (this.#sampled()) {
      const theirs = lpDecryptData(frame.phyPayload, keys, fCnt);
      if (!bytesEqual(theirs, ours)) this.#disagree(`payload of a data frame from ${hexAddr(frame.devAddr)} at FCnt ${fCnt} decrypts differently`);
    }
    return ours;
  }

  /** A downlink we built: on a sampled frame, lora-packet must verify its MIC and decrypt it back to `payload`. */
  checkDownlink(phy: Uint8Array, keys: SessionKeys, devAddr: number, fCnt: number, payload: Uint8Array | undefined): void {
    this.stats.operations++;
    if (this.#every > 1 && this.stats.operations % this.#every !== 0) return;
    this.stats.crossChecked++;
    const micOk = lpVerifyDataMic(phy, keys.nwkSKey, fCnt);
    const payloadOk = payload === undefined || bytesEqual(lpDecryptData(phy, keys, fCnt), payload);
    if (!micOk || !payloadOk) {
      this.#disagree(`downlink FCnt ${fCnt} to ${hexAddr(devAddr)} is not accepted by lora-packet (MIC ${micOk ? 'ok' : 'bad'}, payload ${payloadOk ? 'ok' : 'differs'})`);
    }
  }

  /** Counts the operation; true when this one is also done by lora-packet (every frame at 1, else 1 in n). */
  #sampled(): boolean {
    this.stats.operations++;
    if (this.#every > 1 && this.stats.operations % this.#every !== 0) return false;
    this.stats.crossChecked++;
    return true;
  }

  #disagree(detail: string): never {
    throw new AxonError('FRAME_CROSS_CHECK', `our LoRaWAN core and lora-packet disagree: ${detail}`, {
      fix: 'one of the two implementations is wrong: keep the frame (run with the same seed) and compare both decodings by hand',
    });
  }
}

const hexAddr = (devAddr: number) => `DevAddr ${devAddr.toString(16).padStart(8, '0')}`;
