/**
 * `npm run build`: compiles the parts of Axon that run in production (the core,
 * the SDK and CLI, the Pi host, the simulators the CLI starts) from TypeScript to
 * JavaScript in dist/, file for file, so the installed package starts without a
 * TypeScript loader. Type checking stays with `npm run typecheck` (tsc); this is
 * only the emit, done by esbuild because it takes about a second.
 *
 * dist/ mirrors the source tree and carries the data files next to the code, so
 * every relative path in the code (../../manifests/…, ./host-config.schema.json)
 * holds unchanged in both layouts:
 *   dist/package.json            name, version and "type": "module" (read by `axon --version`)
 *   dist/manifests/              device manifests, site files and their JSON Schemas
 *   dist/sdk/cli/bin/axon.js     the `axon` executable (package.json "bin")
 */
import { build } from 'esbuild';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
/** What ships: everything `axon` and the Pi gateway can load. firmware/esp32 is built by mcconfig, not here. */
const SOURCE_DIRS = ['drivers', 'sdk', 'firmware/rpi', 'simulators'];
/** The file a finished build leaves in dist/. */
export const BUILD_STAMP = '.build-stamp';
/** Every directory whose files end up in dist/. */
export const BUILT_FROM = [...SOURCE_DIRS, 'manifests'];
/** Data files the code reads at run time, copied beside it. */
const ASSET = /\.(json|conf|acl|csv)$/;
/** Tests and their helpers never ship (they import dev-only packages such as ava). */
const TEST_ONLY = /(\.test\.ts|[/\\]test-kit\.ts|[/\\]test-support\.ts|-fixture\.ts)$/;

function walk(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, found);
    else found.push(full);
  }
  return found;
}

/**
 * Builds into a fresh directory beside dist/ and swaps it in at the end, so a
 * process starting from dist/ meanwhile (a CLI test while `npm pack` rebuilds)
 * finds the old build or the new one, never a half-written one.
 */
export async function buildDist(): Promise<{ modules: number; assets: number }> {
  const OUT = `${DIST}.building-${process.pid}`;
  rmSync(OUT, { recursive: true, force: true });
  const files = SOURCE_DIRS.flatMap((dir) => walk(path.join(ROOT, dir)));
  const modules = files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !TEST_ONLY.test(file));
  await build({
    entryPoints: modules,
    outdir: OUT,
    outbase: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // JSON modules need their `with { type: 'json' }` attribute kept (Node has it since 20.10).
    supported: { 'import-attributes': true },
    bundle: false,
    logLevel: 'warning',
  });
  const assets = files.filter((file) => ASSET.test(file));
  for (const file of assets) {
    const target = path.join(OUT, path.relative(ROOT, file));
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(file, target);
  }
  cpSync(path.join(ROOT, 'manifests'), path.join(OUT, 'manifests'), { recursive: true });

  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  writeFileSync(path.join(OUT, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2) + '\n');
  const bin = path.join(OUT, 'sdk/cli/bin/axon.js');
  mkdirSync(path.dirname(bin), { recursive: true });
  writeFileSync(bin, '#!/usr/bin/env node\n// The installed `axon`: compiled JavaScript, no TypeScript loader.\nawait import(\'../axon.js\');\n');
  chmodSync(bin, 0o755);
  // Written last: tests launch dist/ only when this stamp is newer than every source file (sdk/cli/test-kit.ts).
  writeFileSync(path.join(OUT, BUILD_STAMP), `${new Date().toISOString()}\n`);
  const previous = `${DIST}.previous-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, previous);
  renameSync(OUT, DIST);
  rmSync(previous, { recursive: true, force: true });
  return { modules: modules.length, assets: assets.length };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const { modules, assets } = await buildDist();
  if (!existsSync(path.join(DIST, 'sdk/cli/axon.js'))) throw new Error('build: dist/sdk/cli/axon.js was not written');
  process.stdout.write(`build: ${modules} modules and ${assets} data files into dist/ in ${Date.now() - started} ms\n`);
}
