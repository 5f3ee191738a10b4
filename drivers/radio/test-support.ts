/**
 * The scenarios both radio drivers' core tests run against their chip
 * simulators (under the class A MAC and the test network): join and three
 * confirmed frames, and receive-window timing over RX1 and RX2 answers.
 */
import type { CoreAssertions } from '../../test/kit/assertions.js';
import { rxWindowOffsets, type ChipRxWindow } from '../../simulators/radio/index.js';
import { FPORT } from '../lorawan/mac/fport.js';
import { JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS, RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS } from '../lorawan/mac/rx-windows.js';
import type { Bench } from '../lorawan/mac/test-support.js';

/** Join (OTAA), then three confirmed frames, each acknowledged at the first attempt. */
export async function joinAndConfirmThree(t: CoreAssertions, bench: Bench, chip: string): Promise<void> {
  const { clock, mac, network } = bench;
  await clock.run(mac.join());
  t.true(mac.joined, `joined through the ${chip} driver`);
  for (let i = 0; i < 3; i++) {
    const result = await clock.run(mac.sendFrame({ port: FPORT.data, payload: Uint8Array.of(i, 1, 2), confirmed: true }));
    t.true(result.acked, `frame ${i} acknowledged`);
    t.is(result.transmissions, 1, 'at the first attempt');
  }
  t.deepEqual(network.uplinksOf(0x26000042).map((u) => u.fCnt), [0, 1, 2]);
  t.deepEqual(network.problems, []);
}

/**
 * Join, three confirmed frames answered in RX2, two unconfirmed ones answered
 * in RX1; every window the chip opened must lie within 20 ms before the
 * downlink time (the channel's RX1/RX2 timestamps) and catch the downlink.
 */
export async function checkRxWindowTiming(t: CoreAssertions, bench: Bench, windows: () => readonly ChipRxWindow[]): Promise<void> {
  const { clock, mac, network } = bench;
  await clock.run(mac.join());
  network.answerIn = 2;
  for (let i = 0; i < 3; i++) await clock.run(mac.sendFrame({ port: FPORT.data, payload: Uint8Array.of(i), confirmed: true }));
  network.answerIn = 1;
  for (let i = 0; i < 2; i++) await clock.run(mac.sendFrame({ port: FPORT.data, payload: Uint8Array.of(i), confirmed: false }));
  const offsets = rxWindowOffsets(bench.channel, 'device', windows(), { join: [JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS], data: [RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS] });
  t.true(offsets.length >= 9, `${offsets.length} windows measured`);
  t.true(offsets.some((o) => o.window === 2 && o.downlink) && offsets.some((o) => o.window === 1 && o.downlink), 'RX1 and RX2 downlinks were measured');
  for (const o of offsets) t.true(o.offsetMs >= -20 && o.offsetMs <= 0, `RX${o.window} opened ${o.offsetMs.toFixed(1)} ms from the downlink time`);
  t.true(offsets.filter((o) => o.downlink).every((o) => o.received), 'every downlink sent in a window was received');
}
