/**
 * The SX126x driver against the SX126x chip simulator (command level) on the
 * simulated LoRa channel, under the class A MAC and the test network: what
 * the driver programs is what goes on the air, receive windows open on time,
 * and the chip's real reactions to wrong use surface as clear errors.
 */
import { test } from '../../../test/kit/core-test.js';
import { createBench, type Bench } from '../../lorawan/mac/test-support.js';
import { checkRxWindowTiming, joinAndConfirmThree } from '../test-support.js';
import { VirtualClock } from '../../ports/virtual-clock.js';
import { SimulatedLoraChannel } from '../../../simulators/radio/index.js';
import { Sx126xChip, type Sx126xChipOptions } from '../../../simulators/radio/sx126x-chip.js';
import { Sx126xRadio, type Sx126xOptions } from './sx126x-radio.js';
import { OP, COMMAND_STATUS, commandStatusOf } from './commands.js';

function sx1262Bench(chipOptions: Partial<Sx126xChipOptions> = {}, driverOptions: Partial<Sx126xOptions> = {}, region: 'EU868' | 'CN470' = 'EU868'): { bench: Bench; chip: () => Sx126xChip } {
  let chip: Sx126xChip | undefined;
  const bench = createBench({
    region,
    radio: (front, clock) => {
      chip = new Sx126xChip({ clock, front, ...chipOptions });
      return new Sx126xRadio({ clock, spi: chip.spi, busy: chip.busy, irq: chip.dio1, reset: chip.reset, ...driverOptions });
    },
  });
  return { bench, chip: () => chip as Sx126xChip };
}

test('SX1262: joins (OTAA, EU868) and sends confirmed frames the network ACKs; the chip saw no BUSY violation', async (t) => {
  const { bench, chip } = sx1262Bench();
  await joinAndConfirmThree(t, bench, 'SX1262');
  const c = chip();
  t.is(c.busyViolations, 0, 'every command waited for BUSY low');
  t.is(c.syncWord, 0x3444, 'public LoRaWAN sync word');
  t.true(c.transmissions.every((x) => x.onAir), 'every packet reached the gateway');
  t.true(c.rxWindows.every((w) => w.invertIq), 'every receive window listens with inverted IQ');
  t.deepEqual(c.imageCalibrations, [[0xd7, 0xdb]], 'the 863–870 MHz image calibration, once');
  t.true(c.transmissions.every((x) => x.powerDbm === 16), `EU868 max EIRP 16 dBm (${c.transmissions.map((x) => x.powerDbm).join(', ')})`);
  t.is(c.rxWindows.filter((w) => w.outcome === 'packet').length, 4, 'the join accept and three ACKs came down through the chip');
});

test('SX1262: every receive window opens within 20 ms before the RX1/RX2 time of the uplink it follows', async (t) => {
  const { bench, chip } = sx1262Bench();
  await checkRxWindowTiming(t, bench, () => chip().rxWindows);
});

test('SX1262 with a TCXO: without the tcxo option the calibration fails with the fix; with it the radio joins', async (t) => {
  const bad = sx1262Bench({ tcxo: 1.8 });
  await t.throwsAsync(bad.bench.clock.run(bad.bench.mac.join()), { code: 'RADIO_COMMAND_ERROR', message: /crystal oscillator did not start.*tcxo/s });
  const good = sx1262Bench({ tcxo: 1.8 }, { tcxo: { voltage: 1.8 } });
  await good.bench.clock.run(good.bench.mac.join());
  t.true(good.bench.mac.joined);
});

test('SX1268 asked for 868 MHz: the chip refuses the frequency (GetStatus: failure to execute) and the driver says so', async (t) => {
  const { bench } = sx1262Bench({ variant: 'sx1268' }, { chip: 'sx1268' });
  await t.throwsAsync(bench.clock.run(bench.mac.join()), { code: 'RADIO_COMMAND_ERROR', message: /failure to execute/ });
});

