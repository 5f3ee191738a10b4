/**
 * Sharding: a district of mixed devices in three cells gives exactly the same
 * report (wall time aside) run in one thread, as two shards merged, and on two
 * worker threads; and through the CLI, `--shard i/n --out` then
 * `axon fleet merge` prints what the one-process `--json` run prints. Merging
 * refuses missing cells and parts of another run.
 */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { runCli } from '../../sdk/cli/test-kit.js';
import { runFleet, runFleetShard, type FleetOptions, type FleetReport } from './fleet.js';
import { mergePartials } from './report.js';
import { runFleetInWorkers } from './workers.js';

const district: FleetOptions = { site: demoSite(), manifests: shippedManifests(), sensors: 600, mix: { gateways: 0.05, endDevices: 0.95 }, cells: 3, hours: 1, seed: 4 };
const withoutWall = (r: FleetReport) => ({ ...r, wallSeconds: 0 });

test('one thread, two shards merged and two worker threads give the same report', async (t) => {
  const whole = await runFleet(district);
  t.is(whole.cells, 3);
  t.true(whole.gateways >= 2 && whole.endDevices > 500, `${whole.gateways} gateways, ${whole.endDevices} end devices`);
  t.true(whole.readingsDecoded > 1000 && whole.alerts.events > 0, 'a district that did something');
  const [a, b] = [await runFleetShard(district, { index: 0, count: 2 }), await runFleetShard(district, { index: 1, count: 2 })];
  t.deepEqual(a.parts.map((p) => p.cell), [0, 2]);
  t.deepEqual(b.parts.map((p) => p.cell), [1]);
  // Through JSON, as files from other machines would come.
  const merged = mergePartials([JSON.parse(JSON.stringify(b)), JSON.parse(JSON.stringify(a))]);
  t.deepEqual(withoutWall(merged), withoutWall(whole));
  const threaded = await runFleetInWorkers(district, 2);
  t.deepEqual(withoutWall(threaded), withoutWall(whole));
  t.throws(() => mergePartials([a]), { message: /cells missing from the partial reports: 1 \(1 of 3\)/ });
  t.throws(() => mergePartials([a, a, b]), { message: /cell 0 appears twice/ });
  const other = await runFleetShard({ ...district, seed: 5 }, { index: 1, count: 2 });
  t.throws(() => mergePartials([a, other]), { message: /partial reports of different runs/ });
});

test('axon fleet sim --shard i/n --out, then axon fleet merge: the report of the one-process run', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-fleet-shards-'));
  const flags = ['--sensors', '200', '--mix', 'gateways:0,end-devices:1', '--cells', '2', '--hours', '1', '--seed', '3'];
  const one = await runCli(['fleet', 'sim', ...flags, '--workers', '1', '--json'], 300_000);
  t.is(one.code, 0, one.stderr);
  t.regex(one.stderr, /cells \d\/2 done, simulated [\d.]+ %: \d+ readings and \d+ alerts decoded; \d+ sensor-h\/s, ETA /);
  for (const i of [0, 1]) {
    const shard = await runCli(['fleet', 'sim', ...flags, '--shard', `${i}/2`, '--out', join(dir, `part-${i}.json`)], 300_000);
    t.is(shard.code, 0, shard.stderr);
  }
  t.is(JSON.parse(readFileSync(join(dir, 'part-1.json'), 'utf8')).format, 'axon-fleet-partial/1');
  const merged = await runCli(['fleet', 'merge', join(dir, 'part-0.json'), join(dir, 'part-1.json'), '--json'], 60_000);
  t.is(merged.code, 0, merged.stderr);
  t.deepEqual(withoutWall(JSON.parse(merged.stdout) as FleetReport), withoutWall(JSON.parse(one.stdout) as FleetReport));
  const missing = await runCli(['fleet', 'merge', join(dir, 'part-0.json')], 60_000);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /cells missing from the partial reports: 1/);
  const bad = await runCli(['fleet', 'sim', '--sensors', '10', '--shard', '2/2'], 60_000);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--shard 2\/2: give i\/n with 0 ≤ i < n/);
});
