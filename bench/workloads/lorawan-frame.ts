/**
 * Workloads `lorawan.*`: the XS cost of making one LoRaWAN uplink, the work a
 * gateway's MAC does per frame. A 51-byte payload (the EU868 DR0–2 maximum)
 * on FPort 1 at FCnt 70,000 (past 65,535, so the 32-bit counter path is
 * exercised): FHDR, FRMPayload encryption (4 AES blocks) and the MIC
 * (AES-CMAC over B0 + 64 bytes: 5 blocks plus the subkey block).
 *
 * On an ESP32 AES is Moddable's native C, so the frame is also measured with
 * a stub cipher (no AES at all) and one portable AES block on its own: the
 * stub figure is what the JavaScript framing itself costs.
 */
import { PortableAes128 } from '../../drivers/crypto/aes128.js';
import { toHex } from '../../drivers/bytes.js';
import { encodeDataFrame, type SessionKeys } from '../../drivers/lorawan/data-frame.js';
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import { baselines, syncWorkload, type WorkloadTable } from './harness.js';

export const FRAME51_KEYS: SessionKeys = {
  nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  appSKey: Uint8Array.from({ length: 16 }, (_, i) => 16 - i),
};
export const FRAME51_DEVADDR = 0x26011bda;
export const FRAME51_FCNT = 70_000;
/** Made with lora-packet 0.9.3 (an independent implementation) from the same fields and keys. */
export const FRAME51_EXPECTED_HEX =
  '40da1b012680701101927f7b2abb1e10ed7dda6284c6af7bffb878c0705c010e87fedfc1d5d2e784ab91a82b46c2ccefd0d1e902e2db2345fc4b03bc2ba3d026';

/** Counts AES blocks and does no cryptography: what the framing costs without AES. */
export class StubCipher implements BlockCipher {
  blocks = 0;
  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    this.blocks++;
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = key[i] ^ block[i];
    return out;
  }
}

function frame51(cipher: BlockCipher): Uint8Array {
  const payload = new Uint8Array(51);
  for (let i = 0; i < 51; i++) payload[i] = i;
  return encodeDataFrame(cipher, {
    mType: 'unconfirmed-data-up', devAddr: FRAME51_DEVADDR, fCnt: FRAME51_FCNT, fCtrl: { adr: true }, fPort: 1, payload,
  }, FRAME51_KEYS);
}

export const workloads: WorkloadTable = {
  ...baselines,
  'lorawan.frame51': syncWorkload('encodeDataFrame of a 51-byte uplink (FPort 1, FCnt 70000) with PortableAes128: encryption + MIC', () => {
    const cipher = new PortableAes128();
    return () => frame51(cipher);
  }, (frame) => ({ bytes: frame.length, hex: toHex(frame) })),
  'lorawan.frame51_stub_cipher': syncWorkload('the same frame with a stub BlockCipher (key XOR block): framing, counters, CMAC chaining without AES', () => {
    const cipher = new StubCipher();
    return () => frame51(cipher);
  }, (frame) => ({ bytes: frame.length })),
  'lorawan.aes_block': syncWorkload('one PortableAes128.encryptBlock (key schedule cached)', () => {
    const cipher = new PortableAes128();
    const block = new Uint8Array(16).fill(0x5a);
    cipher.encryptBlock(FRAME51_KEYS.nwkSKey, block);
    return () => cipher.encryptBlock(FRAME51_KEYS.nwkSKey, block);
  }, (out) => ({ bytes: out.length })),
};

/** AES blocks one frame needs (the suite multiplies by the per-block figure). */
export function frame51Blocks(): number {
  const stub = new StubCipher();
  frame51(stub);
  return stub.blocks;
}
