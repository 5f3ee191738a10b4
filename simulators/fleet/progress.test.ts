/**
 * Progress of a shard is over the shard's own cells: a shard that has run all
 * its cells is done (an ETA from the whole district's share would be hundreds
 * of times too long for `--shard 0/250`).
 */
import test from 'ava';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { runFleetShard, type FleetProgress } from './fleet.js';

test('a shard reports progress over its own cells', async (t) => {
  const seen: FleetProgress[] = [];
  const district = { site: demoSite(), manifests: shippedManifests(), sensors: 90, mix: { gateways: 0, endDevices: 1 }, cells: 3, hours: 1, seed: 2, onProgress: (p: FleetProgress) => seen.push(p) };
  await runFleetShard(district, { index: 1, count: 2 });
  const last = seen[seen.length - 1];
  t.is(last.cell, 1);
  t.is(last.cells, 1, 'shard 1 of 2 runs one of the three cells');
  t.is(last.cellsDone, 1);
  t.is(last.done, 1);
  t.true(seen.slice(0, -1).every((p) => p.done > 0 && p.done < 1), 'the share before the end is of the shard, neither 0 nor 1');
});
