/**
 * The smoke/heat detector never contradicts itself: its alarm bits are on
 * exactly while the smoke level and temperature it reports are at or above the
 * alarm levels. (The demo once showed the smoke alarm cleared while the same
 * detector read 85 °C: the bits were timed pulses independent of the fire.)
 */
import { test } from '../test/kit/core-test.js';
import smokeHeat from '../manifests/devices/smoke-heat-detector.json' with { type: 'json' };
import type { DeviceManifest } from '../drivers/devices/manifest.js';
import { VirtualClock } from '../drivers/ports/virtual-clock.js';
import { DeviceSimulator } from './device-sim.js';

const manifest = smokeHeat as DeviceManifest;
const MINUTE = 60000;

test('smoke and heat alarm bits follow the smoke level and temperature the detector reports, through and after the fire', async (t) => {
  const clock = new VirtualClock();
  const sim = new DeviceSimulator({ manifest, clock, seed: 3 });
  let smokeOn = 0;
  let heatOn = 0;
  for (let minute = 0; minute <= 600; minute++) {
    const v = sim.pointValues();
    const smoke = v.smoke_level as number;
    const temperature = v.temperature as number;
    t.is(v.smoke_alarm, smoke >= 3, `minute ${minute}: smoke alarm ${String(v.smoke_alarm)} at ${smoke} %/m`);
    t.is(v.heat_alarm, temperature >= 57, `minute ${minute}: heat alarm ${String(v.heat_alarm)} at ${temperature} °C`);
    if (v.smoke_alarm === true) smokeOn++;
    if (v.heat_alarm === true) heatOn++;
    await clock.advance(MINUTE);
  }
  t.true(smokeOn > 400 && heatOn > 400, `the fire raises both alarms and keeps them up (${smokeOn}, ${heatOn} minutes)`);
  // The register the gateway reads carries the same bits.
  const [status] = sim.readRegisters(3, 0, 1) as number[];
  t.is(status & 3, 3);
});

test('a forced temperature above 57 °C raises the heat alarm bit; released, the bit follows the model again', async (t) => {
  const clock = new VirtualClock();
  const sim = new DeviceSimulator({ manifest, clock });
  t.is(sim.valueOf('heat_alarm'), false);
  sim.setValue('temperature', 60);
  t.is(sim.valueOf('heat_alarm'), true);
  sim.clearValue('temperature');
  t.is(sim.valueOf('heat_alarm'), false);
});
