/**
 * The register-image fast path gives a gateway what the byte-level wire gives
 * it: the whole demo site (eleven Modbus devices and a DL/T 645 meter on one
 * bus, a CJ/T 188 meter on another) polled by the real Gateway for 2 h 10 min
 * (the storm's rise included), once over simulated RS-485 lines and once from
 * the register images, yields the same polls (device, time, every value and
 * error) and the same alerts, at the same clock times.
 */
import { test } from '../test/kit/core-test.js';
import { Gateway, type GatewayEvent } from '../drivers/gateway/gateway.js';
import { MemoryKeyValueStore } from '../drivers/ports/storage.js';
import { VirtualClock } from '../drivers/ports/virtual-clock.js';
import { MemoryFileSystem } from '../drivers/store/memory-file-system.js';
import { demoSite, shippedManifests } from '../sdk/site/demo-site.js';
import { simulateSiteImage } from './register-image.js';
import { simulateSite } from './site-sim.js';
import { MemoryUplink } from './uplink/memory-uplink.js';

const MINUTE = 60_000;

async function run(wire: 'full' | 'image'): Promise<{ events: string[]; requests: number }> {
  const clock = new VirtualClock();
  const site = demoSite();
  const manifests = shippedManifests();
  const options = { seed: 11 };
  const sim = wire === 'full' ? simulateSite(site, manifests, clock, options) : simulateSiteImage(site, manifests, clock, options);
  let requests = 0;
  const events: string[] = [];
  const gateway = new Gateway({
    site,
    manifests,
    clock,
    openPort: (bus) => {
      const port = sim.openPort(bus);
      const write = port.write.bind(port);
      port.write = (bytes) => {
        requests++;
        write(bytes);
      };
      return port;
    },
    files: new MemoryFileSystem(),
    meta: new MemoryKeyValueStore(),
    uplink: new MemoryUplink({ clock }),
    onEvent: (event: GatewayEvent) => {
      if (event.kind === 'poll' || event.kind === 'alert' || event.kind === 'error') events.push(`${clock.now()} ${JSON.stringify(event)}`);
    },
  });
  gateway.start();
  await clock.advanceTo(130 * MINUTE);
  await clock.run(gateway.close());
  sim.close();
  return { events, requests };
}

test('register image and byte-level wire: the same polls, values, errors and alerts at the same times', async (t) => {
  const full = await run('full');
  const image = await run('image');
  t.true(full.requests > 1000, `${full.requests} requests on the wire`);
  t.is(image.requests, full.requests, 'the gateway sent the same requests');
  t.true(full.events.some((e) => e.includes('"kind":"alert"')), 'the storm raised alerts');
  t.true(full.events.some((e) => e.includes('site-meter')) && full.events.some((e) => e.includes('office-water-meter')), 'both meters were polled');
  t.is(image.events.length, full.events.length);
  const firstDifference = full.events.findIndex((e, i) => e !== image.events[i]);
  t.is(firstDifference, -1, firstDifference < 0 ? '' : `first difference:\n  wire:  ${full.events[firstDifference]}\n  image: ${image.events[firstDifference]}`);
});
