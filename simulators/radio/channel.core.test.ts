/** The simulated LoRa channel's air model: collisions, capture, inter-SF interference, loss, receive windows; the base station's concentrator (channels, demodulators, duty cycle). */
import { test } from '../../test/kit/core-test.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { loraTimeOnAirMs } from '../../drivers/lorawan/airtime.js';
import { SimulatedLoraChannel } from './channel.js';
import { DownlinkRefusedError } from './concentrator.js';
import { interSfThresholdDb } from './inter-sf.js';
import type { ReceivedUplink } from './types.js';

const F = 868_100_000;
const packet = (n: number) => new Uint8Array(20).fill(n);

function setup(options: ConstructorParameters<typeof SimulatedLoraChannel>[1] = {}) {
  const clock = new VirtualClock();
  const channel = new SimulatedLoraChannel(clock, options);
  const gateway = channel.addGateway();
  const heard: ReceivedUplink[] = [];
  gateway.onUplink = (u) => heard.push(u);
  return { clock, channel, gateway, heard };
}

test('an uplink reaches the gateway at its end with airtime, SF, frequency, RSSI and SNR', async (t) => {
  const { clock, channel, heard } = setup();
  const radio = channel.createDeviceRadio({ id: 'a', pathLossDb: 120 });
  const result = await clock.run(radio.transmit({ freqHz: F, sf: 9, bw: 125, powerDbm: 14, payload: packet(1) }));
  const airtime = loraTimeOnAirMs({ sf: 9, bw: 125, phyPayloadBytes: 20 });
  t.is(result.airtimeMs, airtime);
  t.is(result.endMs, airtime);
  t.is(clock.now(), airtime);
  t.is(heard.length, 1);
  t.is(heard[0].deviceId, 'a');
  t.is(heard[0].rssiDbm, -106);
  t.true(Math.abs(heard[0].snrDb - (-106 + 117.03)) < 0.01);
  t.deepEqual([heard[0].startMs, heard[0].endMs, heard[0].sf, heard[0].freqHz], [0, airtime, 9, F]);
});

test('overlapping packets on the same frequency and SF collide; other SFs and frequencies do not', async (t) => {
  const { clock, channel, heard } = setup();
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => channel.createDeviceRadio({ id, pathLossDb: 120 }));
  const sends = [
    a.transmit({ freqHz: F, sf: 9, bw: 125, powerDbm: 14, payload: packet(1) }),
    b.transmit({ freqHz: F, sf: 9, bw: 125, powerDbm: 14, payload: packet(2) }),
    c.transmit({ freqHz: F, sf: 10, bw: 125, powerDbm: 14, payload: packet(3) }),
    d.transmit({ freqHz: 868_300_000, sf: 9, bw: 125, powerDbm: 14, payload: packet(4) }),
  ];
  await clock.run(Promise.all(sends));
  t.deepEqual(heard.map((u) => u.deviceId).sort(), ['c', 'd']);
  t.is(channel.stats.receptions.collision, 2);
});

test('capture: a packet 6 dB stronger than everything it overlaps survives', async (t) => {
  const { clock, channel, heard } = setup();
  const near = channel.createDeviceRadio({ id: 'near', pathLossDb: 110 });
  const far = channel.createDeviceRadio({ id: 'far', pathLossDb: 120 });
  await clock.run(Promise.all([
    far.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(1) }),
    near.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(2) }),
  ]));
  t.deepEqual(heard.map((u) => u.deviceId), ['near']);
  const off = setup({ captureThresholdDb: Infinity });
  const n2 = off.channel.createDeviceRadio({ pathLossDb: 110 });
  const f2 = off.channel.createDeviceRadio({ pathLossDb: 120 });
  await off.clock.run(Promise.all([f2.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(1) }), n2.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(2) })]));
  t.is(off.heard.length, 0);
});

