import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifestDirectory } from '../manifest/validate.js';
import { checkConformance } from './conformance.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const manifests = loadManifestDirectory(path.join(root, 'manifests/devices'));

test('the manifest directory holds the shipped devices', (t) => {
  t.true(manifests.length >= 8);
});

for (const manifest of manifests) {
  test(`conformance: ${manifest.id} driver reads what its simulator serves`, async (t) => {
    const report = await checkConformance(manifest);
    const failures = report.checks.filter((c) => !c.ok).map((c) => `minute ${c.minute} ${c.pointId}: ${c.problem}`);
    t.deepEqual(failures, []);
    const reported = manifest.points.filter((p) => p.role !== 'config').length;
    t.true(report.checks.length >= reported * 6, 'every reported point was checked at every minute');
  });
}

test('conformance catches a driver manifest that disagrees with the device (word order)', async (t) => {
  const device = manifests.find((m) => m.id === 'energy-meter-sdm');
  t.truthy(device);
  if (device === undefined) return;
  const draft = structuredClone(device);
  for (const point of draft.points) if ('type' in point && point.type === 'float32') point.order = 'CDAB';
  const report = await checkConformance(draft, { deviceManifest: device });
  t.false(report.ok);
  t.true(report.checks.filter((c) => !c.ok).length >= 3);
});
