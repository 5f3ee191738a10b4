/**
 * How the rpi bench starts `axon`: the one place that chooses between the
 * compiled CLI (what a Pi runs after `npm install`) and the TypeScript sources
 * through tsx (a clone without a build). The compiled entry is preferred, and
 * `npm run build` is run first when package.json has that script.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../../firmware/rpi/host/install/node-flags.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const COMPILED_ENTRY = path.join(REPO_ROOT, 'dist/sdk/cli/bin/axon.js');
const SOURCE_ENTRY = path.join(REPO_ROOT, 'sdk/cli/axon.ts');

export interface AxonCommand {
  /** The node binary, then its arguments up to and including the entry file. */
  argv: string[];
  compiled: boolean;
  /** The node flags in argv: the installed unit's (GATEWAY_NODE_FLAGS) unless the bench was given others. */
  nodeFlags: readonly string[];
}

/**
 * Build when the project has a build script, then pick the entry: the compiled one when it exists.
 * `nodeFlags` defaults to the flags the installed systemd unit runs node with.
 */
export function axonCommand(log: (line: string) => void, nodeFlags: readonly string[] = GATEWAY_NODE_FLAGS): AxonCommand {
  const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  if (scripts.build !== undefined) {
    log('bench rpi: npm run build');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (existsSync(COMPILED_ENTRY)) return { argv: [process.execPath, ...nodeFlags, COMPILED_ENTRY], compiled: true, nodeFlags };
  return { argv: [process.execPath, ...nodeFlags, '--import', 'tsx', SOURCE_ENTRY], compiled: false, nodeFlags };
}