test('weak links and seeded random loss', async (t) => {
  const { clock, channel, heard } = setup({ lossProbability: 0.5, seed: 3 });
  const weak = channel.createDeviceRadio({ id: 'weak', pathLossDb: 160 });
  await clock.run(weak.transmit({ freqHz: F, sf: 12, bw: 125, powerDbm: 14, payload: packet(1) }));
  t.is(channel.stats.receptions.weak, 1);
  const radio = channel.createDeviceRadio({ id: 'ok', pathLossDb: 100 });
  for (let i = 0; i < 200; i++) await clock.run(radio.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(i) }));
  t.true(heard.length > 70 && heard.length < 130, `${heard.length} of 200 at 50 % loss`);
  const again = setup({ lossProbability: 0.5, seed: 3 });
  const r2 = again.channel.createDeviceRadio({ pathLossDb: 160 });
  await again.clock.run(r2.transmit({ freqHz: F, sf: 12, bw: 125, powerDbm: 14, payload: packet(1) }));
  const r3 = again.channel.createDeviceRadio({ pathLossDb: 100 });
  for (let i = 0; i < 200; i++) await again.clock.run(r3.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(i) }));
  t.is(again.heard.length, heard.length, 'the same seed replays the same losses');
});

test('a downlink is heard only by a window open at its start on the same frequency and SF', async (t) => {
  const { clock, channel, gateway } = setup();
  const radio = channel.createDeviceRadio({ pathLossDb: 110 });
  // Scheduled before the window opens (how a network server works): heard.
  gateway.scheduleDownlink({ atMs: 1000, freqHz: F, sf: 9, bw: 125, payload: packet(7) });
  await clock.advance(995);
  const got = await clock.run(radio.receive({ freqHz: F, sf: 9, bw: 125, windowMs: 30 }));
  t.deepEqual(got, packet(7));
  t.truthy(radio.packetStatus());
  t.is(clock.now(), 1000 + loraTimeOnAirMs({ sf: 9, bw: 125, phyPayloadBytes: 20, crc: false }), 'received to the end of the packet');
  // Wrong SF, or a window that closed before the start: not heard.
  gateway.scheduleDownlink({ atMs: clock.now() + 1000, freqHz: F, sf: 10, bw: 125, payload: packet(8) });
  await clock.advance(995);
  t.is(await clock.run(radio.receive({ freqHz: F, sf: 9, bw: 125, windowMs: 30 })), undefined);
  const at = clock.now() + 1000;
  gateway.scheduleDownlink({ atMs: at, freqHz: F, sf: 9, bw: 125, payload: packet(9) });
  await clock.advance(900);
  t.is(await clock.run(radio.receive({ freqHz: F, sf: 9, bw: 125, windowMs: 30 })), undefined);
  await clock.runUntilIdle();
  t.is(channel.stats.unheardDownlinks, 2);
  // A downlink scheduled after the window opened, starting inside it: heard.
  const w = radio.receive({ freqHz: F, sf: 9, bw: 125, windowMs: 50 });
  gateway.scheduleDownlink({ atMs: clock.now() + 20, freqHz: F, sf: 9, bw: 125, payload: packet(10) });
  t.deepEqual(await clock.run(w), packet(10));
  t.throws(() => gateway.scheduleDownlink({ atMs: clock.now() - 1, freqHz: F, sf: 9, bw: 125, payload: packet(1) }));
});

test('a gateway cannot hear an uplink while it transmits', async (t) => {
  const { clock, channel, gateway, heard } = setup();
  const radio = channel.createDeviceRadio({ pathLossDb: 110 });
  gateway.scheduleDownlink({ atMs: 10, freqHz: 869_525_000, sf: 12, bw: 125, payload: packet(1) });
  await clock.run(radio.transmit({ freqHz: F, sf: 7, bw: 125, powerDbm: 14, payload: packet(2) }));
  t.is(heard.length, 0);
  t.is(channel.stats.receptions['gateway-busy'], 1);
});

