/**
 * `npm run fuzz -- --runs N`: random and mutated inputs to every decoder and
 * parser (see fuzz/README.md). Findings on stdout, progress on stderr.
 * Exit 0: nothing found; 1: findings; 2: bad command line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromHex, toHex } from '../drivers/bytes.js';
import { formatFlags, parseCommandLine, UsageError, type FlagSpecs } from '../sdk/cli/args.js';
import { runFuzz, runOne, type Finding, type FuzzReport } from './runner.js';
import type { FuzzTarget } from './target.js';
import { allTargets } from './targets/index.js';

const COMMAND = 'fuzz';
/** Longer inputs go to a file instead of the terminal. */
const MAX_PRINTED_BYTES = 2048;

const FLAGS: FlagSpecs = {
  runs: { type: 'string', value: '<n>', description: 'inputs in all, shared out over the targets in turn', default: '10000' },
  seed: { type: 'string', value: '<n>', description: 'seed of the input generator; the same seed and targets give the same inputs', default: '1' },
  target: { type: 'string', value: '<names>', description: 'only these targets (comma-separated, substrings match); --list shows them' },
  'slow-ms': { type: 'string', value: '<ms>', description: 'report an input that takes more CPU time than this (fastest of three runs)', default: '100' },
  replay: { type: 'string', value: '<target>:<hex>', description: 'run one input (hex, or @file of hex) on one target and print what happened' },
  save: { type: 'string', value: '<dir>', description: 'where inputs too long to print are written', default: 'fuzz-findings' },
  list: { type: 'boolean', description: 'list the targets and what each drives, then exit' },
};

const HELP = `Usage: npm run fuzz -- [flags]

Feeds random and mutated inputs to every decoder and parser of Axon and reports
any error that is not one of the project's typed errors (AxonError), any input
that hangs in virtual time, and any input that takes more than --slow-ms of CPU
time (CPU, not wall clock: other work on the machine does not count). Every finding
comes with the input as hex; replay it with --replay <target>:<hex>.
Progress goes to stderr. Exit status: 0 nothing found, 1 findings, 2 usage.

Flags:
${formatFlags(FLAGS)}

Examples:
  npm run fuzz -- --runs 1000000 --seed 7
  npm run fuzz -- --runs 20000 --target modbus,dlt645
  npm run fuzz -- --replay gateway-downlink:020001000e10
`;

function selectTargets(all: FuzzTarget[], filter: string | undefined): FuzzTarget[] {
  if (filter === undefined) return all;
  const wanted = filter.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const chosen = all.filter((t) => wanted.some((w) => t.name.includes(w)));
  if (chosen.length === 0) throw new UsageError(`--target "${filter}" matches no target; use one of ${all.map((t) => t.name).join(', ')}`, COMMAND);
  return chosen;
}

function describeInput(finding: Finding, saveDir: string, index: number): string {
  if (finding.input.length <= MAX_PRINTED_BYTES) return toHex(finding.input);
  mkdirSync(saveDir, { recursive: true });
  const file = path.join(saveDir, `${finding.target}-${index + 1}.hex`);
  writeFileSync(file, toHex(finding.input) + '\n');
  return `${finding.input.length} bytes, written to ${file} (replay with --replay ${finding.target}:@${file})`;
}

