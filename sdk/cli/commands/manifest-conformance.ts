/**
 * `axon manifest conformance <file>…`: the conformance check `npm test` runs on
 * every shipped manifest (sdk/conformance), for a vendor's own: the generic
 * driver built from the manifest reads the manifest's simulator over real
 * protocol framing (Modbus RTU, DL/T 645, CJ/T 188) at several simulated
 * minutes, and every decoded point must equal what the simulator put on the
 * wire. With --device, the simulator is built from another manifest (the
 * device as it really behaves), so a draft can be checked against a reference.
 */
import { checkConformance, type ConformanceReport, type PointCheck } from '../../conformance/conformance.js';
import { formatProblem } from '../../manifest/manifest-error.js';
import { loadDeviceManifest } from '../../manifest/validate.js';
import { parseInteger } from '../args.js';
import type { Command } from '../command.js';
import { checkManifestTargets } from './manifest-validate.js';

const COMMAND = 'manifest conformance';

function shown(value: number | boolean | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'boolean') return String(value);
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(7)));
}

function readValue(check: PointCheck): string {
  return check.reading.ok ? shown(check.reading.value) : check.reading.error.code === 'POINT_OUT_OF_RANGE' ? 'out of range' : 'failed';
}

function reportText(report: ConformanceReport): string[] {
  const failed = report.checks.filter((c) => !c.ok);
  const points = new Set(report.checks.map((c) => c.pointId)).size;
  const minutes = [...new Set(report.checks.map((c) => c.minute))];
  const polls = `${minutes.length} poll${minutes.length === 1 ? '' : 's'}`;
  const lines = [`${report.ok ? 'ok  ' : 'FAIL'}  ${report.manifestId}: ${points} points × ${polls} (minutes ${minutes.join(', ')}), ${report.checks.length - failed.length}/${report.checks.length} agree`];
  // All agree: the last poll of every point, as evidence. Some differ: only those, with what went wrong.
  const rows = failed.length > 0
    ? failed.map((c) => [c.pointId, `min ${c.minute}`, `sim ${shown(c.expected)}`, c.problem ?? 'differs'])
    : report.checks.filter((c) => c.minute === minutes[minutes.length - 1]).map((c) => [c.pointId, `min ${c.minute}`, `sim ${shown(c.expected)}`, `read ${readValue(c)}`, 'ok']);
  const widths = rows.length === 0 ? [] : rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) lines.push('      ' + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  return lines;
}

export const manifestConformance: Command = {
  group: 'manifest',
  name: 'conformance',
  summary: "run a manifest's driver against its simulator over real framing; every point must read back as simulated",
  usage: '<file>... [--device <manifest>] [--minutes <list>] [--seed <n>] [--json]',
  positionals: '<file>...  manifest files (or directories) to check; each is validated first',
  flags: {
    device: { type: 'string', value: '<manifest>', description: 'simulate this manifest instead (the device as it really is) and read it with each <file>' },
    minutes: { type: 'string', value: '<list>', description: 'simulated minutes to poll at, comma-separated', default: '0,30,75,120,200,400' },
    seed: { type: 'string', value: '<n>', description: 'seed of the simulator models', default: '1' },
    json: { type: 'boolean', description: 'print the reports as JSON' },
  },
  details: [
    'Output: one line per manifest (ok/FAIL, points × polls, how many agree), then the failing checks, or',
    'the last poll of every point when all agree. A reading outside the manifest\'s min/max counts as',
    'agreeing when the simulator really was out of range (the driver must flag it, not store it).',
    'Exit code 0 when every manifest conforms, 1 when one does not or is invalid.',
  ].join('\n'),
  examples: [
    'axon manifest conformance manifests/devices/energy-meter-sdm.json',
    'axon manifest conformance my-draft.json --device manifests/devices/water-level-rs485.json',
    'axon manifest conformance manifests/devices --json',
  ],

  async run({ flags, positionals }, io) {
    const checks = checkManifestTargets(positionals, COMMAND);
    const minutes = flags.list('minutes', [0, 30, 75, 120, 200, 400], (text, flag) => parseInteger(text, flag, { min: 0, max: 100_000 }, COMMAND));
    const seed = flags.int('seed', { min: 0, max: 2 ** 31 - 1, default: 1 });
    const deviceFile = flags.string('device');
    const deviceManifest = deviceFile === undefined ? undefined : loadDeviceManifest(deviceFile);
    const reports: ConformanceReport[] = [];
    let ok = true;
    for (const check of checks) {
      for (const problem of check.problems) {
        ok = false;
        io.err(`invalid: ${formatProblem(problem)}`);
      }
      for (const manifest of check.manifests) {
        const report = await checkConformance(manifest, { minutes, seed, deviceManifest });
        reports.push(report);
        ok &&= report.ok;
        if (!flags.bool('json')) io.out(reportText(report).join('\n'));
      }
    }
    if (flags.bool('json')) {
      io.out(JSON.stringify(reports.map((r) => ({
        manifest: r.manifestId,
        ok: r.ok,
        checks: r.checks.map((c) => ({ point: c.pointId, minute: c.minute, expected: c.expected ?? null, read: c.reading.ok ? c.reading.value : null, error: c.reading.ok ? undefined : c.reading.error.code, ok: c.ok, problem: c.problem })),
      })), null, 2));
    }
    return ok ? 0 : 1;
  },
};
