/**
 * `axon plan --site <file> [--json]`: the bus-time plan of a site file. Lists
 * every request each bus sends (device, function code or DI, address, count,
 * frame sizes, wire time), then per bus the cycle total, the utilisation of
 * the shortest poll period and the verdict, with what to change when the
 * schedule does not fit. The numbers come from drivers/scheduler/bus-time.ts,
 * the same code the gateway schedules with.
 */
import { planSite, type BusPlan, type PlannedRequest, type SitePlan } from '../../../drivers/scheduler/bus-time.js';
import type { Flags } from '../args.js';
import type { Command, CommandIo } from '../command.js';
import { MANIFESTS_FLAG, siteInputs } from './site-inputs.js';

function what(r: PlannedRequest): string {
  return r.di === undefined ? `FC${String(r.fc).padStart(2, '0')}` : `DI ${r.di}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => '  ' + row.map((cell, c) => (c === row.length - 1 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 2 : 1)}%`;
}

function busText(bus: BusPlan): string[] {
  const lines = [`bus ${bus.bus}  port ${bus.port}  ${bus.line} (${bus.bitsPerChar} bits/char)  turnaround ${bus.turnaroundMs} ms`];
  const rows = [['device', 'unit', 'read', 'address', 'count', 'bytes', 'points', 'wire ms']];
  for (const r of bus.requests.filter((x) => x.kind === 'poll')) {
    rows.push([r.device, String(r.unit), what(r), r.address === undefined ? '-' : String(r.address), r.count === undefined ? '-' : String(r.count), `${r.requestBytes}+${r.replyBytes}`, r.points.join(','), r.wireMs.toFixed(2)]);
  }
  lines.push(...table(rows));
  const config = bus.requests.filter((x) => x.kind === 'config');
  if (config.length > 0) {
    lines.push(`  config registers, read once and cached (not in the cycle): ${config.length} requests, ${bus.configMs.toFixed(1)} ms`);
    const configRows = [['device', 'unit', 'read', 'address', 'count', 'bytes', 'points', 'wire ms']];
    for (const r of config) configRows.push([r.device, String(r.unit), what(r), String(r.address), String(r.count), `${r.requestBytes}+${r.replyBytes}`, r.points.join(','), r.wireMs.toFixed(2)]);
    lines.push(...table(configRows).map((line) => '  ' + line));
  }
  lines.push(`  cycle ${bus.cycleMs.toFixed(1)} ms · shortest period ${bus.windowMs / 1000} s (${bus.windowDevice}) · utilisation ${percent(bus.utilisation)} · steady load ${percent(bus.load)}`);
  lines.push(`  verdict ${bus.verdict.toUpperCase()}: ${bus.message}`);
  return lines;
}

export function formatSitePlan(plan: SitePlan): string {
  const lines = [`site ${plan.site}: ${plan.buses.length} bus${plan.buses.length === 1 ? '' : 'es'}, verdict ${plan.verdict}`];
  for (const bus of plan.buses) lines.push('', ...busText(bus));
  lines.push('', 'wire ms per request = (request + reply bytes) × bits/char ÷ baud + 2 × t3.5 + turnaround; utilisation = cycle ÷ shortest poll period (docs/scheduler.md)');
  return lines.join('\n');
}

async function run(flags: Flags, io: CommandIo): Promise<number> {
  const { site, manifests } = siteInputs(flags, io);
  const plan = planSite(site, manifests);
  io.out(flags.bool('json') ? JSON.stringify(plan, null, 2) : formatSitePlan(plan));
  // A schedule that cannot fit is a failed check for scripts (CI on site files), after printing the plan.
  return plan.verdict === 'reject' ? 1 : 0;
}

export const plan: Command = {
  group: 'plan',
  name: '',
  summary: 'bus-time plan of a site file: every request, its wire time, cycle and utilisation per bus, and whether it fits',
  usage: '--site <file> [--manifests <dir>] [--json]',
  flags: {
    site: { type: 'string', value: '<file>', description: 'site file, e.g. manifests/sites/demo.json (validated first)', required: true },
    manifests: MANIFESTS_FLAG,
    json: { type: 'boolean', description: 'print the plan as JSON (the same fields as the table)' },
  },
  details: [
    'Verdict per bus: ok (utilisation ≤ 70 %), warn (> 70 %: little room for retries and timeouts),',
    'reject (> 100 %: the schedule cannot fit the baud rate; the message says what to change).',
    'Exit code 1 when a bus is rejected or the site file is invalid. Warnings about the site go to stderr.',
  ].join('\n'),
  examples: ['axon plan --site manifests/sites/demo.json', 'axon plan --site manifests/sites/demo.json --json'],

  async run({ flags }, io) {
    return run(flags, io);
  },
};