test('SX1268 in CN470 joins: the 470–510 MHz image calibration', async (t) => {
  const { bench, chip } = sx1262Bench({ variant: 'sx1268' }, { chip: 'sx1268' }, 'CN470');
  await bench.clock.run(bench.mac.join());
  t.true(bench.mac.joined);
  t.deepEqual(chip().imageCalibrations, [[0x75, 0x81]]);
});

test('SX126x chip: a command sent while BUSY is high is ignored; a wrong parameter count is a processing error in GetStatus', async (t) => {
  const clock = new VirtualClock();
  const channel = new SimulatedLoraChannel(clock);
  const chip = new Sx126xChip({ clock, front: channel.createDeviceRadio() });
  await clock.advance(5);
  chip.spi.transfer(Uint8Array.of(OP.Calibrate, 0x7f));
  t.is(chip.busy.read(), 1, 'BUSY while calibrating');
  chip.spi.transfer(Uint8Array.of(OP.SetPacketType, 0x01));
  t.is(chip.busyViolations, 1);
  await clock.advance(5);
  t.is(chip.spi.transfer(Uint8Array.of(OP.GetPacketType, 0, 0))[2], 0x00, 'still GFSK: SetPacketType was lost');
  chip.spi.transfer(Uint8Array.of(OP.SetRfFrequency, 0x36));
  t.is(commandStatusOf(chip.spi.transfer(Uint8Array.of(OP.GetStatus, 0))[1]), COMMAND_STATUS.ProcessingError);
  t.is(commandStatusOf(chip.spi.transfer(Uint8Array.of(OP.GetStatus, 0))[1]), COMMAND_STATUS.Ok, 'reading the status clears it');
  chip.spi.transfer(Uint8Array.of(OP.SetModulationParams, 7, 4, 1, 0, 0, 0, 0, 0));
  t.is(commandStatusOf(chip.spi.transfer(Uint8Array.of(OP.GetStatus, 0))[1]), COMMAND_STATUS.ExecuteFailure, 'LoRa modulation before SetPacketType(LoRa)');
});

test('SX1262 driver: BUSY stuck high and a chip that does not answer give errors that name the wiring', async (t) => {
  const clock = new VirtualClock();
  const silent = { transfer: (bytes: Uint8Array) => new Uint8Array(bytes.length), close: () => undefined };
  const low = { read: (): 0 | 1 => 0, onReadable: undefined, close: () => undefined };
  const high = { read: (): 0 | 1 => 1, onReadable: undefined, close: () => undefined };
  await t.throwsAsync(clock.run(new Sx126xRadio({ clock, spi: silent, busy: high }).init()), { code: 'RADIO_BUSY_STUCK', message: /BUSY pin/ });
  await t.throwsAsync(clock.run(new Sx126xRadio({ clock, spi: silent, busy: low }).init()), { code: 'RADIO_NOT_FOUND', message: /MOSI\/MISO/ });
  t.throws(() => new Sx126xRadio({ clock, spi: silent, busy: low, tcxo: { voltage: 2.0 as 1.8 } }), { code: 'RADIO_CONFIG' });
});

test('SX1262 on a host whose DIO1 line reports no edges (the Pi\'s sysfs lines): polled every 2 ms, or read at the deadline, it still joins and confirms', async (t) => {
  for (const irqPollMs of [2, undefined]) {
    let chip: Sx126xChip | undefined;
    const bench = createBench({
      radio: (front, clock) => {
        chip = new Sx126xChip({ clock, front });
        const dio1 = chip.dio1;
        const levelOnly = { read: () => dio1.read(), onReadable: undefined, close: () => dio1.close() };
        return new Sx126xRadio({ clock, spi: chip.spi, busy: chip.busy, irq: levelOnly, reset: chip.reset, irqPollMs });
      },
    });
    await joinAndConfirmThree(t, bench, `SX1262 (irqPollMs ${String(irqPollMs)})`);
    t.is(chip?.busyViolations, 0);
  }
});
