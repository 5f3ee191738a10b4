/**
 * Issue 9 §1: repeated downlinks are rate-limited. 300 poll-period downlinks
 * in a row cost at most one status answer and one save of the poll-period
 * record per window (30 s by default): the first at once, the rest folded
 * into one at the end of the window. Counted exactly: status messages the far
 * side received and writes of the record's header key.
 */
import { test } from '../../test/kit/core-test.js';
import { MemoryKeyValueStore, type KeyValueStore } from '../ports/storage.js';
import { encodeDownlink } from './downlink.js';
import { DOWNLINK_WINDOW_MS } from './downlink-control.js';
import { loadPollOverrides, POLL_OVERRIDES_KEY } from './poll-overrides.js';
import { MINUTE, Pipeline } from './test-support.js';

const HYDRANT = 'hydrant-north';

/** A meta store that counts saves of the poll-period record (its header key is written once per save, last). */
function countingMeta(): { meta: KeyValueStore; saves: () => number } {
  const kv = new MemoryKeyValueStore();
  let saves = 0;
  const meta: KeyValueStore = {
    get: (key) => kv.get(key),
    set(key, value) {
      if (key === POLL_OVERRIDES_KEY) saves++;
      kv.set(key, value);
    },
    delete: (key) => kv.delete(key),
  };
  return { meta, saves: () => saves };
}

function setPeriod(p: Pipeline, periodS: number): void {
  p.uplink.downlink(11, encodeDownlink({ kind: 'poll-period', device: HYDRANT, periodS }, p.gateway.channelTable));
}

const periodOf = (i: number) => 15 + (i % 4) * 5;

test('300 downlinks at once: two status answers and two saves (one at once, one at the end of the window), the last period in force', async (t) => {
  const { meta, saves } = countingMeta();
  const p = new Pipeline({ devices: [HYDRANT], gateway: { meta } });
  p.gateway.start();
  await p.until(2 * MINUTE);
  const statusBefore = p.uplink.decoded('status').length;
  t.is(saves(), 0);
  for (let i = 0; i < 300; i++) setPeriod(p, periodOf(i));
  await p.clock.advance(1000);
  t.is(p.uplink.decoded('status').length - statusBefore, 1, 'answered at once');
  t.is(saves(), 1, 'saved at once');
  await p.clock.advance(DOWNLINK_WINDOW_MS);
  t.is(p.uplink.decoded('status').length - statusBefore, 2, 'the rest answered by one status at the end of the window');
  t.is(saves(), 2, 'and saved once more');
  t.deepEqual([...(loadPollOverrides(meta)?.overrides.periods ?? [])], [[HYDRANT, periodOf(299)]]);
  t.is(p.events.filter((e) => e.kind === 'downlink').length, 300, 'every one obeyed');
  await p.clock.advance(10 * MINUTE);
  t.is(p.uplink.decoded('status').length - statusBefore, 2, 'nothing more');
  t.is(saves(), 2);
  await p.close();
});

test('300 downlinks 97 ms apart (one window): two answers, two saves; a downlink after the window is answered and saved at once', async (t) => {
  const { meta, saves } = countingMeta();
  const p = new Pipeline({ devices: [HYDRANT], gateway: { meta }, uplink: { latencyMs: 40 } });
  p.gateway.start();
  await p.until(2 * MINUTE);
  const statusBefore = p.uplink.decoded('status').length;
  for (let i = 0; i < 300; i++) {
    setPeriod(p, periodOf(i));
    await p.clock.advance(97);
  }
  await p.clock.advance(MINUTE);
  t.is(p.uplink.decoded('status').length - statusBefore, 2);
  t.is(saves(), 2);
  t.deepEqual([...(loadPollOverrides(meta)?.overrides.periods ?? [])], [[HYDRANT, periodOf(299)]]);

  const at = p.clock.now();
  setPeriod(p, 45);
  await p.clock.advance(1000);
  t.is(saves(), 3, 'saved at once');
  const answer = p.uplink.decoded('status').at(-1);
  t.true(answer !== undefined && answer.atMs - at <= 40, 'answered at once');
  t.is(p.uplink.decoded('status').length - statusBefore, 3);
  await p.close();
});

test('300 downlinks over ten minutes: at most one answer and one save per window', async (t) => {
  const { meta, saves } = countingMeta();
  const p = new Pipeline({ devices: [HYDRANT], gateway: { meta } });
  p.gateway.start();
  await p.until(2 * MINUTE);
  const statusBefore = p.uplink.decoded('status').length;
  for (let i = 0; i < 300; i++) {
    setPeriod(p, periodOf(i));
    await p.clock.advance(2000);
  }
  await p.clock.advance(MINUTE);
  // 600 s of downlinks: the first at once, then one at the end of each of the 20 windows.
  const windows = (300 * 2000) / DOWNLINK_WINDOW_MS;
  t.is(saves(), 1 + windows);
  // Status answers, and at most one hourly status (none falls in this span).
  t.is(p.uplink.decoded('status').length - statusBefore, 1 + windows);
  await p.close();
});

test('a period waiting for the end of the window is saved on stop, so a reboot keeps it', async (t) => {
  const { meta, saves } = countingMeta();
  const p = new Pipeline({ devices: [HYDRANT], gateway: { meta } });
  p.gateway.start();
  await p.until(MINUTE);
  setPeriod(p, 15);
  setPeriod(p, 20);
  setPeriod(p, 25);
  t.is(saves(), 1);
  await p.reboot();
  t.is(saves(), 2, 'the waiting save was made on stop');
  t.deepEqual([...(loadPollOverrides(meta)?.overrides.periods ?? [])], [[HYDRANT, 25]]);
  await p.close();
  t.deepEqual(p.errors(), []);
});
