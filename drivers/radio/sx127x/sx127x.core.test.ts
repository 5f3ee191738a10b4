/**
 * The SX127x driver against the SX127x chip simulator (register level) on the
 * simulated LoRa channel, under the class A MAC and the test network.
 */
import { test } from '../../../test/kit/core-test.js';
import { createBench, type Bench } from '../../lorawan/mac/test-support.js';
import { checkRxWindowTiming, joinAndConfirmThree } from '../test-support.js';
import { VirtualClock } from '../../ports/virtual-clock.js';
import { SimulatedLoraChannel } from '../../../simulators/radio/index.js';
import { Sx127xChip, type Sx127xChipOptions } from '../../../simulators/radio/sx127x-chip.js';
import { Sx127xRadio, type Sx127xOptions } from './sx127x-radio.js';
import { LONG_RANGE_MODE, MODE, REG } from './registers.js';

function sx1276Bench(chipOptions: Partial<Sx127xChipOptions> = {}, driverOptions: Partial<Sx127xOptions> = {}, region: 'EU868' | 'CN470' = 'EU868'): { bench: Bench; chip: () => Sx127xChip } {
  let chip: Sx127xChip | undefined;
  const bench = createBench({
    region,
    radio: (front, clock) => {
      chip = new Sx127xChip({ clock, front, ...chipOptions });
      return new Sx127xRadio({ clock, spi: chip.spi, irq: chip.dio0, reset: chip.reset, ...driverOptions });
    },
  });
  return { bench, chip: () => chip as Sx127xChip };
}

test('SX1276: joins (OTAA, EU868) and sends confirmed frames the network ACKs', async (t) => {
  const { bench, chip } = sx1276Bench();
  await joinAndConfirmThree(t, bench, 'SX1276');
  const c = chip();
  t.true(c.loraMode);
  t.is(c.register(REG.SyncWord), 0x34, 'public LoRaWAN sync word');
  t.is(c.ignoredWrites, 0, 'the driver switched to LoRa from sleep and wrote no read-only register');
  t.true(c.transmissions.every((x) => x.onAir && x.powerDbm === 16), `every packet at 16 dBm out of PA_BOOST (${c.transmissions.map((x) => x.powerDbm).join(', ')})`);
  t.true(c.rxWindows.every((w) => w.invertIq), 'every receive window listens with inverted IQ');
  t.is(c.rxWindows.filter((w) => w.outcome === 'packet').length, 4, 'the join accept and three ACKs came down through the chip');
});

test('SX1276: every receive window opens within 20 ms before the RX1/RX2 time of the uplink it follows', async (t) => {
  const { bench, chip } = sx1276Bench();
  await checkRxWindowTiming(t, bench, () => chip().rxWindows);
});

test('SX1278 in CN470 joins; an SX1278 configured for EU868 is refused with the fix', async (t) => {
  const cn = sx1276Bench({ variant: 'sx1278' }, { chip: 'sx1278' }, 'CN470');
  await cn.bench.clock.run(cn.bench.mac.join());
  t.true(cn.bench.mac.joined);
  const eu = sx1276Bench({ variant: 'sx1278' }, { chip: 'sx1278' });
  await t.throwsAsync(eu.bench.clock.run(eu.bench.mac.join()), { code: 'RADIO_CONFIG', message: /SX1278 cannot tune 86\d+ Hz/ });
});

test('SX127x chip: LongRangeMode changes only in sleep; RegIrqFlags clears written bits; RegVersion is read-only', async (t) => {
  const clock = new VirtualClock();
  const chip = new Sx127xChip({ clock, front: new SimulatedLoraChannel(clock).createDeviceRadio() });
  await clock.advance(10);
  chip.spi.transfer(Uint8Array.of(REG.OpMode | 0x80, LONG_RANGE_MODE | MODE.Standby));
  t.false(chip.loraMode, 'from FSK standby the LoRa bit is ignored');
  t.is(chip.ignoredWrites, 1);
  chip.spi.transfer(Uint8Array.of(REG.OpMode | 0x80, MODE.Sleep));
  chip.spi.transfer(Uint8Array.of(REG.OpMode | 0x80, LONG_RANGE_MODE | MODE.Sleep));
  t.true(chip.loraMode, 'from sleep it takes');
  chip.spi.transfer(Uint8Array.of(REG.Version | 0x80, 0x00));
  t.is(chip.spi.transfer(Uint8Array.of(REG.Version, 0))[1], 0x12);
  t.is(chip.ignoredWrites, 2);
});

test('SX127x driver: a chip that does not answer gives RADIO_NOT_FOUND naming the wiring', async (t) => {
  const clock = new VirtualClock();
  const silent = { transfer: (bytes: Uint8Array) => new Uint8Array(bytes.length), close: () => undefined };
  await t.throwsAsync(clock.run(new Sx127xRadio({ clock, spi: silent }).init()), { code: 'RADIO_NOT_FOUND', message: /RegVersion reads 0x00.*MOSI\/MISO/s });
});
