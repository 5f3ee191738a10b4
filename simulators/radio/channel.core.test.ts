/** The simulated LoRa channel's air model: collisions, capture, loss, receive windows. */
import { test } from '../../test/kit/core-test.js';
import { VirtualClock } from '../../drivers/ports/virtual-clock.js';
import { loraTimeOnAirMs } from '../../drivers/lorawan/airtime.js';
import { SimulatedLoraChannel } from './channel.js';
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
