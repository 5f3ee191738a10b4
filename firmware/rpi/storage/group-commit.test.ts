/**
 * Alarm transitions on the gateway host's storage (hostStorePorts) wait for no
 * disk sync on the event loop: fifty of them in one turn (each an alert record
 * in the log and an alarm-state record, as AlertEngine and Gateway write them)
 * make no synchronous fsync; one group commit on the thread pool then makes
 * them all durable, and a fresh open reads every one back.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreAndForward } from '../../../drivers/store/store.js';
import { AlarmStateStore } from '../../../drivers/rules/persistence.js';
import type { AlertRuleConfig } from '../../../drivers/rules/config.js';
import { diskSync } from './disk-sync.js';
import { hostStorePorts, nodeStorePorts } from './index.js';

/** Counts the synchronous syncs (those that would run on the event loop) from now until the teardown. */
function countSyncsOnTheEventLoop(t: { teardown(fn: () => void): void }): { count: number; stop(): void } {
  const original = { ...diskSync };
  const counter = { count: 0, stop: () => void Object.assign(diskSync, original) };
  diskSync.fsyncSync = (fd) => {
    counter.count++;
    original.fsyncSync(fd);
  };
  diskSync.fdatasyncSync = (fd) => {
    counter.count++;
    original.fdatasyncSync(fd);
  };
  t.teardown(counter.stop);
  return counter;
}

const rules: AlertRuleConfig[] = Array.from({ length: 50 }, (_, i) => ({ kind: 'offline', id: `u${i}.offline`, device: `u${i}`, level: 'warning' }));

test('50 alarm transitions in one turn: no fsync on the event loop, one group commit, all durable', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-group-commit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const errors: Error[] = [];
  const ports = hostStorePorts(dir, (error) => errors.push(error));
  const store = StoreAndForward.open({ files: ports.files, meta: ports.meta, capacityBytes: 64 * 1024 });
  const alarms = new AlarmStateStore(ports.meta, rules.map((rule) => rule.id));
  await ports.groupCommit.idle();
  const before = { ...ports.groupCommit.stats };

  const onTheEventLoop = countSyncsOnTheEventLoop(t);
  for (const [i, rule] of rules.entries()) {
    alarms.save(rule, 1);
    store.append('alert', Uint8Array.of(0x12, i, 0x08, 0, 0, 0, i));
  }
  t.is(onTheEventLoop.count, 0, 'no sync ran inside the transitions');
  await ports.groupCommit.idle();
  onTheEventLoop.stop();
  t.is(ports.groupCommit.stats.commits - before.commits, 1, 'one commit served all fifty');
  t.deepEqual(errors, []);
  store.close();

  const reopened = nodeStorePorts(dir);
  const again = StoreAndForward.open({ ...reopened, capacityBytes: 64 * 1024 });
  t.is(again.status().pendingAlerts, 50);
  const states = new AlarmStateStore(reopened.meta, rules.map((rule) => rule.id));
  t.deepEqual(rules.map((rule) => states.load(rule)), rules.map(() => 1));
  again.close();
});

test('without a group commit (nodeStorePorts) every transition syncs on the caller\'s thread, as before', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-group-commit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ports = nodeStorePorts(dir);
  const store = StoreAndForward.open({ ...ports, capacityBytes: 64 * 1024 });
  const alarms = new AlarmStateStore(ports.meta, rules.map((rule) => rule.id));
  const synced = countSyncsOnTheEventLoop(t);
  alarms.save(rules[0], 1);
  store.append('alert', Uint8Array.of(0x12, 0, 0x08, 0, 0, 0, 0));
  t.true(synced.count >= 3, `${synced.count} synchronous syncs for one transition`);
  store.close();
});
