/**
 * What survives a reboot: frame counters (write-ahead in blocks), DevNonces,
 * the OTAA session. A reboot is a new LoraWanMac over the same KeyValueStore.
 */
import { test } from '../../../test/kit/core-test.js';
import type { KeyValueStore } from '../../ports/storage.js';
import { MemoryKeyValueStore } from '../../ports/storage.js';
import { ABP_DEVADDR, createBench } from './test-support.js';
import { MacPersistence, MAX_KEY_LENGTH } from './fcnt-store.js';

const payload = Uint8Array.of(1, 2, 3);

/** A store that counts writes, to show the write-ahead spares flash. */
class CountingStore implements KeyValueStore {
  readonly inner = new MemoryKeyValueStore();
  writes = new Map<string, number>();
  get(key: string) {
    return this.inner.get(key);
  }
  set(key: string, value: Uint8Array) {
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    this.inner.set(key, value);
  }
  delete(key: string) {
    this.inner.delete(key);
  }
}

test('storage keys fit ESP32 NVS (≤ 15 characters); a longer prefix is refused', (t) => {
  const p = new MacPersistence({ store: new MemoryKeyValueStore() });
  for (const key of Object.values(p.keys)) t.true(key.length <= MAX_KEY_LENGTH, key);
  t.deepEqual(p.keys, { fCntUp: 'lw.fcntup', fCntDown: 'lw.fcntdn', devNonce: 'lw.devnonce', session: 'lw.session' });
  t.throws(() => new MacPersistence({ store: new MemoryKeyValueStore(), keyPrefix: 'lorawan.' }), { code: 'LORAWAN_CONFIG' });
});

test('FCntUp is written ahead once per 16 frames and resumes above every counter used', (t) => {
  const store = new CountingStore();
  const p = new MacPersistence({ store });
  const counters = p.counters(ABP_DEVADDR);
  const used = Array.from({ length: 40 }, () => counters.takeUp());
  t.deepEqual(used, Array.from({ length: 40 }, (_, i) => i));
  t.is(store.writes.get('lw.fcntup'), 3, 'written at 0, 16 and 32');
  const after = new MacPersistence({ store }).counters(ABP_DEVADDR);
  t.is(after.nextUp, 48, 'resumes at the persisted ceiling: > 39, at most 15 skipped');
  // Counters of another session (another tag) do not apply.
  t.is(new MacPersistence({ store }).counters(0x01020304).nextUp, 0);
});

test('ABP: FCnt persists across a simulated reboot: no counter reused, the next one is above the last', async (t) => {
  const bench = createBench({ activation: 'abp' });
  const { clock, network } = bench;
  for (let i = 0; i < 5; i++) await clock.run(bench.mac.sendFrame({ port: 1, payload, confirmed: false }));
  const last = network.uplinksOf(ABP_DEVADDR).at(-1)?.fCnt ?? -1;
  t.is(last, 4);
  // Power cut (no shutdown code runs), then a new MAC on the same store.
  for (let boot = 0; boot < 3; boot++) {
    const mac = bench.reboot();
    await clock.run(mac.sendFrame({ port: 1, payload, confirmed: false }));
    await clock.run(mac.sendFrame({ port: 1, payload, confirmed: false }));
  }
  const counters = network.uplinksOf(ABP_DEVADDR).map((u) => u.fCnt);
  t.is(new Set(counters).size, counters.length, `no reuse: ${counters.join(' ')}`);
  t.true(counters.every((c, i) => i === 0 || c > counters[i - 1]), 'strictly increasing');
  t.deepEqual(counters, [0, 1, 2, 3, 4, 16, 17, 32, 33, 48, 49]);
  t.deepEqual(network.problems, []);
});

test('FCntDown persists too: a downlink replayed after a reboot is still refused', async (t) => {
  const bench = createBench({ activation: 'abp' });
  const { clock, network } = bench;
  const frame = network.encodeDownlink(ABP_DEVADDR, { port: 5, payload: Uint8Array.of(9) });
  network.queueRaw(ABP_DEVADDR, frame);
  await clock.run(bench.mac.sendFrame({ port: 1, payload, confirmed: false }));
  t.is(bench.mac.counters.downlinks, 1);
  const mac = bench.reboot();
  t.is(mac.lastFCntDown, 0);
  network.queueRaw(ABP_DEVADDR, frame);
  await clock.run(mac.sendFrame({ port: 1, payload, confirmed: false }));
  t.is(mac.counters.rejected.replay, 1);
  t.is(mac.counters.downlinks, 0);
});

test('OTAA: DevNonce is never reused across reboots; the session and its counters survive a reboot', async (t) => {
  const bench = createBench();
  const { clock, network } = bench;
  await clock.run(bench.mac.join());
  await clock.run(bench.mac.sendFrame({ port: 1, payload, confirmed: false }));
  // Reboot: the stored session is restored, no join needed, counters go on.
  let mac = bench.reboot();
  t.true(mac.joined);
  await clock.run(mac.sendFrame({ port: 1, payload, confirmed: false }));
  t.deepEqual(network.uplinks.map((u) => u.fCnt), [0, 16]);
  // Rejoin after reboots, with some join requests lost on the way.
  network.acceptJoins = false;
  const failing = bench.reboot({ join: { maxAttempts: 3 } });
  await t.throwsAsync(clock.run(failing.join()), { code: 'LORAWAN_JOIN_FAILED' });
  network.acceptJoins = true;
  mac = bench.reboot();
  await clock.run(mac.join());
  mac = bench.reboot();
  await clock.run(mac.join());
  const nonces = network.joinRequests.map((r) => r.devNonce);
  t.deepEqual(nonces, [0, 1, 2, 3, 4, 5]);
  t.deepEqual(network.problems, [], 'the network never saw a DevNonce twice');
  // The new session starts its counters at 0 (new keys), not at the old session's value.
  await clock.run(mac.sendFrame({ port: 1, payload, confirmed: false }));
  t.is(network.uplinks.at(-1)?.fCnt, 0);
});

test('DevNonce is persisted before the join request is sent', async (t) => {
  const bench = createBench();
  const { clock, store } = bench;
  const joining = bench.mac.join();
  // Stop the world right after the first request left the radio (before any answer).
  await clock.advance(100);
  t.deepEqual(store.get('lw.devnonce'), Uint8Array.of(0, 0));
  await clock.run(joining);
});
