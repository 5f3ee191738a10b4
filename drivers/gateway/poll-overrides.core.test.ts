/**
 * Poll periods set by downlink outlast a restart (docs/gateway.md,
 * "Downlinks"), unless the device's entry in the site file changed since: the
 * site file wins. The demo site's hydrants (60 s from their manifest) in
 * virtual time, the gateway rebooted on the same meta store. Assertions are on
 * when polls start, before and after each reboot.
 */
import { test } from '../../test/kit/core-test.js';
import type { CoreAssertions } from '../../test/kit/assertions.js';
import { MemoryKeyValueStore, type KeyValueStore } from '../ports/storage.js';
import { encodeCbor } from '../batch/cbor-codec.js';
import { encodeDownlink } from './downlink.js';
import { describeEvent } from './event-text.js';
import { saveBlob } from './kv-blob.js';
import { loadPollOverrides, POLL_OVERRIDES_KEY } from './poll-overrides.js';
import { MINUTE, Pipeline } from './test-support.js';

const HYDRANT = 'hydrant-north';
const SOUTH = 'hydrant-south';

/** Send a poll-period downlink (periodS 0: back to the site file's period). */
function setPeriod(p: Pipeline, device: string, periodS: number): void {
  p.uplink.downlink(11, encodeDownlink({ kind: 'poll-period', device, periodS }, p.gateway.channelTable));
}

/** Start times of `device`'s polls in [fromMs, toMs). */
function startsIn(p: Pipeline, device: string, fromMs: number, toMs: number): number[] {
  return p.polls(device).map((e) => e.atMs - e.poll.durationMs).filter((ms) => ms >= fromMs && ms < toMs);
}

/** `device` was polled every `periodS` (±1 s) throughout [fromMs, toMs), starting within a second of fromMs. */
function polledEvery(t: CoreAssertions, p: Pipeline, device: string, periodS: number, fromMs: number, toMs: number, what: string): void {
  const starts = startsIn(p, device, fromMs, toMs);
  const expected = Math.ceil((toMs - fromMs) / (periodS * 1000));
  t.true(Math.abs(starts.length - expected) <= 1, `${what}: ${starts.length} polls of ${device} in ${(toMs - fromMs) / 1000} s, expected ${expected} (every ${periodS} s)`);
  t.true(starts.length > 0 && starts[0] - fromMs < 1000, `${what}: the first poll of ${device} comes at once`);
  const gaps = starts.slice(1).map((ms, i) => ms - starts[i]);
  t.true(gaps.every((gap) => Math.abs(gap - periodS * 1000) <= 1000), `${what}: ${device} polled every ${periodS} s (gaps ${gaps.map((g) => g / 1000).join(', ')} s)`);
}

/** Both hydrants, overridden by downlink to 15 s (north) and 20 s (south) a minute in; the clock at 2 min. */
async function hydrantsAt15And20(): Promise<Pipeline> {
  const p = new Pipeline({ devices: [HYDRANT, SOUTH] });
  p.gateway.start();
  await p.until(1 * MINUTE);
  setPeriod(p, HYDRANT, 15);
  setPeriod(p, SOUTH, 20);
  await p.until(2 * MINUTE);
  return p;
}

async function reboot(p: Pipeline): Promise<number> {
  await p.reboot();
  return p.clock.now();
}

test('a poll period set by downlink is still in force after a reboot', async (t) => {
  const p = new Pipeline({ devices: [HYDRANT] });
  p.gateway.start();
  await p.until(2 * MINUTE);
  polledEvery(t, p, HYDRANT, 60, 0, 2 * MINUTE, 'the site file\'s period');
  setPeriod(p, HYDRANT, 15);
  await p.until(3 * MINUTE);
  const rebootAt = await reboot(p);
  await p.until(rebootAt + 3 * MINUTE);
  polledEvery(t, p, HYDRANT, 15, rebootAt, rebootAt + 3 * MINUTE, 'after the reboot');
  await p.close();
  t.deepEqual(p.errors(), []);
  t.is(p.events.filter((e) => e.kind === 'downlink').length, 1, 're-applying it is not reported as another downlink');
});

