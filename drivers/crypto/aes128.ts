/**
 * Portable AES-128 (FIPS-197) for engines that have neither node:crypto nor
 * Moddable's native BlockCipher (xsnap in CI, a bare XS build). Plain
 * JavaScript, so it is slow next to native AES, but LoRaWAN needs only a few
 * blocks per frame.
 *
 * The S-box and one round table are computed at load time from GF(2^8)
 * arithmetic instead of being pasted in: 1.3 KB of tables, no 4 KB literal, and
 * nothing to mistype. The other three round tables of the classic "T-table"
 * formulation are byte rotations of the first, done inline.
 */
import type { BlockCipher } from '../ports/block-cipher.js';
import { bytesEqual } from '../bytes.js';
import { checkAesBlock, checkAesKey } from './errors.js';

/**
 * The inverse block operation. LoRaWAN devices never need it (even the join
 * accept is undone with an *encryption*); the network side uses it to build a
 * join accept, which is what simulators and round-trip tests do.
 */
export interface BlockDecipher {
  /** Decrypt one 16-byte block with a 16-byte key (AES-128 ECB). */
  decryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
}

const EXP = new Uint8Array(256);
const LOG = new Uint8Array(256);
const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
/** Round table: column (2·S[x], S[x], S[x], 3·S[x]) as one big-endian word. */
const T0 = new Uint32Array(256);

function xtime(a: number): number {
  return ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;
}

function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[(LOG[a] + LOG[b]) % 255];
}

function buildTables(): void {
  // 3 generates the multiplicative group of GF(2^8): walk it once for exp/log.
  let p = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = p;
    LOG[p] = i;
    p ^= xtime(p);
  }
  for (let x = 0; x < 256; x++) {
    const inverse = x === 0 ? 0 : EXP[(255 - LOG[x]) % 255];
    // Affine map of FIPS-197 §5.1.1: b ^ rotl1 ^ rotl2 ^ rotl3 ^ rotl4 ^ 0x63.
    let s = inverse;
    let r = inverse;
    for (let k = 0; k < 4; k++) {
      r = ((r << 1) | (r >> 7)) & 0xff;
      s ^= r;
    }
    s ^= 0x63;
    SBOX[x] = s;
    INV_SBOX[s] = x;
    const s2 = xtime(s);
    T0[x] = ((s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s)) >>> 0;
  }
}
buildTables();

function ror(word: number, bits: number): number {
  return ((word >>> bits) | (word << (32 - bits))) >>> 0;
}

function subWord(w: number): number {
  return ((SBOX[w >>> 24] << 24) | (SBOX[(w >>> 16) & 255] << 16) | (SBOX[(w >>> 8) & 255] << 8) | SBOX[w & 255]) >>> 0;
}

/** The 44-word key schedule of FIPS-197 §5.2. */
export function expandAes128Key(key: Uint8Array): Uint32Array {
  checkAesKey(key);
  const w = new Uint32Array(44);
  for (let i = 0; i < 4; i++) w[i] = ((key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3]) >>> 0;
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let temp = w[i - 1];
    if (i % 4 === 0) {
      temp = (subWord(ror(temp, 24)) ^ (rcon << 24)) >>> 0;
      rcon = xtime(rcon);
    }
    w[i] = (w[i - 4] ^ temp) >>> 0;
  }
  return w;
}

function readWord(block: Uint8Array, i: number): number {
  return ((block[i] << 24) | (block[i + 1] << 16) | (block[i + 2] << 8) | block[i + 3]) >>> 0;
}

function writeWord(out: Uint8Array, i: number, word: number): void {
  out[i] = word >>> 24;
  out[i + 1] = (word >>> 16) & 255;
  out[i + 2] = (word >>> 8) & 255;
  out[i + 3] = word & 255;
}

