/**
 * FrameCrypto: our core does every frame, lora-packet a sample, and a
 * disagreement fails the run. The server de-duplicates before it verifies:
 * the copies other base stations report cost no MIC check and no decryption.
 */
import test from 'ava';
import type { BlockCipher } from '../../drivers/ports/block-cipher.js';
import { decodeDataFrame } from '../../drivers/lorawan/data-frame.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { AxonError } from '../../drivers/errors.js';
import { FrameCrypto } from './frame-crypto.js';
import { LoraNetworkServer } from './network-server.js';
import { DeviceRegistry } from './registry.js';
import { parseRegistry } from './registry-file.js';
import type { ReceivedFrame } from './types.js';
import { ABP_DEVADDR, ABP_KEYS, cipher, dataUp, exampleTable, registryJson } from './test-support.js';

/** A cipher that is right except on one block in `every`: an implementation bug lora-packet must catch. */
function flawedCipher(every: number): BlockCipher {
  let n = 0;
  return {
    encryptBlock(key, block) {
      const out = cipher.encryptBlock(key, block);
      if (++n % every === 0) out[0] ^= 1;
      return out;
    },
  };
}

test('a sampled frame where our core and lora-packet disagree fails with FRAME_CROSS_CHECK', (t) => {
  const crypto = new FrameCrypto(flawedCipher(1), { crossCheckEvery: 1 });
  const frame = decodeDataFrame(dataUp(ABP_KEYS, ABP_DEVADDR, 7, Uint8Array.of(1, 2, 3)));
  const error = t.throws(() => crypto.verifyDataMic(frame, ABP_KEYS.nwkSKey, 7)) as AxonError;
  t.is(error.code, 'FRAME_CROSS_CHECK');
  t.regex(error.message, /ours says invalid, lora-packet valid/);
  t.throws(() => crypto.decryptData(frame, ABP_KEYS, 7), { code: 'FRAME_CROSS_CHECK' });
});

test('1 in 1,000: frames between samples are done by our core alone; the sampled one is compared', (t) => {
  const crypto = new FrameCrypto(cipher, { crossCheckEvery: 1000 });
  for (let fCnt = 1; fCnt <= 2500; fCnt++) {
    const frame = decodeDataFrame(dataUp(ABP_KEYS, ABP_DEVADDR, fCnt, Uint8Array.of(fCnt & 0xff)));
    t.true(crypto.verifyDataMic(frame, ABP_KEYS.nwkSKey, fCnt));
  }
  t.deepEqual(crypto.stats, { operations: 2500, crossChecked: 2 });
  // A wrong core is caught within one sample period.
  const flawed = new FrameCrypto(flawedCipher(1), { crossCheckEvery: 1000 });
  const frame = decodeDataFrame(dataUp(ABP_KEYS, ABP_DEVADDR, 3, Uint8Array.of(3)));
  for (let i = 1; i < 1000; i++) t.false(flawed.verifyDataMic(frame, ABP_KEYS.nwkSKey, 3));
  t.throws(() => flawed.verifyDataMic(frame, ABP_KEYS.nwkSKey, 3), { code: 'FRAME_CROSS_CHECK' });
  t.throws(() => new FrameCrypto(cipher, { crossCheckEvery: 0 }), { instanceOf: RangeError });
});

test('the network server drops copies from other base stations before any MIC check or decryption', (t) => {
  const parsed = parseRegistry(registryJson(exampleTable()), { defaultApplication: 'city' });
  const ns = new LoraNetworkServer({ registry: new DeviceRegistry(parsed.devices), network: parsed.network, clock: new VirtualClock() });
  const phy = dataUp(ABP_KEYS, ABP_DEVADDR, 65_531, Uint8Array.of(0x13)); // the ABP device has sent up to 65,530
  const rx = (gatewayId: string): ReceivedFrame => ({ phyPayload: phy, rx: { gatewayId, tmst: 0, frequency: 868_300_000, sf: 12, bw: 125, codeRate: '4/5', rssi: -100, snr: 10 } });
  ns.handleFrame(rx('gw-1'));
  const afterFirst = ns.crossChecks.operations;
  t.true(afterFirst >= 2, 'the first copy is verified and decrypted');
  for (let k = 2; k <= 11; k++) ns.handleFrame(rx(`gw-${k}`));
  t.is(ns.stats.duplicates, 10);
  t.is(ns.stats.uplinksAccepted, 1);
  t.is(ns.crossChecks.operations, afterFirst, 'ten copies, no crypto');
});
