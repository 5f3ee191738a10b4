/**
 * The Pi's frame gap comes from each bus's line settings (bus-timing.ts): a
 * Gateway with this host's timing options, on simulated buses in virtual
 * time, keeps exactly t3.5 of quiet between a reply and the next request:
 * 1.75 ms at 115,200 baud, 3.5 characters (4.01 ms) at 9,600 8N1. (With the
 * fixed 20 ms the host had before, both gaps were 20 ms.)
 */
import test from 'ava';
import { tenRegisterManifest } from '../../../drivers/batch/test-support.js';
import { Gateway } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { characterTimeMs } from '../../../drivers/ports/byte-stream.js';
import { MemoryKeyValueStore } from '../../../drivers/ports/storage.js';
import { VirtualClock } from '../../../drivers/ports/virtual-clock.js';
import { MemoryFileSystem } from '../../../drivers/store/memory-file-system.js';
import { simulateSite } from '../../../simulators/site-sim.js';
import { MemoryUplink } from '../../../simulators/uplink/memory-uplink.js';
import { hostBusTiming } from './bus-timing.js';

/** Gaps (ms) between the end of each reply and the start of the request after it, on a bus of 5 units polled every second. */
async function replyToRequestGaps(baud: number): Promise<number[]> {
  const clock = new VirtualClock();
  const manifests = new Map([['ten-registers', tenRegisterManifest()]]);
  const site: SiteFile = {
    id: 'gap',
    name: 'gap',
    uplink: { kind: 'mqtt', url: 'mqtt://127.0.0.1:1883' },
    buses: [{ id: 'rs485-1', port: '/dev/ttyUSB0', baud, parity: 'none', stopBits: 1, turnaroundMs: 2, devices: [1, 2, 3, 4, 5].map((u) => ({ id: `u${u}`, manifest: 'ten-registers', address: u, pollPeriodS: 1 })) }],
  };
  const sim = simulateSite(site, manifests, clock);
  const gateway = new Gateway({
    site,
    manifests,
    clock,
    openPort: (bus) => sim.openPort(bus),
    files: new MemoryFileSystem(),
    meta: new MemoryKeyValueStore(),
    uplink: new MemoryUplink({ clock, maxPayloadBytes: 4096 }),
    ...hostBusTiming(),
  });
  gateway.start();
  await clock.advanceTo(3_000);
  await clock.run(gateway.close());
  sim.close();
  const events = sim.buses.get('rs485-1')?.gateway.events ?? [];
  const gaps: number[] = [];
  for (let i = 1; i < events.length; i++) if (events[i - 1].direction === 'rx' && events[i].direction === 'tx') gaps.push(events[i].start - events[i - 1].end);
  return gaps;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

test('at 115,200 baud the gateway waits the Modbus floor of 1.75 ms between a reply and the next request', async (t) => {
  const gaps = await replyToRequestGaps(115_200);
  t.true(gaps.length >= 10, `${gaps.length} reply → request gaps`);
  t.is(round(Math.min(...gaps)), 1.75);
});

test('at 9,600 8N1 it waits 3.5 character times', async (t) => {
  const gaps = await replyToRequestGaps(9_600);
  t.true(gaps.length >= 10, `${gaps.length} reply → request gaps`);
  t.is(round(Math.min(...gaps)), round(3.5 * characterTimeMs({ baud: 9_600, dataBits: 8, parity: 'none', stopBits: 1 })));
});
