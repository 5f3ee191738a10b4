/**
 * Portable AES-128 (FIPS-197) for engines that have neither node:crypto nor
 * Moddable's native BlockCipher (xsnap in CI, a bare XS build). Plain
 * JavaScript, so it is slow next to native AES, but LoRaWAN needs only a few
 * blocks per frame.
 *
 * Encryption is the classic "T-table" formulation: SubBytes, ShiftRows and
 * MixColumns of one round are 16 table look-ups and XORs on four 32-bit
 * column words, and the last round (no MixColumns) is 16 S-box look-ups XORed
 * with the last round key kept as bytes. All tables are computed at load time
 * from GF(2^8) arithmetic instead of being pasted in (no 4 KB literal, nothing
 * to mistype): EXP, LOG, SBOX, INV_SBOX (256 bytes each) and TE0..TE3 (256
 * words each), 5 KB in all. The tables and round keys are Int32Array, so every
 * value XS handles is a 32-bit integer and never a boxed double (the ESP32 has
 * no double-precision FPU).
 *
 * Each PortableAes128 remembers the schedules of its two most recently used
 * keys: a LoRaWAN frame encrypts with AppSKey and then computes the MIC with
 * NwkSKey, so one remembered key would be expanded twice per frame.
 */
import type { BlockCipher } from '../ports/block-cipher.js';
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
const TE0 = new Int32Array(256);
/** TE0 rotated right by 8, 16 and 24 bits: the same column for state rows 1, 2 and 3. */
const TE1 = new Int32Array(256);
const TE2 = new Int32Array(256);
const TE3 = new Int32Array(256);

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
    const column = (s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s);
    TE0[x] = column;
    TE1[x] = (column >>> 8) | (column << 24);
    TE2[x] = (column >>> 16) | (column << 16);
    TE3[x] = (column >>> 24) | (column << 8);
  }
}
buildTables();

/** The 44 words of FIPS-197 §5.2, as 32-bit integers (words ≥ 2^31 are negative). */
function expandKey(key: Uint8Array): Int32Array {
  const w = new Int32Array(44);
  let w0 = (key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3];
  let w1 = (key[4] << 24) | (key[5] << 16) | (key[6] << 8) | key[7];
  let w2 = (key[8] << 24) | (key[9] << 16) | (key[10] << 8) | key[11];
  let w3 = (key[12] << 24) | (key[13] << 16) | (key[14] << 8) | key[15];
  w[0] = w0;
  w[1] = w1;
  w[2] = w2;
  w[3] = w3;
  let rcon = 1;
  for (let i = 4; i < 44; i += 4) {
    // SubWord(RotWord(w[i-1])) ^ Rcon, then each word chains on the one before.
    w0 ^= (SBOX[(w3 >>> 16) & 255] << 24) ^ (SBOX[(w3 >>> 8) & 255] << 16) ^ (SBOX[w3 & 255] << 8) ^ SBOX[w3 >>> 24] ^ (rcon << 24);
    w1 ^= w0;
    w2 ^= w1;
    w3 ^= w2;
    w[i] = w0;
    w[i + 1] = w1;
    w[i + 2] = w2;
    w[i + 3] = w3;
    rcon = xtime(rcon);
  }
  return w;
}

/** The 44-word key schedule of FIPS-197 §5.2. */
export function expandAes128Key(key: Uint8Array): Uint32Array {
  checkAesKey(key);
  return new Uint32Array(expandKey(key).buffer);
}

/** One key's schedule, as the block functions use it. */
interface Schedule {
  /** A copy of the key: the caller may reuse its key buffer for another key. */
  readonly key: Uint8Array;
  readonly words: Int32Array;
  /** Round key 10 as 16 bytes, for the byte-wise last round. */
  readonly lastRound: Uint8Array;
}

function makeSchedule(key: Uint8Array): Schedule {
  const words = expandKey(key);
  const lastRound = new Uint8Array(16);
  for (let i = 0; i < 16; i++) lastRound[i] = words[40 + (i >> 2)] >>> (24 - 8 * (i & 3));
  return { key: Uint8Array.from(key), words, lastRound };
}