test('a newer downlink replaces the persisted period, and that one outlasts a second reboot; period 0 clears it', async (t) => {
  const p = new Pipeline({ devices: [HYDRANT] });
  p.gateway.start();
  await p.until(1 * MINUTE);
  setPeriod(p, HYDRANT, 15);
  await p.until(2 * MINUTE);
  const first = await reboot(p);
  await p.until(first + 2 * MINUTE);
  polledEvery(t, p, HYDRANT, 15, first, first + 2 * MINUTE, 'after the first reboot');
  setPeriod(p, HYDRANT, 30);
  await p.until(first + 4 * MINUTE);
  const second = await reboot(p);
  await p.until(second + 4 * MINUTE);
  polledEvery(t, p, HYDRANT, 30, second, second + 4 * MINUTE, 'after the second reboot');
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[HYDRANT, 30]], 'one record, the newer period');

  setPeriod(p, HYDRANT, 0);
  await p.until(second + 5 * MINUTE);
  const third = await reboot(p);
  await p.until(third + 4 * MINUTE);
  polledEvery(t, p, HYDRANT, 60, third, third + 4 * MINUTE, 'cleared, then rebooted: the site file\'s period');
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [], 'the record holds no override');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('a damaged record is ignored: the site file\'s period, no crash, and the next downlink is persisted again', async (t) => {
  const valid = (bytes: Uint8Array) => (kv: KeyValueStore) => saveBlob(kv, POLL_OVERRIDES_KEY, bytes);
  const damage: Array<{ what: string; write(kv: KeyValueStore): void }> = [
    { what: 'garbage in the header key', write: (kv) => kv.set(POLL_OVERRIDES_KEY, Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 1, 2, 3)) },
    {
      what: 'a chunk that fails its CRC',
      write: (kv) => {
        for (const key of [`${POLL_OVERRIDES_KEY}a0`, `${POLL_OVERRIDES_KEY}b0`]) {
          const chunk = kv.get(key);
          if (chunk !== undefined) kv.set(key, chunk.map((b) => b ^ 0x55));
        }
      },
    },
    { what: 'a missing chunk', write: (kv) => { kv.delete(`${POLL_OVERRIDES_KEY}a0`); kv.delete(`${POLL_OVERRIDES_KEY}b0`); } },
    { what: 'bytes that are not CBOR', write: valid(Uint8Array.of(0xff, 0xff, 0x1c)) },
    { what: 'another format', write: valid(encodeCbor({ format: 2, periods: { [HYDRANT]: 15 } })) },
    { what: 'periods that are not a map', write: valid(encodeCbor({ format: 1, periods: [HYDRANT, 15] })) },
    { what: 'periods that are not positive integers', write: valid(encodeCbor({ format: 1, periods: { [HYDRANT]: -15 } })) },
    { what: 'a text period', write: valid(encodeCbor({ format: 1, periods: { [HYDRANT]: '15' } })) },
  ];
  for (const { what, write } of damage) {
    const p = new Pipeline({ devices: [HYDRANT] });
    p.gateway.start();
    await p.until(1 * MINUTE);
    setPeriod(p, HYDRANT, 15);
    await p.until(2 * MINUTE);
    write(p.meta);
    const rebootAt = await reboot(p);
    await p.until(rebootAt + 3 * MINUTE);
    polledEvery(t, p, HYDRANT, 60, rebootAt, rebootAt + 3 * MINUTE, what);
    setPeriod(p, HYDRANT, 20);
    await p.until(rebootAt + 4 * MINUTE);
    const again = await reboot(p);
    await p.until(again + 2 * MINUTE);
    polledEvery(t, p, HYDRANT, 20, again, again + 2 * MINUTE, `${what}, then a new downlink and a reboot`);
    await p.close();
    t.deepEqual(p.errors(), [], `${what}: nothing reported`);
  }
});

test('a power cut while saving a new period keeps the previous one for the next start', async (t) => {
  const kv = new MemoryKeyValueStore();
  let powerCut = false;
  // The KV port writes one key atomically; the cut comes after the new chunk, before the header that would switch to it.
  const meta: KeyValueStore = {
    get: (key) => kv.get(key),
    set(key, value) {
      if (powerCut && key === POLL_OVERRIDES_KEY) throw new Error('power cut');
      kv.set(key, value);
    },
    delete: (key) => kv.delete(key),
  };
  const p = new Pipeline({ devices: [HYDRANT], gateway: { meta } });
  p.gateway.start();
  await p.until(1 * MINUTE);
  setPeriod(p, HYDRANT, 15);
  await p.until(2 * MINUTE);
  powerCut = true;
  setPeriod(p, HYDRANT, 30);
  t.true(p.errors().some((e) => e.includes('poll periods set by downlink could not be saved') && e.includes('power cut')), 'the failed save is reported');
  t.is(p.events.filter((e) => e.kind === 'downlink').length, 2, 'the downlink was still obeyed');
  powerCut = false;
  const rebootAt = await reboot(p);
  await p.until(rebootAt + 2 * MINUTE);
  polledEvery(t, p, HYDRANT, 15, rebootAt, rebootAt + 2 * MINUTE, 'the previous record');
  await p.close();
});

