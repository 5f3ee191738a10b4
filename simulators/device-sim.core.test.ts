import { test } from '../test/kit/core-test.js';
import { VirtualClock } from '../drivers/ports/virtual-clock.js';
import { DeviceSimulator } from './device-sim.js';
import { LEVEL_SENSOR } from './modbus/test-fixture.js';
import { decodeRaw } from '../drivers/modbus/values.js';

const MINUTE = 60000;

function make(seed = 1) {
  const clock = new VirtualClock();
  return { clock, sim: new DeviceSimulator({ manifest: LEVEL_SENSOR, clock, seed }) };
}

test('holding registers follow the models, with decimals from the config register', async (t) => {
  const { clock, sim } = make();
  t.deepEqual(sim.readRegisters(3, 0, 7), [1, 3, 0, 1, 0, 0, 500], 'dry: level 0, gap at 2 and 5 reads 0');
  await clock.advance(20 * MINUTE); // storm half way up: 15 cm, 1 decimal → raw 150
  t.deepEqual(sim.readRegisters(3, 4, 1), [150]);
  t.is(sim.valueOf('level'), 15);
  await clock.advance(10 * MINUTE); // holding at the peak
  t.deepEqual(sim.readRegisters(3, 3, 2), [1, 300]);
});

test('bool and bits points share a register, OR-ed', async (t) => {
  const { clock, sim } = make();
  t.deepEqual(sim.readRegisters(3, 16, 1), [9 << 8]);
  await clock.advance(21 * MINUTE);
  t.deepEqual(sim.readRegisters(3, 16, 1), [(9 << 8) | 1], 'flood alarm bit 0 set');
  sim.setValue('sensor_fault', true);
  t.deepEqual(sim.readRegisters(3, 16, 1), [(9 << 8) | 1 | 8]);
  t.is(sim.pointValues().flood_alarm, true);
  await clock.advance(10 * MINUTE);
  t.is(sim.pointValues().flood_alarm, false);
});

test('input registers: float32 and scaled uint32 counter', async (t) => {
  const { clock, sim } = make();
  const words = sim.readRegisters(4, 0, 14) as number[];
  t.is(words.length, 14);
  t.is(decodeRaw(words, 0, 'float32'), 12);
  t.is(decodeRaw(words, 12, 'uint32'), 123450);
  await clock.advance(15 * MINUTE); // sine at a quarter period: 12.5 V; counter +1.5 kWh
  const later = sim.readRegisters(4, 0, 14) as number[];
  t.is(decodeRaw(later, 0, 'float32'), 12.5);
  t.is(decodeRaw(later, 12, 'uint32'), 123600);
  t.is(sim.pointValues().energy, 1236);
});

test('coils and discrete inputs', async (t) => {
  const { clock, sim } = make();
  t.deepEqual(sim.readBits(1, 0, 3), [false, false, true]);
  t.deepEqual(sim.readBits(2, 0, 1), [false]);
  await clock.advance(16 * MINUTE);
  t.deepEqual(sim.readBits(2, 0, 1), [true]);
  t.is(sim.writeCoil(0, true), undefined);
  t.deepEqual(sim.readBits(1, 0, 3), [true, false, true]);
  t.deepEqual(sim.writeCoil(2, false), { exception: 2 }, 'door is read-only');
  t.deepEqual(sim.writeCoils(0, [false, true]), { exception: 2 }, 'coil 1 is not mapped');
  t.deepEqual(sim.readBits(1, 0, 1), [true], 'a refused multi-write changes nothing');
});

test('addresses outside the map and bad counts give exceptions', (t) => {
  const { sim } = make();
  t.deepEqual(sim.readRegisters(3, 17, 1), { exception: 2 });
  t.deepEqual(sim.readRegisters(3, 10, 10), { exception: 2 }, 'range runs past the end');
  t.deepEqual(sim.readRegisters(4, 2, 12), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0001, 0xe23a], 'inside the span, gaps read 0');
  t.deepEqual(sim.readRegisters(4, 14, 1), { exception: 2 });
  t.deepEqual(sim.readRegisters(3, 0, 0), { exception: 3 });
  t.deepEqual(sim.readRegisters(3, 0, 126), { exception: 3 });
  t.deepEqual(sim.readBits(2, 1, 1), { exception: 2 });
  t.deepEqual(sim.readBits(1, 0, 4), { exception: 2 });
});

test('register writes override the model; decimals change the scaling like a real transmitter', async (t) => {
  const { clock, sim } = make();
  await clock.advance(20 * MINUTE);
  t.deepEqual(sim.readRegisters(3, 4, 1), [150]);
  t.is(sim.writeRegister(3, 2), undefined);
  t.deepEqual(sim.readRegisters(3, 3, 2), [2, 1500], 'same 15 cm, now with two decimals');
  t.is(sim.valueOf('level'), 15);
  t.deepEqual(sim.writeRegister(4, 7), { exception: 2 }, 'measured value is read-only');
  t.deepEqual(sim.writeRegisters(5, [1, 2]), { exception: 2 }, 'register 5 is unmapped');
  t.is(sim.writeRegisters(6, [800]), undefined);
  t.is(sim.pointValues().range_full, 800);
  sim.clearValue('range_full');
  t.is(sim.pointValues().range_full, 500);
});

test('same seed, same readings; noise differs by seed', async (t) => {
  const noisy = { ...LEVEL_SENSOR, points: [{ id: 'temp', name: 'T', fc: 4 as const, address: 0, type: 'int16' as const, scale: 0.1, sim: { model: 'sine' as const, mean: 20, amplitude: 3, periodMinutes: 1440, noise: 0.5 } }] };
  const readings = async (seed: number) => {
    const clock = new VirtualClock();
    const sim = new DeviceSimulator({ manifest: noisy, clock, seed });
    const out: number[] = [];
    for (let i = 0; i < 30; i++) {
      out.push((sim.readRegisters(4, 0, 1) as number[])[0]);
      await clock.advance(7 * MINUTE);
    }
    return out;
  };
  const a = await readings(5);
  t.deepEqual(await readings(5), a);
  t.false(JSON.stringify(await readings(6)) === JSON.stringify(a));
});

test('meter points are looked up by data identifier', (t) => {
  const clock = new VirtualClock();
  const sim = new DeviceSimulator({
    clock,
    manifest: {
      id: 'm', name: 'meter', vendor: 'x', category: 'energy-meter', protocol: 'dlt645-2007', line: { baud: 2400, parity: 'even', stopBits: 1 },
      defaultAddress: '000000000161', pollPeriodS: 900,
      points: [{ id: 'energy', name: 'Forward active', di: '00010000', sim: { model: 'counter', start: 0.06, ratePerHour: 1 } }],
    },
  });
  const found = sim.valuesForDi('00010000');
  t.is(found.length, 1);
  t.is(found[0].value, 0.06);
  t.deepEqual(sim.valuesForDi('02010100'), []);
  t.is(sim.pointValues().energy, 0.06);
});