/** Whether `key` is 16 bytes equal to `cached` (unrolled: it runs once per block). */
function sameKey(cached: Uint8Array, key: Uint8Array): boolean {
  return key.length === 16 &&
    cached[0] === key[0] && cached[1] === key[1] && cached[2] === key[2] && cached[3] === key[3] &&
    cached[4] === key[4] && cached[5] === key[5] && cached[6] === key[6] && cached[7] === key[7] &&
    cached[8] === key[8] && cached[9] === key[9] && cached[10] === key[10] && cached[11] === key[11] &&
    cached[12] === key[12] && cached[13] === key[13] && cached[14] === key[14] && cached[15] === key[15];
}

function encryptWithSchedule(schedule: Schedule, b: Uint8Array): Uint8Array {
  const rk = schedule.words;
  let s0 = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) ^ rk[0];
  let s1 = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) ^ rk[1];
  let s2 = ((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]) ^ rk[2];
  let s3 = ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15]) ^ rk[3];
  // Rounds 1–9 (round r uses round key words 4r…4r+3), unrolled: no loop counter and
  // constant indices into the schedule. The state alternates between s and t.
  let t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[4];
  let t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[5];
  let t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[6];
  let t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[7];
  s0 = TE0[t0 >>> 24] ^ TE1[(t1 >>> 16) & 255] ^ TE2[(t2 >>> 8) & 255] ^ TE3[t3 & 255] ^ rk[8];
  s1 = TE0[t1 >>> 24] ^ TE1[(t2 >>> 16) & 255] ^ TE2[(t3 >>> 8) & 255] ^ TE3[t0 & 255] ^ rk[9];
  s2 = TE0[t2 >>> 24] ^ TE1[(t3 >>> 16) & 255] ^ TE2[(t0 >>> 8) & 255] ^ TE3[t1 & 255] ^ rk[10];
  s3 = TE0[t3 >>> 24] ^ TE1[(t0 >>> 16) & 255] ^ TE2[(t1 >>> 8) & 255] ^ TE3[t2 & 255] ^ rk[11];
  t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[12];
  t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[13];
  t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[14];
  t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[15];
  s0 = TE0[t0 >>> 24] ^ TE1[(t1 >>> 16) & 255] ^ TE2[(t2 >>> 8) & 255] ^ TE3[t3 & 255] ^ rk[16];
  s1 = TE0[t1 >>> 24] ^ TE1[(t2 >>> 16) & 255] ^ TE2[(t3 >>> 8) & 255] ^ TE3[t0 & 255] ^ rk[17];
  s2 = TE0[t2 >>> 24] ^ TE1[(t3 >>> 16) & 255] ^ TE2[(t0 >>> 8) & 255] ^ TE3[t1 & 255] ^ rk[18];
  s3 = TE0[t3 >>> 24] ^ TE1[(t0 >>> 16) & 255] ^ TE2[(t1 >>> 8) & 255] ^ TE3[t2 & 255] ^ rk[19];
  t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[20];
  t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[21];
  t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[22];
  t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[23];
  s0 = TE0[t0 >>> 24] ^ TE1[(t1 >>> 16) & 255] ^ TE2[(t2 >>> 8) & 255] ^ TE3[t3 & 255] ^ rk[24];
  s1 = TE0[t1 >>> 24] ^ TE1[(t2 >>> 16) & 255] ^ TE2[(t3 >>> 8) & 255] ^ TE3[t0 & 255] ^ rk[25];
  s2 = TE0[t2 >>> 24] ^ TE1[(t3 >>> 16) & 255] ^ TE2[(t0 >>> 8) & 255] ^ TE3[t1 & 255] ^ rk[26];
  s3 = TE0[t3 >>> 24] ^ TE1[(t0 >>> 16) & 255] ^ TE2[(t1 >>> 8) & 255] ^ TE3[t2 & 255] ^ rk[27];
  t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[28];
  t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[29];
  t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[30];
  t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[31];
  s0 = TE0[t0 >>> 24] ^ TE1[(t1 >>> 16) & 255] ^ TE2[(t2 >>> 8) & 255] ^ TE3[t3 & 255] ^ rk[32];
  s1 = TE0[t1 >>> 24] ^ TE1[(t2 >>> 16) & 255] ^ TE2[(t3 >>> 8) & 255] ^ TE3[t0 & 255] ^ rk[33];
  s2 = TE0[t2 >>> 24] ^ TE1[(t3 >>> 16) & 255] ^ TE2[(t0 >>> 8) & 255] ^ TE3[t1 & 255] ^ rk[34];
  s3 = TE0[t3 >>> 24] ^ TE1[(t0 >>> 16) & 255] ^ TE2[(t1 >>> 8) & 255] ^ TE3[t2 & 255] ^ rk[35];
  t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 255] ^ TE2[(s2 >>> 8) & 255] ^ TE3[s3 & 255] ^ rk[36];
  t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 255] ^ TE2[(s3 >>> 8) & 255] ^ TE3[s0 & 255] ^ rk[37];
  t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 255] ^ TE2[(s0 >>> 8) & 255] ^ TE3[s1 & 255] ^ rk[38];
  t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 255] ^ TE2[(s1 >>> 8) & 255] ^ TE3[s2 & 255] ^ rk[39];
  // Round 10 (no MixColumns): SubBytes, ShiftRows and AddRoundKey straight into the output bytes.
  const last = schedule.lastRound;
  const out = new Uint8Array(16);
  out[0] = SBOX[t0 >>> 24] ^ last[0];
  out[1] = SBOX[(t1 >>> 16) & 255] ^ last[1];
  out[2] = SBOX[(t2 >>> 8) & 255] ^ last[2];
  out[3] = SBOX[t3 & 255] ^ last[3];
  out[4] = SBOX[t1 >>> 24] ^ last[4];
  out[5] = SBOX[(t2 >>> 16) & 255] ^ last[5];
  out[6] = SBOX[(t3 >>> 8) & 255] ^ last[6];
  out[7] = SBOX[t0 & 255] ^ last[7];
  out[8] = SBOX[t2 >>> 24] ^ last[8];
  out[9] = SBOX[(t3 >>> 16) & 255] ^ last[9];
  out[10] = SBOX[(t0 >>> 8) & 255] ^ last[10];
  out[11] = SBOX[t1 & 255] ^ last[11];
  out[12] = SBOX[t3 >>> 24] ^ last[12];
  out[13] = SBOX[(t0 >>> 16) & 255] ^ last[13];
  out[14] = SBOX[(t1 >>> 8) & 255] ^ last[14];
  out[15] = SBOX[t2 & 255] ^ last[15];
  return out;
}

