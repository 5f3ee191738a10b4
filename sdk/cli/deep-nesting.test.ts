/**
 * JSON nested thousands of levels deep (a generator gone wrong, or a hostile
 * file) once crashed every command that reads site files, manifests or host
 * configs with "Maximum call stack size exceeded" and no file named. Each now
 * refuses the file with its name, line and column, and a fix.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCli as run } from './test-kit.js';

/** Five launches on a loaded machine: give each one time. */
const runCli = (args: readonly string[]) => run(args, 50_000);

const DEPTH = 5000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-deep-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** A valid document with one field's value replaced by `DEPTH` nested arrays. */
function deepen(file: string, field: string, name: string): string {
  const json = JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as Record<string, unknown>;
  json[field] = '\u0001';
  const text = JSON.stringify(json, null, 2).replace('"\\u0001"', '['.repeat(DEPTH) + ']'.repeat(DEPTH));
  const out = path.join(dir, name);
  writeFileSync(out, text);
  return out;
}

const deepSite = deepen('manifests/sites/demo.json', 'name', 'deep-site.json');
const deepManifest = deepen('manifests/devices/water-level-rs485.json', 'description', 'deep-manifest.json');
const deepHost = path.join(dir, 'deep-host.json');
writeFileSync(deepHost, `{"dataDir": ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`);

function assertRefused(t: import('ava').ExecutionContext, r: { code: number | null; stdout: string; stderr: string }, file: string): void {
  const out = r.stdout + r.stderr;
  t.not(r.code, 0);
  t.notRegex(out, /Maximum call stack|RangeError|    at /);
  t.true(out.includes(file), out);
  t.regex(out, /nested more than 64 levels deep/);
  t.regex(out, /:\d+:\d+/);
  t.regex(out, /Fix: /);
}

test.serial('site validate names a deeply nested site file', async (t) => {
  assertRefused(t, await runCli(['site', 'validate', '--site', deepSite]), deepSite);
});

test.serial('manifest validate names a deeply nested manifest', async (t) => {
  assertRefused(t, await runCli(['manifest', 'validate', deepManifest]), deepManifest);
});

test.serial('gateway check names a deeply nested site file and host config', async (t) => {
  assertRefused(t, await runCli(['gateway', 'check', '--site', deepSite]), deepSite);
  assertRefused(t, await runCli(['gateway', 'check', '--site', 'manifests/sites/demo.json', '--config', deepHost]), deepHost);
});

test.serial('sim device names a deeply nested manifest', async (t) => {
  assertRefused(t, await runCli(['sim', 'device', '--manifest', deepManifest, '--tcp', '0']), deepManifest);
});