test('overrides of devices no longer in the site are dropped and the record rewritten', async (t) => {
  const p = await hydrantsAt15And20();
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[HYDRANT, 15], [SOUTH, 20]]);

  // The site file is edited: hydrant-south is taken out.
  const bus = p.site.buses[0];
  const south = bus.devices.find((d) => d.id === SOUTH);
  const southRules = (p.site.rules ?? []).filter((r) => r.device === SOUTH);
  bus.devices = bus.devices.filter((d) => d.id !== SOUTH);
  p.site.rules = (p.site.rules ?? []).filter((r) => r.device !== SOUTH);
  const first = await reboot(p);
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[HYDRANT, 15]], 'the record keeps only devices in the site');
  t.deepEqual(p.events.flatMap((e) => (e.kind === 'notice' ? [e.message] : [])), ['poll period 20 s set by downlink for hydrant-south dropped: the device is no longer in the site file']);
  await p.until(first + 2 * MINUTE);
  polledEvery(t, p, HYDRANT, 15, first, first + 2 * MINUTE, 'the device that stayed');

  // Put back, it starts again from the site file's period.
  if (south !== undefined) bus.devices.push(south);
  p.site.rules = [...(p.site.rules ?? []), ...southRules];
  const second = await reboot(p);
  await p.until(second + 3 * MINUTE);
  polledEvery(t, p, HYDRANT, 15, second, second + 3 * MINUTE, 'hydrant-north after the device came back');
  polledEvery(t, p, SOUTH, 60, second, second + 3 * MINUTE, 'hydrant-south, back in the site');
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('the site file wins: an override whose device entry was edited is dropped at start, and the log says so', async (t) => {
  const p = await hydrantsAt15And20();

  // The operator edits hydrant-north's entry (its period, 60 → 30 s); hydrant-south's entry is rewritten with its keys in another order only.
  const bus = p.site.buses[0];
  bus.devices = bus.devices.map((d) => (d.id === HYDRANT ? { ...d, pollPeriodS: 30 } : d.id === SOUTH ? Object.fromEntries(Object.entries(d).reverse()) as typeof d : d));
  const rebootAt = await reboot(p);
  const notices = p.events.filter((e) => e.kind === 'notice' && e.atMs >= rebootAt);
  t.deepEqual(notices.map((e) => describeEvent(e)), [
    'poll period 15 s set by downlink for hydrant-north dropped: its entry in the site file changed since (the site file wins); polling at the site file\'s period',
  ]);
  t.deepEqual([...(loadPollOverrides(p.meta)?.overrides.periods ?? [])], [[SOUTH, 20]], 'the record keeps the unchanged entry\'s override only');
  await p.until(rebootAt + 3 * MINUTE);
  polledEvery(t, p, HYDRANT, 30, rebootAt, rebootAt + 3 * MINUTE, 'the edited device, at the site file\'s new period');
  polledEvery(t, p, SOUTH, 20, rebootAt, rebootAt + 3 * MINUTE, 'the device whose entry did not change');

  // A second start changes nothing more.
  const again = await reboot(p);
  t.deepEqual(p.events.filter((e) => e.kind === 'notice' && e.atMs >= again), []);
  await p.close();
  t.deepEqual(p.errors(), []);
});

test('a record from before fingerprints: in-bounds periods are kept, one outside today\'s bounds (16 777 215 s) is dropped with a notice', async (t) => {
  const meta = new MemoryKeyValueStore();
  saveBlob(meta, POLL_OVERRIDES_KEY, encodeCbor({ format: 1, periods: { [HYDRANT]: 16_777_215, [SOUTH]: 20 } }));
  const p = new Pipeline({ devices: [HYDRANT, SOUTH], gateway: { meta } });
  p.gateway.start();
  t.deepEqual(p.events.filter((e) => e.kind === 'notice').map((e) => describeEvent(e)), [
    'poll period 16777215 s set by downlink for hydrant-north dropped: it is outside 1–86400 s; polling at the site file\'s period',
  ]);
  await p.until(3 * MINUTE);
  polledEvery(t, p, HYDRANT, 60, 0, 3 * MINUTE, 'the dropped one');
  polledEvery(t, p, SOUTH, 20, 0, 3 * MINUTE, 'the kept one');
  const saved = loadPollOverrides(meta)?.overrides;
  t.deepEqual([...(saved?.periods ?? [])], [[SOUTH, 20]]);
  t.is(saved?.sites.size, 1, 'rewritten with the fingerprint of its site entry');
  await p.close();
});
