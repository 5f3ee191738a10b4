/**
 * Property and fuzz tests (fast-check) for the crypto and the LoRaWAN codecs,
 * run on Node and inside XS with the portable cipher.
 */
import fc from 'fast-check';
import { test } from '../../test/kit/core-test.js';
import { AxonError } from '../errors.js';
import { PortableAes128 } from '../crypto/aes128.js';
import { encodeDataFrame, openDataFrame, type SessionKeys } from './data-frame.js';
import { LorawanError } from './errors.js';
import { decodeJoinAccept, encodeJoinAccept, encodeJoinRequest } from './join.js';
import { dataMType } from './mhdr.js';
import { decodePhyPayload } from './phy.js';

const aes = new PortableAes128();
const RUNS = 60;
const KEYS: SessionKeys = { nwkSKey: Uint8Array.from({ length: 16 }, (_, i) => i + 1), appSKey: Uint8Array.from({ length: 16 }, (_, i) => 16 - i) };
const APP_KEY = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

/** Decoding junk may fail, but only with one of our LoRaWAN errors (or a cipher-size error, never reached here). */
const NAMED = new Set(['LORAWAN_MALFORMED', 'LORAWAN_MIC', 'LORAWAN_UNSUPPORTED']);
function onlyNamedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof LorawanError) || !(error instanceof AxonError) || !NAMED.has(error.code)) throw error;
  }
}

/** Every decoder we expose, on the same bytes. */
function decodeEverything(bytes: Uint8Array): void {
  onlyNamedErrors(() => decodePhyPayload(bytes));
  onlyNamedErrors(() => openDataFrame(aes, bytes, KEYS, { lastFCnt: 0x12345 }));
  onlyNamedErrors(() => decodeJoinAccept(aes, bytes, APP_KEY));
}

test('AES: decryptBlock inverts encryptBlock for random keys and blocks', (t) => {
  const block = fc.uint8Array({ minLength: 16, maxLength: 16 });
  fc.assert(fc.property(block, block, (key, data) => {
    t.deepEqual(aes.decryptBlock(key, aes.encryptBlock(key, data)), data);
  }), { numRuns: RUNS });
});

test('data frames round-trip through encode and open for any fields', (t) => {
  const fields = fc.record({
    confirmed: fc.boolean(),
    uplink: fc.boolean(),
    devAddr: fc.nat({ max: 0xffffffff }),
    fCnt: fc.nat({ max: 0xffffffff }),
    adr: fc.boolean(),
    ack: fc.boolean(),
    fOpts: fc.uint8Array({ maxLength: 15 }),
    fPort: fc.integer({ min: 1, max: 255 }),
    payload: fc.uint8Array({ maxLength: 64 }),
  });
  fc.assert(fc.property(fields, (f) => {
    const mType = dataMType(f.confirmed, f.uplink ? 'up' : 'down');
    const wire = encodeDataFrame(aes, { mType, devAddr: f.devAddr, fCnt: f.fCnt, fCtrl: { adr: f.adr, ack: f.ack }, fOpts: f.fOpts, fPort: f.fPort, payload: f.payload }, KEYS);
    t.is(wire.length, 13 + f.fOpts.length + f.payload.length);
    const opened = openDataFrame(aes, wire, KEYS, { lastFCnt: f.fCnt });
    t.deepEqual([opened.mType, opened.devAddr, opened.fCnt, opened.fPort, opened.fCtrl.adr, opened.fCtrl.ack], [mType, f.devAddr, f.fCnt, f.fPort, f.adr, f.ack]);
    t.deepEqual(opened.payload, f.payload);
    t.deepEqual(opened.fOpts, f.fOpts);
  }), { numRuns: RUNS });
});

test('join accepts round-trip network → device for any fields', (t) => {
  const fields = fc.record({
    joinNonce: fc.nat({ max: 0xffffff }),
    netId: fc.nat({ max: 0xffffff }),
    devAddr: fc.nat({ max: 0xffffffff }),
    dlSettings: fc.record({ rx1DrOffset: fc.nat({ max: 7 }), rx2DataRate: fc.nat({ max: 15 }) }),
    rxDelay: fc.nat({ max: 15 }),
  });
  fc.assert(fc.property(fields, fc.option(fc.array(fc.nat({ max: 0xffffff }), { minLength: 5, maxLength: 5 })), (f, freqs) => {
    // Plain objects: fast-check may build records without a prototype, and XS's deepEqual compares prototypes.
    const base = { ...f, dlSettings: { ...f.dlSettings } };
    const input = freqs === null ? base : { ...base, cfList: { type: 0 as const, frequencies: freqs.map((v) => v * 100) } };
    const { mic, rx1DelayS, ...decoded } = decodeJoinAccept(aes, encodeJoinAccept(aes, aes, input, APP_KEY), APP_KEY);
    t.deepEqual(decoded, input);
    t.is(rx1DelayS, Math.max(1, f.rxDelay));
    t.is(mic.length, 4);
  }), { numRuns: RUNS });
});

test('fuzz: random bytes make the decoders fail only with named LoRaWAN errors', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
    decodeEverything(bytes);
  }), { numRuns: 400 });
  t.pass();
});

test('fuzz: mutated valid frames (bit flips, truncation, extension) fail only with named errors', (t) => {
  const seeds = [
    encodeDataFrame(aes, { mType: 'confirmed-data-up', devAddr: 0x01020304, fCnt: 0x12345, fOpts: Uint8Array.of(2), fPort: 10, payload: Uint8Array.of(1, 2, 3, 4) }, KEYS),
    encodeDataFrame(aes, { mType: 'unconfirmed-data-down', devAddr: 0x26011bda, fCnt: 7, fCtrl: { ack: true } }, KEYS),
    encodeJoinRequest(aes, { joinEui: new Uint8Array(8), devEui: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), devNonce: 1 }, APP_KEY),
    encodeJoinAccept(aes, aes, { joinNonce: 1, netId: 2, devAddr: 3, dlSettings: { rx1DrOffset: 0, rx2DataRate: 0 }, rxDelay: 1, cfList: { type: 1, channelMasks: [0xff] } }, APP_KEY),
  ];
  const mutation = fc.record({
    seed: fc.nat({ max: seeds.length - 1 }),
    flips: fc.array(fc.record({ at: fc.nat(), bit: fc.nat({ max: 7 }) }), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
    extra: fc.uint8Array({ maxLength: 20 }),
  });
  let rejected = 0;
  fc.assert(fc.property(mutation, (m) => {
    let bytes = Uint8Array.from(seeds[m.seed]);
    for (const flip of m.flips) bytes[flip.at % bytes.length] ^= 1 << flip.bit;
    if (m.cut !== null) bytes = bytes.subarray(0, m.cut % (bytes.length + 1));
    if (m.extra.length > 0 && m.flips.length === 0) bytes = Uint8Array.from([...bytes, ...m.extra]);
    decodeEverything(bytes);
    try {
      openDataFrame(aes, bytes, KEYS, { lastFCnt: 0x12345 });
    } catch {
      rejected++;
    }
  }), { numRuns: 300 });
  t.true(rejected > 250, `${rejected} of 300 mutated frames were rejected by openDataFrame`);
});