/** Byte-wise inverse cipher (FIPS-197 §5.3): rarely used, so no tables of its own. */
function decryptWithSchedule(rk: Int32Array, block: Uint8Array): Uint8Array {
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
 * schedules of the last two keys (see the module comment). Per instance that
 * is at most two schedules of 208 bytes each, plus their objects.
 */
export class PortableAes128 implements BlockCipher, BlockDecipher {
  #recent: Schedule | undefined;
  #previous: Schedule | undefined;

  encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    if (block.length !== 16) checkAesBlock(block);
    const recent = this.#recent;
    return encryptWithSchedule(recent !== undefined && sameKey(recent.key, key) ? recent : this.#scheduleFor(key), block);
  }

  decryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
    checkAesBlock(block);
    const recent = this.#recent;
    return decryptWithSchedule((recent !== undefined && sameKey(recent.key, key) ? recent : this.#scheduleFor(key)).words, block);
  }

  /** The schedule of a key other than the most recent one: the previous one, or a new expansion. */
  #scheduleFor(key: Uint8Array): Schedule {
    const previous = this.#previous;
    let schedule: Schedule;
    if (previous !== undefined && sameKey(previous.key, key)) {
      schedule = previous;
    } else {
      checkAesKey(key);
      schedule = makeSchedule(key);
    }
    this.#previous = this.#recent;
    this.#recent = schedule;
    return schedule;
  }
}
