/**
 * Issue 9 §1: a device whose schedule stops producing polls for longer than
 * its offline threshold raises the offline alarm; a stopped schedule is not
 * "no news". The schedule is stopped the way a babbling device on the bus
 * stops it: the line never goes quiet, so the scheduler never starts another
 * request. The offline watch (drivers/rules/offline.ts) is the watchdog, on
 * the clock port, so this runs in virtual time on Node and inside XS.
 */
import { test } from '../../test/kit/core-test.js';
import type { ByteStream } from '../ports/byte-stream.js';
import type { TimerHandle } from '../ports/clock.js';
import { VirtualClock } from '../ports/virtual-clock.js';
import { shippedManifests } from '../../sdk/site/demo-site.js';
import { simulateSite } from '../../simulators/site-sim.js';
import { encodeDownlink } from './downlink.js';
import { demoSubset, MINUTE, Pipeline } from './test-support.js';

const HYDRANT = 'hydrant-north';
/** The demo site's offline rule for it: 3 periods. */
const OFFLINE = 'hydrant-north-offline';
const NOISE_EVERY_MS = 3;

/** The bus as the gateway sees it, plus a babbling device: from `babble()` on, a byte every 3 ms. */
function babblingBus(clock: VirtualClock) {
  const sim = simulateSite(demoSubset([HYDRANT]), shippedManifests(), clock);
  let stream: ByteStream | undefined;
  let timer: TimerHandle | undefined;
  const noise = () => {
    stream?.onReadable?.(Uint8Array.of(0x55));
    timer = clock.schedule(NOISE_EVERY_MS, noise);
  };
  return {
    openPort(bus: Parameters<typeof sim.openPort>[0]): ByteStream {
      const inner = sim.openPort(bus);
      const outer: ByteStream = {
        line: inner.line,
        onReadable: undefined,
        onError: undefined,
        write: (bytes) => inner.write(bytes),
        close: () => inner.close(),
      };
      inner.onReadable = (bytes) => outer.onReadable?.(bytes);
      inner.onError = (error) => outer.onError?.(error);
      stream = outer;
      return outer;
    },
    babble: noise,
    close(): void {
      if (timer !== undefined) clock.cancel(timer);
      sim.close();
    },
  };
}

test('an hourly period shortened to 10 s by downlink, then the schedule stops: offline within 3.5 × 10 s, not hours later', async (t) => {
  const clock = new VirtualClock();
  const bus = babblingBus(clock);
  const p = new Pipeline({ devices: [HYDRANT], clock, gateway: { openPort: (b) => bus.openPort(b) } });
  const setPeriod = (periodS: number) => p.uplink.downlink(11, encodeDownlink({ kind: 'poll-period', device: HYDRANT, periodS }, p.gateway.channelTable));
  p.gateway.start();
  await p.until(MINUTE + 5000);
  setPeriod(3600);
  await p.until(5 * MINUTE);
  setPeriod(10);
  await p.until(6 * MINUTE);
  const polledAt = p.polls(HYDRANT).map((e) => e.atMs);
  t.true(polledAt.filter((ms) => ms >= 5 * MINUTE).length >= 5, 'polled every 10 s after the second downlink');

  bus.babble();
  await p.until(8 * MINUTE);
  // When the engine last saw a valid reading (the poll in progress when the babble began still completed).
  const lastValid = Math.max(...p.polls(HYDRANT).filter((e) => Object.values(e.poll.readings).some((r) => r.ok)).map((e) => e.atMs));
  const stoppedAt = Math.max(...p.polls(HYDRANT).map((e) => e.atMs));
  t.true(stoppedAt < 6 * MINUTE + 20_000, `no poll completes once the line babbles (last at ${stoppedAt / 1000} s)`);
  const raised = p.events.find((e) => e.kind === 'alert' && e.alert.rule === OFFLINE && e.alert.state === 'raised');
  t.true(raised !== undefined, 'the offline alarm was raised');
  if (raised !== undefined) t.is(raised.atMs - lastValid, 35_000, 'raised 3.5 × 10 s after the last valid reading');
  t.deepEqual(p.alertLines(OFFLINE), [`${OFFLINE} warning raised`], 'raised once, and it reached the platform (no alarm when the period changed)');
  bus.close();
  await p.close();
});