function encryptWithSchedule(rk: Uint32Array, block: Uint8Array): Uint8Array {
  let s0 = readWord(block, 0) ^ rk[0];
  let s1 = readWord(block, 4) ^ rk[1];
  let s2 = readWord(block, 8) ^ rk[2];
  let s3 = readWord(block, 12) ^ rk[3];
  for (let round = 1; round < 10; round++) {
    const k = round * 4;
    // SubBytes + ShiftRows + MixColumns in one table look-up per byte.
    const t0 = T0[s0 >>> 24] ^ ror(T0[(s1 >>> 16) & 255], 8) ^ ror(T0[(s2 >>> 8) & 255], 16) ^ ror(T0[s3 & 255], 24) ^ rk[k];
    const t1 = T0[s1 >>> 24] ^ ror(T0[(s2 >>> 16) & 255], 8) ^ ror(T0[(s3 >>> 8) & 255], 16) ^ ror(T0[s0 & 255], 24) ^ rk[k + 1];
    const t2 = T0[s2 >>> 24] ^ ror(T0[(s3 >>> 16) & 255], 8) ^ ror(T0[(s0 >>> 8) & 255], 16) ^ ror(T0[s1 & 255], 24) ^ rk[k + 2];
    const t3 = T0[s3 >>> 24] ^ ror(T0[(s0 >>> 16) & 255], 8) ^ ror(T0[(s1 >>> 8) & 255], 16) ^ ror(T0[s2 & 255], 24) ^ rk[k + 3];
    s0 = t0 >>> 0;
    s1 = t1 >>> 0;
    s2 = t2 >>> 0;
    s3 = t3 >>> 0;
  }
  // The last round has no MixColumns.
  const last = (a: number, b: number, c: number, d: number, k: number) =>
    (((SBOX[a >>> 24] << 24) | (SBOX[(b >>> 16) & 255] << 16) | (SBOX[(c >>> 8) & 255] << 8) | SBOX[d & 255]) ^ rk[k]) >>> 0;
  const out = new Uint8Array(16);
  writeWord(out, 0, last(s0, s1, s2, s3, 40));
  writeWord(out, 4, last(s1, s2, s3, s0, 41));
  writeWord(out, 8, last(s2, s3, s0, s1, 42));
  writeWord(out, 12, last(s3, s0, s1, s2, 43));
  return out;
}

/** Byte-wise inverse cipher (FIPS-197 §5.3): rarely used, so no tables of its own. */
function decryptWithSchedule(rk: Uint32Array, block: Uint8Array): Uint8Array {
  const state = Uint8Array.from(block);
  const addRoundKey = (round: number) => {
    for (let c = 0; c < 4; c++) {
      const w = rk[round * 4 + c];
      for (let r = 0; r < 4; r++) state[4 * c + r] ^= (w >>> (24 - 8 * r)) & 255;
    }
  };
  const invShiftSub = () => {
    const copy = Uint8Array.from(state);
    for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) state[4 * c + r] = INV_SBOX[copy[4 * ((c - r + 4) % 4) + r]];
  };
  const invMixColumns = () => {
    for (let c = 0; c < 4; c++) {
      const [a0, a1, a2, a3] = state.subarray(4 * c, 4 * c + 4);
      state[4 * c] = gfMul(a0, 14) ^ gfMul(a1, 11) ^ gfMul(a2, 13) ^ gfMul(a3, 9);
      state[4 * c + 1] = gfMul(a0, 9) ^ gfMul(a1, 14) ^ gfMul(a2, 11) ^ gfMul(a3, 13);
      state[4 * c + 2] = gfMul(a0, 13) ^ gfMul(a1, 9) ^ gfMul(a2, 14) ^ gfMul(a3, 11);
      state[4 * c + 3] = gfMul(a0, 11) ^ gfMul(a1, 13) ^ gfMul(a2, 9) ^ gfMul(a3, 14);
    }
  };
  addRoundKey(10);
  for (let round = 9; round >= 1; round--) {
    invShiftSub();
    addRoundKey(round);
    invMixColumns();
  }
  invShiftSub();
  addRoundKey(0);
  return state;
}

/**
 * AES-128 ECB on single blocks, for the BlockCipher port. Remembers the key
 * schedule of the last key: a LoRaWAN frame uses one key for several blocks.
 */
export class PortableAes128 implements BlockCipher, BlockDecipher {
  #key: Uint8Array | undefined;
  #schedule: Uint32Array = new Uint32Array(44);

  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesBlock(block);
    return encryptWithSchedule(this.#scheduleFor(key), block);
  }

  decryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesBlock(block);
    return decryptWithSchedule(this.#scheduleFor(key), block);
  }

  #scheduleFor(key: Uint8Array): Uint32Array {
    checkAesKey(key);
    if (this.#key === undefined || !bytesEqual(this.#key, key)) {
      this.#schedule = expandAes128Key(key);
      // A copy: the caller may reuse its key buffer for another key.
      this.#key = Uint8Array.from(key);
    }
    return this.#schedule;
  }
}
