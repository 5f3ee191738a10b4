/**
 * `npm run soak -- --hours 72`: the demo site in virtual time with device
 * drops, bus noise and uplink outages (soak/soak.ts). Prints the readings
 * lost (taken by the gateway, never decoded at the far side) and the JS heap
 * before and after. Exit 1 when a reading was lost or the heap grew by more
 * than --max-heap-growth.
 */
import { formatFlags, parseCommandLine, UsageError, type FlagSpecs } from '../sdk/cli/args.js';
import { runSoak } from './soak.js';

const COMMAND = 'soak';

const FLAGS: FlagSpecs = {
  hours: { type: 'string', value: '<h>', description: 'simulated hours to run', default: '72' },
  seed: { type: 'string', value: '<n>', description: 'seed of the fault schedule and the simulated devices', default: '1' },
  'max-heap-growth': { type: 'string', value: '<bytes>', description: 'heap growth (after − before, both after a full GC) that still counts as flat', default: '2000000' },
  json: { type: 'boolean', description: 'print the result as one JSON object' },
};

const HELP = `Usage: npm run soak -- [flags]

Runs the demo site (manifests/sites/demo.json, 13 devices on 2 buses) in virtual
time: a device unplugged every 3 h for 20–60 min, a 15-min burst of bus noise
every 2 h (5 % of the chunks from the devices damaged), a 90-min uplink outage
every 12 h and 1 % of uplink messages lost. The last 2 h are quiet so the
backlog drains. Then every reading the gateway took is reconciled with the
readings decoded at the far side, and the JS heap (after a full GC) is compared
with the heap after the first hour.
Progress goes to stderr. Exit status: 0 nothing lost and heap flat, 1 otherwise, 2 usage.

Flags:
${formatFlags(FLAGS)}

Example:
  npm run soak -- --hours 72
`;

async function main(argv: readonly string[]): Promise<number> {
  const { flags, help } = parseCommandLine(argv, FLAGS, COMMAND);
  if (help) {
    process.stdout.write(HELP);
    return 0;
  }
  const hours = flags.int('hours', { min: 3, max: 24 * 365, default: 72 });
  const seed = flags.int('seed', { min: 0, max: 0xffff_ffff, default: 1 });
  const maxGrowth = flags.int('max-heap-growth', { min: 0, default: 2_000_000 });
  process.stderr.write(`soak: demo site, ${hours} h in virtual time, seed ${seed}\n`);
  const result = await runSoak({
    hours,
    seed,
    onHour(hour, so) {
      if (hour % 6 === 0 || hour === hours) process.stderr.write(`soak: hour ${hour}/${hours}: ${so.samples.toLocaleString('en')} readings taken, ${so.readingsDecoded.toLocaleString('en')} decoded at the far side\n`);
    },
  });
  const flat = result.heapGrowthBytes <= maxGrowth;
  if (flags.bool('json')) {
    process.stdout.write(JSON.stringify(result) + '\n');
  } else {
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
    const f = result.faults;
    process.stdout.write([
      `soak: ${result.hours} h of the demo site in virtual time (seed ${result.seed}), ${result.wallSeconds.toFixed(0)} s wall`,
      `  faults: ${f.deviceDrops} device drops, ${f.noiseWindows} noise bursts (${f.damagedChunks} chunks damaged), ${f.outages} uplink outages (${f.outageHours} h), ${f.lostMessages} uplink sends refused or lost`,
      `  polls: ${result.polls.toLocaleString('en')} (${result.failedPolls.toLocaleString('en')} failed), alerts decoded: ${result.alertsDecoded}, gateway errors: ${result.gatewayErrors}`,
      `  readings taken: ${result.samples.toLocaleString('en')}, decoded at the far side: ${result.readingsDecoded.toLocaleString('en')}, duplicated: ${result.readingsDuplicated}`,
      `  readings lost: ${result.readingsLost}`,
      `  heap before: ${mb(result.heapBeforeBytes)}, after: ${mb(result.heapAfterBytes)}, growth: ${result.heapGrowthBytes.toLocaleString('en')} bytes (${flat ? 'flat' : `over the ${maxGrowth.toLocaleString('en')}-byte limit`})`,
    ].join('\n') + '\n');
  }
  return result.readingsLost === 0 && flat ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`npm run soak: ${error.message}\nRun \`npm run soak -- --help\` for the flags.\n`);
  process.exitCode = 2;
}
