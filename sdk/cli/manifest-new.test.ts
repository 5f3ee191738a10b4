/**
 * `axon manifest new`: for each protocol, the scaffold as generated passes
 * `axon manifest validate` and `axon manifest conformance`, has `$schema`, a
 * `sim` block on every point and a README. Commands run in-process.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceManifest } from '../../drivers/devices/manifest.js';
import { schemaRefFor } from './commands/manifest-new.js';
import { runInProcess } from './test-kit.js';

function tempDir(t: import('ava').ExecutionContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-manifest-new-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const [protocol, wire] of [['modbus', 'modbus'], ['dlt645', 'dlt645-2007'], ['cjt188', 'cjt188']] as const) {
  test(`a ${protocol} scaffold passes manifest validate and manifest conformance as generated`, async (t) => {
    const dir = tempDir(t);
    const id = `acme-${protocol}-1`;
    const made = await runInProcess(['manifest', 'new', id, '--protocol', protocol, '--dir', dir, '--vendor', 'Acme']);
    t.is(made.code, 0, made.stderr);
    const file = path.join(dir, `${id}.json`);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as DeviceManifest;
    t.is(manifest.$schema, schemaRefFor(dir));
    t.true(existsSync(manifest.$schema ?? ''), 'outside the repository $schema is the schema file itself');
    t.is(manifest.id, id);
    t.is(manifest.protocol, wire);
    t.is(manifest.vendor, 'Acme');
    t.true(manifest.points.length > 0);
    t.true(manifest.points.every((p) => p.sim !== undefined), 'every point has a sim block');
    const readme = readFileSync(path.join(dir, `${id}.md`), 'utf8');
    t.regex(readme, new RegExp(`npx axon manifest conformance ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    // The directory form also checks that the id matches the file name.
    const validated = await runInProcess(['manifest', 'validate', dir]);
    t.is(validated.code, 0, validated.stdout + validated.stderr);
    t.regex(validated.stdout, new RegExp(`^ok    ${id}: `));
    const conformance = await runInProcess(['manifest', 'conformance', file]);
    t.is(conformance.code, 0, conformance.stdout + conformance.stderr);
    t.regex(conformance.stdout, new RegExp(`^ok    ${id}: .* (\\d+)/\\1 agree`));
  });
}

test('manifest new refuses to overwrite, and a bad id or protocol is a usage error', async (t) => {
  const dir = tempDir(t);
  t.is((await runInProcess(['manifest', 'new', 'twice', '--protocol', 'modbus', '--dir', dir])).code, 0);
  const again = await runInProcess(['manifest', 'new', 'twice', '--protocol', 'cjt188', '--dir', dir]);
  t.is(again.code, 1);
  t.regex(again.stderr, /twice\.json already exists/);
  t.is((JSON.parse(readFileSync(path.join(dir, 'twice.json'), 'utf8')) as DeviceManifest).protocol, 'modbus');

  const badId = await runInProcess(['manifest', 'new', 'My_Sensor', '--protocol', 'modbus', '--dir', dir]);
  t.is(badId.code, 2);
  t.regex(badId.stderr, /id "My_Sensor" is not kebab-case/);
  const badProtocol = await runInProcess(['manifest', 'new', 'x', '--protocol', 'bacnet', '--dir', dir]);
  t.is(badProtocol.code, 2);
  t.regex(badProtocol.stderr, /--protocol "bacnet" is not allowed: use one of modbus, dlt645, cjt188/);
});

test('inside the repository $schema is relative, as in the shipped manifests', (t) => {
  t.is(schemaRefFor('manifests/devices'), '../schema/device.schema.json');
});
