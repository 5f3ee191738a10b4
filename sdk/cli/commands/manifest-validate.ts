/**
 * `axon manifest validate <file|dir>…`: check device manifests the way the
 * gateway and `npm test` do (JSON Schema, then the semantic checks: register
 * overlaps, DI formats, sim models…). Every problem is listed with its file,
 * JSON path and fix; a directory also checks that each id matches its file
 * name. Exit 1 when anything is wrong, so a vendor's CI can gate on it.
 */
import { statSync } from 'node:fs';
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import { formatProblem, type ManifestProblem } from '../../manifest/manifest-error.js';
import { ManifestError, inspectManifestDirectory, loadDeviceManifest } from '../../manifest/validate.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';

export interface ManifestCheck {
  /** The file or directory as given. */
  target: string;
  manifests: DeviceManifest[];
  problems: ManifestProblem[];
}

/** Load every manifest a command line names; problems are collected, not thrown. */
export function checkManifestTargets(targets: readonly string[], command: string): ManifestCheck[] {
  if (targets.length === 0) throw new UsageError('name at least one manifest file or directory', command);
  return targets.map((target) => {
    if (isDirectory(target)) return { target, ...inspectManifestDirectory(target) };
    try {
      return { target, manifests: [loadDeviceManifest(target)], problems: [] };
    } catch (error) {
      if (error instanceof ManifestError) return { target, manifests: [], problems: [...error.problems] };
      throw error;
    }
  });
}

function isDirectory(target: string): boolean {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false; // loadDeviceManifest reports the unreadable path with a fix
  }
}

export function manifestSummary(m: DeviceManifest): string {
  const measured = m.points.filter((p) => p.role !== 'config').length;
  const line = `${m.line.baud} ${m.line.dataBits ?? 8}${m.line.parity[0].toUpperCase()}${m.line.stopBits}`;
  return `${m.id}: ${m.name} (${m.vendor}), ${m.protocol}, ${line}, ${measured} point${measured === 1 ? '' : 's'} (+${m.points.length - measured} config), poll ${m.pollPeriodS} s`;
}

export const manifestValidate: Command = {
  group: 'manifest',
  name: 'validate',
  summary: 'check device manifests (schema and semantics); every problem with its file, JSON path and fix',
  usage: '<file|dir>... [--json]',
  positionals: '<file|dir>...  manifest files, or directories of them (a directory also checks id = file name)',
  flags: {
    json: { type: 'boolean', description: 'print the result as JSON: [{target, ok, manifests: [ids], problems: [{file, path, message, fix}]}]' },
  },
  details: 'Exit code 0 when every manifest is valid, 1 when any has a problem (all of them are listed), 2 for a wrong command line.\nThe fields are documented in manifests/README.md.',
  examples: ['axon manifest validate manifests/devices/water-level-rs485.json', 'axon manifest validate manifests/devices', 'axon manifest validate my-sensor.json --json'],

  async run({ flags, positionals }, io) {
    const checks = checkManifestTargets(positionals, 'manifest validate');
    const ok = checks.every((c) => c.problems.length === 0);
    if (flags.bool('json')) {
      io.out(JSON.stringify(checks.map((c) => ({ target: c.target, ok: c.problems.length === 0, manifests: c.manifests.map((m) => m.id), problems: c.problems })), null, 2));
      return ok ? 0 : 1;
    }
    for (const check of checks) {
      for (const m of check.manifests) io.out(`ok    ${manifestSummary(m)}`);
      if (check.problems.length > 0) {
        io.out(`FAIL  ${check.target}: ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`);
        check.problems.forEach((p, i) => io.out(`  ${i + 1}. ${formatProblem(p)}`));
      }
    }
    const problems = checks.reduce((n, c) => n + c.problems.length, 0);
    const valid = checks.reduce((n, c) => n + c.manifests.length, 0);
    io.err(ok ? `${valid} manifest${valid === 1 ? '' : 's'} valid` : `${problems} problem${problems === 1 ? '' : 's'} found (${valid} manifest${valid === 1 ? '' : 's'} valid)`);
    return ok ? 0 : 1;
  },
};
