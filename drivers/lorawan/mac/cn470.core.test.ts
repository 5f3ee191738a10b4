/**
 * CN470: 96 uplink channels, DR1–5 (DR0 carries nothing under RP002), small
 * payloads at low DRs. Every frame must fit its data rate, and
 * maxPayloadBytes() must follow the DR the network sets with LinkADRReq.
 */
import { test } from '../../../test/kit/core-test.js';
import { encodeDownlinkCommand } from './mac-commands.js';
import { FRAME_OVERHEAD_BYTES } from '../airtime.js';
import { seededRandom } from './random.js';
import { ABP_DEVADDR, createBench } from './test-support.js';

test('CN470: every frame fits its DR and maxPayloadBytes() follows LinkADRReq', async (t) => {
  const { clock, mac, network, region } = createBench({ region: 'CN470', activation: 'abp' });
  const random = seededRandom(470);
  t.is(mac.dataRate, 1, 'starts at DR1, the slowest DR that carries a payload');
  t.is(mac.maxPayloadBytes(), 23);
  const seen: Array<{ dr: number; max: number }> = [];
  for (let i = 0; i < 60; i++) {
    if (i % 6 === 0) {
      const dr = 1 + (i / 6) % 5;
      network.queue(ABP_DEVADDR, { fOpts: encodeDownlinkCommand({ type: 'LinkADRReq', dataRate: dr, txPower: 1, chMask: 0, chMaskCntl: 6, nbTrans: 1 }) });
    }
    if (random() < 0.3) mac.requestLinkCheck();
    const max = mac.maxPayloadBytes();
    seen.push({ dr: mac.dataRate, max });
    await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(max).fill(i), confirmed: false }));
  }
  for (const u of network.uplinksOf(ABP_DEVADDR)) {
    const n = region.maxPayload(u.dataRate);
    t.true(u.phyBytes - FRAME_OVERHEAD_BYTES <= n, `FCnt ${u.fCnt}: ${u.phyBytes - FRAME_OVERHEAD_BYTES} bytes at DR${u.dataRate} (max ${n})`);
  }
  const perDr = new Map<number, number>();
  for (const s of seen) perDr.set(s.dr, Math.max(perDr.get(s.dr) ?? 0, s.max));
  t.deepEqual([...perDr.entries()].sort((a, b) => a[0] - b[0]), [[1, 23], [2, 86], [3, 184], [4, 242], [5, 242]]);
  t.true(seen.some((s) => s.max < region.maxPayload(s.dr)), 'pending MAC answers reduce the room');
  t.log(`CN470: ${network.uplinks.length} frames, maxPayloadBytes() seen per DR: ${[...perDr.entries()].map(([dr, max]) => `DR${dr} ${max}`).join(', ')}`);
  t.deepEqual(network.problems, []);
});

test('CN470: a LinkADRReq block masks the 96 channels bank by bank; RX1 follows on the paired downlink channel', async (t) => {
  const { clock, mac, network } = createBench({ region: 'CN470', activation: 'abp' });
  // Only channels 32–39 (bank 2, low byte): six requests, sent on FPort 0 because they exceed 15 bytes.
  const block = [0, 1, 2, 3, 4, 5].map((cntl) => encodeDownlinkCommand({ type: 'LinkADRReq', dataRate: 3, txPower: 0, chMask: cntl === 2 ? 0x00ff : 0, chMaskCntl: cntl, nbTrans: 1 }));
  network.queue(ABP_DEVADDR, { port: 0, payload: Uint8Array.from(block.flatMap((b) => [...b])) });
  await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(10), confirmed: false }));
  t.is(mac.dataRate, 3);
  t.is(mac.maxPayloadBytes(), 184 - 12, 'six LinkADRAns wait in FOpts');
  t.deepEqual(mac.channels.enabledChannels().map((c) => c.index), [32, 33, 34, 35, 36, 37, 38, 39]);
  const got: number[] = [];
  mac.onDownlink = (m) => got.push(m.payload[0]);
  for (let i = 0; i < 10; i++) {
    network.queue(ABP_DEVADDR, { port: 2, payload: Uint8Array.of(i) });
    await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(20), confirmed: false }));
  }
  const ups = network.uplinksOf(ABP_DEVADDR).slice(1);
  t.true(ups.every((u) => u.freqHz >= 470_300_000 + 32 * 200_000 && u.freqHz <= 470_300_000 + 39 * 200_000));
  t.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every downlink heard on its RX1 channel (500.3 + 0.2·(n mod 48) MHz)');
  // A mask that would leave no channel is refused.
  network.queue(ABP_DEVADDR, { fOpts: encodeDownlinkCommand({ type: 'LinkADRReq', dataRate: 3, txPower: 0, chMask: 0, chMaskCntl: 2, nbTrans: 1 }) });
  await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(1), confirmed: false }));
  t.is(mac.channels.enabledChannels().length, 8);
});

test('CN470: a device provisioned with one sub-band (8 channels of an 8-channel base station) joins and sends only there', async (t) => {
  const subBand = [8, 9, 10, 11, 12, 13, 14, 15];
  const { clock, mac, channel } = createBench({ region: 'CN470', activation: 'otaa', mac: { channels: subBand } });
  t.deepEqual(mac.channels.enabledChannels().map((c) => c.index), subBand);
  for (let i = 0; i < 20; i++) await clock.run(mac.sendFrame({ port: 1, payload: new Uint8Array(8).fill(i), confirmed: false }));
  const sent = channel.transmissionsOf('device').filter((tx) => tx.plane === 'uplink');
  t.true(sent.length >= 21, `${sent.length} uplinks, the join request included`);
  const frequencies = new Set(sent.map((tx) => (tx.freqHz - 470_300_000) / 200_000));
  t.true([...frequencies].every((n) => subBand.includes(n)), `channels used: ${[...frequencies].sort((a, b) => a - b).join(', ')}`);
  t.true(frequencies.size >= 6, 'the hop still spreads over the sub-band');
  mac.channels.enableAll();
  t.deepEqual(mac.channels.enabledChannels().map((c) => c.index), subBand, 'an ADR back-off returns to the provisioned sub-band, not to all 96');
  const plain = createBench({ region: 'CN470', activation: 'abp' });
  t.is(plain.mac.channels.enabledChannels().length, 96);
});