function printReport(report: FuzzReport, saveDir: string): void {
  const seconds = report.elapsedMs / 1000;
  process.stdout.write(`fuzz: ${report.runs.toLocaleString('en')} inputs, seed ${report.seed}, ${seconds.toFixed(1)} s (${Math.round(report.runs / Math.max(seconds, 0.001)).toLocaleString('en')}/s)\n`);
  for (const [name, s] of Object.entries(report.targets)) {
    process.stdout.write(`  ${name.padEnd(18)} ${String(s.inputs).padStart(9)} inputs, slowest ${s.slowestMs.toFixed(1)} ms CPU\n`);
  }
  if (report.findings.length === 0) {
    process.stdout.write('fuzz: 0 findings (no untyped error, no hang, no input over the time limit)\n');
    return;
  }
  process.stdout.write(`fuzz: ${report.findings.length} finding(s)\n`);
  report.findings.forEach((f, i) => {
    process.stdout.write(`\n${i + 1}. [${f.target}] ${f.kind}: ${f.message} (${f.count} input${f.count === 1 ? '' : 's'})\n`);
    process.stdout.write(`   input: ${describeInput(f, saveDir, i)}\n`);
    if (f.stack !== undefined) process.stdout.write(f.stack.split('\n').slice(1, 7).map((l) => `   ${l.trim()}`).join('\n') + '\n');
  });
}

async function replay(targets: FuzzTarget[], spec: string): Promise<number> {
  const colon = spec.indexOf(':');
  if (colon < 0) throw new UsageError(`--replay needs <target>:<hex>, not "${spec}"`, COMMAND);
  const name = spec.slice(0, colon);
  const target = targets.find((t) => t.name === name);
  if (target === undefined) throw new UsageError(`--replay: no target "${name}"; use one of ${targets.map((t) => t.name).join(', ')}`, COMMAND);
  const text = spec.slice(colon + 1);
  const hex = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  let input: Uint8Array;
  try {
    input = fromHex(hex.trim());
  } catch (error) {
    throw new UsageError(`--replay: the input is not hex (${(error as Error).message})`, COMMAND);
  }
  const outcome = await runOne(target, input);
  const detail = 'error' in outcome ? `\n${outcome.error instanceof Error ? outcome.error.stack : String(outcome.error)}` : '';
  process.stdout.write(`${target.name}: ${outcome.kind} in ${outcome.ms.toFixed(1)} ms${detail}\n`);
  return outcome.kind === 'ok' || outcome.kind === 'rejected' ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const { flags, help } = parseCommandLine(argv, FLAGS, COMMAND);
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const runs = flags.int('runs', { min: 1, max: 1_000_000_000, default: 10_000 });
  const seed = flags.int('seed', { min: 0, max: 0xffff_ffff, default: 1 });
  const slowMs = flags.int('slow-ms', { min: 1, max: 3_600_000, default: 100 });
  const all = await allTargets();
  if (flags.bool('list')) {
    for (const t of all) process.stdout.write(`${t.name.padEnd(18)} ${t.seeds.length} seeds  ${t.description}\n`);
    return 0;
  }
  const replaySpec = flags.string('replay');
  if (replaySpec !== undefined) return replay(all, replaySpec);
  const targets = selectTargets(all, flags.string('target'));
  process.stderr.write(`fuzz: ${runs.toLocaleString('en')} inputs over ${targets.length} targets (${targets.map((t) => t.name).join(', ')}), seed ${seed}\n`);
  const started = Date.now();
  let lastReport = 0;
  const saveDir = flags.string('save') ?? 'fuzz-findings';
  let found = 0;
  const report = await runFuzz(targets, {
    runs,
    seed,
    slowMs,
    onFinding(finding) {
      process.stderr.write(`fuzz: new finding [${finding.target}] ${finding.kind}: ${finding.message}\n      input: ${describeInput(finding, saveDir, 1000 + found++)}\n`);
    },
    onProgress(done, findings) {
      const now = Date.now();
      if (now - lastReport < 5000 && done !== runs) return;
      lastReport = now;
      const rate = done / Math.max((now - started) / 1000, 0.001);
      process.stderr.write(`fuzz: ${done.toLocaleString('en')}/${runs.toLocaleString('en')} inputs (${((100 * done) / runs).toFixed(1)} %), ${Math.round(rate).toLocaleString('en')}/s, ${findings} finding(s)\n`);
    },
  });
  printReport(report, saveDir);
  return report.findings.length === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`npm run fuzz: ${error.message}\nRun \`npm run fuzz -- --help\` for the flags.\n`);
  process.exitCode = 2;
}
