/**
 * Finds the Moddable SDK the ESP32 tooling builds with, and its host tools
 * (mcconfig, xsc, xsl, mcsim).
 *
 * A user installs Moddable as its documentation says and sets MODDABLE; that
 * SDK is used as it is. Without MODDABLE, the SDK source checked out beside
 * this repository (`<repo>/../shared/moddable-sdk`, read-only) is copied to a
 * writable cache keyed by its content, and its host tools are built there
 * once (make in build/makefiles/lin, with the SDK's bin directory on PATH, as
 * the tools' own build calls xsc). Later runs find the built cache.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The SDK source beside a clone of this repository. */
export const SHARED_SDK = path.resolve(REPO_ROOT, '../shared/moddable-sdk');
/** Marker written after the host tools built, so an interrupted build is redone. */
const BUILT_MARKER = '.axon-tools-built';

export interface ModdableSdk {
  /** MODDABLE for the tools. */
  root: string;
  /** build/bin/lin/release: mcconfig, xsc, xsl, mcsim. */
  bin: string;
  /** Environment to run the tools in (MODDABLE set, bin on PATH). */
  env: NodeJS.ProcessEnv;
  /** Where it came from, for the log. */
  origin: 'MODDABLE' | 'cache';
}

export class SdkUnavailableError extends Error {
  override readonly name = 'SdkUnavailableError';
  readonly code = 'MODDABLE_SDK_UNAVAILABLE';
}

function sdkAt(root: string, origin: ModdableSdk['origin']): ModdableSdk {
  const bin = path.join(root, 'build/bin/lin/release');
  return { root, bin, origin, env: { ...process.env, MODDABLE: root, PATH: `${process.env.PATH ?? ''}:${bin}` } };
}

/** Cache key: the SDK copy has no git metadata, so a hash of files that change with every SDK release. */
export function sdkKey(source: string): string {
  const hash = createHash('sha256');
  for (const file of ['readme.md', 'xs/sources/xsAll.h', 'xs/includes/xs.h', 'tools/mcconfig.js', 'tools/mcmanifest.js', 'build/makefiles/lin/makefile']) {
    const full = path.join(source, file);
    hash.update(file).update(existsSync(full) ? readFileSync(full) : '');
  }
  return hash.digest('hex').slice(0, 12);
}

export function cacheDirectory(): string {
  return process.env.AXON_MODDABLE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'axon-moddable');
}

/** The SDK to build with: $MODDABLE, a built cache, or the shared source built into the cache now (minutes, once). */
export function resolveModdable(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ModdableSdk {
  const configured = process.env.MODDABLE;
  if (configured !== undefined && configured !== '') {
    const sdk = sdkAt(path.resolve(configured), 'MODDABLE');
    if (!existsSync(path.join(sdk.bin, 'mcconfig'))) {
      throw new SdkUnavailableError(`MODDABLE is ${configured}, but ${sdk.bin}/mcconfig does not exist. Fix: build the SDK's host tools (cd $MODDABLE/build/makefiles/lin && make), or unset MODDABLE to use ${SHARED_SDK}`);
    }
    return sdk;
  }
  if (!existsSync(path.join(SHARED_SDK, 'xs'))) {
    throw new SdkUnavailableError(`no Moddable SDK: MODDABLE is not set and ${SHARED_SDK} does not exist. Fix: install the Moddable SDK (its documentation, "Getting started" for Linux) and set MODDABLE`);
  }
  const root = path.join(cacheDirectory(), sdkKey(SHARED_SDK), 'moddable');
  const sdk = sdkAt(root, 'cache');
  if (existsSync(path.join(root, BUILT_MARKER))) return sdk;
  log(`moddable: building the SDK host tools once in ${root} (several minutes)`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.dirname(root), { recursive: true });
  cpSync(SHARED_SDK, root, { recursive: true });
  // The shared copy is read-only; the cache must be writable for the build.
  spawnSync('chmod', ['-R', 'u+w', root], { stdio: 'inherit' });
  const make = spawnSync('make', [`-j${Math.max(1, os.availableParallelism())}`], { cwd: path.join(root, 'build/makefiles/lin'), env: sdk.env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (make.status !== 0) {
    throw new SdkUnavailableError(`building the Moddable host tools failed (make exited ${make.status}). Fix: install the build packages (gcc make libncurses-dev flex bison gperf libgtk-3-dev pkg-config) and run again`);
  }
  writeFileSync(path.join(root, BUILT_MARKER), `${new Date().toISOString()}\n`);
  return sdk;
}