test('an 8-channel concentrator hears only its channels; a channel it does not listen on is no reception', async (t) => {
  const clock = new VirtualClock();
  const channel = new SimulatedLoraChannel(clock);
  const subBand = Array.from({ length: 8 }, (_, i) => 470_300_000 + 200_000 * i);
  const station = channel.addGateway({ id: 'bs', uplinkFrequenciesHz: subBand });
  const heard: ReceivedUplink[] = [];
  station.onUplink = (u) => heard.push(u);
  const radio = channel.createDeviceRadio({ id: 'a', pathLossDb: 110 });
  await clock.run(radio.transmit({ freqHz: subBand[7], sf: 7, bw: 125, powerDbm: 19, payload: packet(1) }));
  await clock.run(radio.transmit({ freqHz: subBand[7] + 200_000, sf: 7, bw: 125, powerDbm: 19, payload: packet(2) }));
  t.deepEqual(heard.map((u) => u.freqHz), [subBand[7]]);
  t.is(station.stats.receptions.ok, 1);
  t.is(Object.values(station.stats.receptions).reduce((a, b) => a + b, 0), 1, 'the packet on channel 8 is not counted at all');
});

test('16 demodulators: the 17th packet that starts while 16 are held is lost as demodulators-busy; a free one is taken again', async (t) => {
  const run = async (demodulators?: number) => {
    const clock = new VirtualClock();
    const channel = new SimulatedLoraChannel(clock);
    const frequencies = Array.from({ length: 8 }, (_, i) => 470_300_000 + 200_000 * i);
    const station = channel.addGateway({ id: 'bs', uplinkFrequenciesHz: frequencies, ...(demodulators === undefined ? {} : { demodulators }) });
    const heard: string[] = [];
    station.onUplink = (u) => heard.push(u.deviceId);
    // 17 packets on distinct (channel, SF) pairs at equal power: no collision, no inter-SF loss.
    const radios = Array.from({ length: 17 }, (_, i) => channel.createDeviceRadio({ id: `d${i}`, pathLossDb: 100 }));
    const sends = radios.map((r, i) => {
      const sf = 7 + Math.floor(i / 8);
      return clock.schedule(i, () => void r.transmit({ freqHz: frequencies[i % 8], sf, bw: 125, powerDbm: 14, payload: packet(i) }));
    });
    t.is(sends.length, 17);
    await clock.runUntilIdle();
    const late = channel.createDeviceRadio({ id: 'late', pathLossDb: 100 });
    await clock.run(late.transmit({ freqHz: frequencies[0], sf: 7, bw: 125, powerDbm: 14, payload: packet(99) }));
    return { heard, stats: station.stats, channel };
  };
  const sx1302 = await run();
  t.is(sx1302.stats.receptions['demodulators-busy'], 1);
  t.false(sx1302.heard.includes('d16'), 'the 17th preamble found every demodulator held');
  t.is(sx1302.heard.length, 17, '16 at once, then the late packet once they were free');
  t.true(sx1302.heard.includes('late'));
  t.is(sx1302.channel.stats.receptions['demodulators-busy'], 1);
  const ideal = await run(Infinity);
  t.is(ideal.heard.length, 18);
  t.is(ideal.stats.receptions['demodulators-busy'], 0);
});

