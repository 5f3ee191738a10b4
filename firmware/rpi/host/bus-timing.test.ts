/**
 * The Pi's frame gap comes from each bus's line settings (bus-timing.ts): a
 * Gateway with this host's timing options, on simulated buses in virtual
 * time, keeps exactly t3.5 of quiet between a reply and the next request:
 * 1.75 ms at 115,200 baud, 3.5 characters (4.01 ms) at 9,600 8N1. (With the
 * fixed 20 ms the host had before, both gaps were 20 ms.)
 */
import test from 'ava';
import { tenRegisterBusGateway } from '../../../drivers/gateway/test-support.js';
import { characterTimeMs } from '../../../drivers/ports/byte-stream.js';
import { hostBusTiming } from './bus-timing.js';

/** Gaps (ms) between the end of each reply and the start of the request after it, on a bus of 5 units polled every second. */
async function replyToRequestGaps(baud: number): Promise<number[]> {
  const { clock, sim, gateway } = tenRegisterBusGateway({ baud, units: 5, gateway: hostBusTiming() });
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
