/**
 * `axon fleet merge <parts…>`: the partial reports of a sharded fleet run
 * (`axon fleet sim … --shard i/n`) combined into the run's report, the same
 * as one process would have printed (wall time aside). Refuses parts of
 * different runs, and a run with cells missing or given twice.
 */
import { readFileSync } from 'node:fs';
import { mergePartials, type PartialReport } from '../../../simulators/fleet/report.js';
import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { formatFleetReport, formatGatewayRows, HTML_FLAG, writeHtmlReport } from './fleet-sim.js';

export const fleetMerge: Command = {
  group: 'fleet',
  name: 'merge',
  summary: 'combine the partial reports of a sharded `axon fleet sim --shard i/n` run into its report',
  usage: '<part.json…> [--per-gateway] [--json] [--html <file>]',
  positionals: '<part.json…>  partial reports written by `axon fleet sim … --shard i/n --out <file>` (all shards of one run)',
  flags: {
    'per-gateway': { type: 'boolean', description: 'also list every gateway' },
    json: { type: 'boolean', description: 'print the whole report as JSON' },
    html: HTML_FLAG,
  },
  details: 'The report is the one the same run in one process prints (same seed, same flags): cells never interact, and every figure is a sum, a histogram or a list that merges exactly.',
  examples: ['axon fleet merge part-0.json part-1.json part-2.json part-3.json --json > fleet.json', 'axon fleet merge part-*.json --html fleet.html'],

  async run({ flags, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('give the partial reports to merge (the files `axon fleet sim --shard i/n --out <file>` wrote)', 'fleet merge');
    const partials = positionals.map((file) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new UsageError(`${file}: not a readable JSON file (${error instanceof Error ? error.message : String(error)})`, 'fleet merge');
      }
      if (typeof parsed !== 'object' || parsed === null || (parsed as { format?: unknown }).format !== 'axon-fleet-partial/1') {
        throw new UsageError(`${file}: not a fleet partial report (write one with \`axon fleet sim … --shard i/n --out ${file}\`)`, 'fleet merge');
      }
      return parsed as PartialReport;
    });
    let report;
    try {
      report = mergePartials(partials);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error), 'fleet merge');
    }
    writeHtmlReport(flags, report, io);
    if (flags.bool('json')) io.out(JSON.stringify(report, null, 2));
    else io.out(flags.bool('per-gateway') ? `${formatFleetReport(report)}\n\n${formatGatewayRows(report)}` : formatFleetReport(report));
    return 0;
  },
};