test('inter-SF interference follows Croce et al. 2018 Table I: a weaker packet at another SF survives down to the table SIR, not below', async (t) => {
  // Wanted SF12 at −126 dBm; a SF7 interferer on the same channel 24 dB stronger (table: −25 dB) or 26 dB stronger.
  // Wanted SF7 at −106 dBm; a SF12 interferer 8 dB stronger (table: −9 dB) or 10 dB stronger.
  const cases = [
    { wanted: { sf: 12, loss: 140 }, interferer: { sf: 7, loss: 116 }, survives: true },
    { wanted: { sf: 12, loss: 140 }, interferer: { sf: 7, loss: 114 }, survives: false },
    { wanted: { sf: 7, loss: 120 }, interferer: { sf: 12, loss: 112 }, survives: true },
    { wanted: { sf: 7, loss: 120 }, interferer: { sf: 12, loss: 110 }, survives: false },
    { wanted: { sf: 9, loss: 120 }, interferer: { sf: 10, loss: 106 }, survives: false }, // SIR −14 < −13
    { wanted: { sf: 10, loss: 120 }, interferer: { sf: 9, loss: 106 }, survives: true }, // SIR −14 ≥ −17
  ];
  for (const c of cases) {
    for (const interSf of ['croce2018', 'orthogonal'] as const) {
      const { clock, channel, heard } = setup({ interSf });
      const wanted = channel.createDeviceRadio({ id: 'wanted', pathLossDb: c.wanted.loss });
      const interferer = channel.createDeviceRadio({ id: 'interferer', pathLossDb: c.interferer.loss });
      await clock.run(Promise.all([
        wanted.transmit({ freqHz: F, sf: c.wanted.sf, bw: 125, powerDbm: 14, payload: packet(1) }),
        interferer.transmit({ freqHz: F, sf: c.interferer.sf, bw: 125, powerDbm: 14, payload: packet(2) }),
      ]));
      const ids = heard.map((u) => u.deviceId);
      const expected = interSf === 'orthogonal' || c.survives;
      t.is(ids.includes('wanted'), expected, `SF${c.wanted.sf} under SF${c.interferer.sf} ${c.wanted.loss - c.interferer.loss} dB stronger (${interSf})`);
      t.true(ids.includes('interferer'), 'the stronger packet gets through');
      t.is(channel.stats.receptions.interference, expected ? 0 : 1);
    }
  }
  t.is(interSfThresholdDb(8, 11), -13);
  t.is(interSfThresholdDb(11, 12), -20);
  t.is(interSfThresholdDb(7, 8, 'orthogonal'), -Infinity);
  // A different frequency is not interference.
  const { clock, channel, heard } = setup();
  const a = channel.createDeviceRadio({ id: 'a', pathLossDb: 140 });
  const b = channel.createDeviceRadio({ id: 'b', pathLossDb: 100 });
  await clock.run(Promise.all([a.transmit({ freqHz: F, sf: 12, bw: 125, powerDbm: 14, payload: packet(1) }), b.transmit({ freqHz: F + 200_000, sf: 7, bw: 125, powerDbm: 14, payload: packet(2) })]));
  t.is(heard.length, 2);
});

test('base-station duty cycle: a downlink that would break 1 % in g1 is refused (DUTY_CYCLE); no hour holds more than 1 %', async (t) => {
  const clock = new VirtualClock();
  const channel = new SimulatedLoraChannel(clock);
  const g1 = { name: 'g1', dutyCycle: 0.01 };
  const station = channel.addGateway({ id: 'bs', dutyCycleBand: (hz) => (hz >= 868_000_000 && hz < 868_600_000 ? g1 : undefined) });
  const sent: Array<{ startMs: number; airtimeMs: number }> = [];
  let refused = 0;
  // Ask for a SF9 ACK in g1 every 2 s for two hours (an RX1 answer to each of a busy cell's uplinks).
  for (let at = 1000; at < 2 * 3_600_000; at += 2000) {
    await clock.advanceTo(at - 1000);
    try {
      sent.push(station.scheduleDownlink({ atMs: at, freqHz: 868_100_000, sf: 9, bw: 125, payload: packet(1) }));
    } catch (error) {
      t.true(error instanceof DownlinkRefusedError);
      t.is((error as DownlinkRefusedError).code, 'DUTY_CYCLE');
      refused++;
    }
  }
  t.true(refused > sent.length, `${refused} refused, ${sent.length} sent`);
  t.is(station.stats.downlinksRefused['duty-cycle'], refused);
  t.is(station.stats.downlinks, sent.length);
  for (const s of sent) {
    const inHour = sent.filter((o) => o.startMs + o.airtimeMs > s.startMs + s.airtimeMs - 3_600_000 && o.startMs <= s.startMs);
    t.true(inHour.reduce((sum, o) => sum + o.airtimeMs, 0) <= 36_000 + 1e-6);
  }
  t.true(station.stats.busiestHourShare.g1 <= 0.01 + 1e-9);
  t.true(station.stats.busiestHourShare.g1 > 0.005, `g1 used ${station.stats.busiestHourShare.g1}`);
  // RX2 in g3 (no band given here, so unlimited) is still open.
  const rx2 = station.scheduleDownlink({ atMs: clock.now() + 1000, freqHz: 869_525_000, sf: 12, bw: 125, payload: packet(2) });
  t.true(rx2.airtimeMs > 0);
});
