/**
 * Whatever arrives in a receive window, the MAC only counts it: random bytes,
 * and MIC-valid frames carrying random MAC commands, never throw out of it
 * and never leave it in an unusable state.
 */
import fc from 'fast-check';
import { test } from '../../../test/kit/core-test.js';
import { PortableAes128 } from '../../crypto/aes128.js';
import { checkDownlink } from './downlink.js';
import { ABP_DEVADDR, ABP_KEYS, createBench } from './test-support.js';

const aes = new PortableAes128();

test('checkDownlink never throws on random bytes and names a reason for every rejection', (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 270 }), fc.option(fc.nat({ max: 0xffffffff })), (bytes, last) => {
    const verdict = checkDownlink(aes, bytes, { devAddr: ABP_DEVADDR, keys: ABP_KEYS, lastFCntDown: last ?? undefined });
    return verdict.ok || ['malformed', 'unexpected', 'foreign', 'replay', 'mic'].includes(verdict.reason);
  }), { numRuns: 400 });
  t.pass();
});

test('random downlink bytes in the receive windows are counted, never thrown, and the MAC keeps working', async (t) => {
  const { clock, mac, network } = createBench({ activation: 'abp', mac: { dataRate: 5 } });
  const frames = fc.sample(fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    // Bytes shaped like a downlink for this device (MHDR, DevAddr), garbage after.
    fc.uint8Array({ minLength: 8, maxLength: 40 }).map((b) => Uint8Array.from([0x60, 0xda, 0x1b, 0x01, 0x26, ...b])),
  ), { numRuns: 40, seed: 5 });
  for (const bytes of frames) {
    network.queueRaw(ABP_DEVADDR, bytes);
    await clock.run(mac.sendFrame({ port: 1, payload: Uint8Array.of(1), confirmed: false }));
  }
  const rejected = Object.values(mac.counters.rejected).reduce((a, b) => a + b, 0);
  t.is(rejected + mac.counters.downlinks, frames.length);
  t.is(mac.counters.downlinks, 0);
  await clock.run(mac.sendFrame({ port: 1, payload: Uint8Array.of(2), confirmed: false }));
  t.is(network.uplinks.length, frames.length + 1);
});

test('MIC-valid downlinks with random MAC commands never throw and leave usable radio settings', async (t) => {
  const { clock, mac, network, region } = createBench({ activation: 'abp', mac: { dataRate: 5 } });
  const commands = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 15 }), { numRuns: 40, seed: 9 });
  let sent = 0;
  for (const fOpts of commands) {
    // Random bytes with CIDs forced into the known range half of the time, so commands really get applied.
    if (fOpts[0] % 2 === 0) fOpts[0] = 2 + (fOpts[0] % 9);
    network.queue(ABP_DEVADDR, { fOpts });
    const max = mac.maxPayloadBytes();
    t.true(max >= 0 && max <= 242);
    await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(Math.min(max, 5)), confirmed: false }), 7 * 24 * 3_600_000);
    sent++;
    t.true(region.uplinkDataRates.includes(mac.dataRate));
    t.true(mac.channels.enabledChannels().length > 0);
  }
  t.is(sent, commands.length);
  t.is(mac.counters.downlinks, commands.length);
  t.deepEqual(network.problems, []);
});
