/**
 * `axon gateway run` and `axon gateway check`: the production Raspberry Pi
 * gateway (firmware/rpi/host) on a site file and this Pi's host config. `run`
 * is what the systemd unit starts (docs/rpi-gateway.md): it logs one line per
 * event worth reading, a report line every --report-every seconds, and stops
 * cleanly on SIGTERM/SIGINT (batches flushed, acknowledgements durable).
 * `check` validates both files against each other and exits, for provisioning.
 */
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { startGatewayHost } from '../../../firmware/rpi/host/gateway-host.js';
import type { HostConfig } from '../../../firmware/rpi/host/host-config.js';
import { describeHostOutput } from '../../../firmware/rpi/host/host-outputs.js';
import { preflight, runnableConfig } from '../../../firmware/rpi/host/preflight.js';
import { redactCredentials } from '../../../firmware/rpi/mqtt/redact-credentials.js';
import { formatProblem } from '../../manifest/manifest-error.js';
import { parseInteger, type FlagSpecs, type Flags } from '../args.js';
import type { Command, CommandIo } from '../command.js';
import { MANIFESTS_FLAG, siteInputs } from './site-inputs.js';

const DEFAULT_DATA_DIR = '/var/lib/axon';

/** Flags both commands take: check answers for exactly the inputs run would be given. */
const SITE_FLAGS: FlagSpecs = {
  site: { type: 'string', value: '<file>', description: 'the site file: buses, devices, rules, outputs, uplink (validated first)', required: true },
  config: { type: 'string', value: '<file>', description: "this Pi's host config: bus devices, GPIOs, uplink credentials, modem (docs/rpi-gateway.md)" },
  data: { type: 'string', value: '<dir>', description: 'data directory: the store-and-forward log, alarm state, channel table (one gateway per directory)', default: DEFAULT_DATA_DIR },
  manifests: MANIFESTS_FLAG,
};

interface RunnableInputs {
  site: SiteFile;
  manifests: Map<string, DeviceManifest>;
  config: HostConfig;
  dataDir: string;
}

/**
 * The one preflight of both commands (firmware/rpi/host/preflight.ts): warnings
 * to stderr, and every refusal at once as a HostConfigError (exit 1).
 */
function runnableInputs(flags: Flags, io: CommandIo): RunnableInputs {
  const { site, manifests } = siteInputs(flags, io);
  const dataDir = flags.string('data') ?? DEFAULT_DATA_DIR;
  const checked = preflight({ site, siteFile: flags.requiredString('site'), manifests, configFile: flags.string('config'), dataDir });
  for (const warning of checked.warnings) io.err(`warning: ${formatProblem(warning)}`);
  return { site, manifests, dataDir, config: runnableConfig(checked) };
}

function stamp(io: CommandIo): (line: string) => void {
  // journald stamps lines itself; a terminal gets the time in front.
  return process.stdout.isTTY === true ? (line) => io.out(`${new Date().toISOString()} ${line}`) : (line) => io.out(line);
}

export const gatewayCheck: Command = {
  group: 'gateway',
  name: 'check',
  summary: 'check a site file and a host config against each other, print what the gateway would run, and exit',
  usage: '--site <file> [--config <file>] [--data <dir>] [--manifests <dir>]',
  flags: SITE_FLAGS,
  details: [
    'Runs the same preflight as `axon gateway run`: exit code 0 exactly when run with the same flags would start, 1 with',
    'every refusal listed otherwise (what, file and JSON path, fix). Warnings (a serial adapter not plugged in yet, a',
    'password over plain mqtt://, a password file others can read) are printed by both and stop neither. Reads only:',
    'safe to run next to a running gateway.',
  ].join('\n'),
  examples: ['axon gateway check --site /etc/axon/site.json --config /etc/axon/host.json --data /var/lib/axon'],

  async run({ flags }, io) {
    const { site, config } = runnableInputs(flags, io);
    io.out(`ok  site ${site.id} with ${flags.string('config') ?? 'no host config'}`);
    for (const bus of site.buses) io.out(`    bus ${bus.id} on ${config.buses?.[bus.id]?.port ?? bus.port}: ${bus.devices.length} devices`);
    for (const output of site.outputs ?? []) io.out(`    output ${output.id} ${describeHostOutput(output, config)}`);
    const uplink = site.uplink.kind === 'mqtt' ? ` ${redactCredentials(config.mqtt?.url ?? site.uplink.url)}` : site.uplink.kind === 'nbiot' ? ` via ${config.modem?.port ?? '?'}` : '';
    io.out(`    uplink ${site.uplink.kind}${uplink}`);
    return 0;
  },
};

export const gatewayRun: Command = {
  group: 'gateway',
  name: 'run',
  summary: 'run the gateway on this Raspberry Pi: poll the site\'s buses, raise alarms, batch and send, until stopped',
  usage: '--site <file> [--config <file>] [--data <dir>] [--report-every <s>] [--duration <s>] [--manifests <dir>]',
  flags: {
    ...SITE_FLAGS,
    'report-every': { type: 'string', value: '<s>', description: 'print a report line (polls, alarms, sent, log, uplink) every s seconds; 0 for never', default: '300' },
    duration: { type: 'string', value: '<s>', description: 'stop after s seconds (default: run until SIGTERM or Ctrl-C)' },
  },
  details: [
    'Logs to stdout, one line per alert, failed poll, send, uplink failure, downlink, port or uplink state change.',
    'SIGTERM or Ctrl-C stops cleanly: the pending batch goes into the log, acknowledgements are made durable, and',
    'the summary is printed (a second signal exits at once). A missing or unplugged serial port, a broker that is down',
    'or a modem without coverage do not stop the gateway: it polls what it can, raises local alarms and keeps the',
    'rest in its log; each link comes back by itself. Before starting it runs the preflight of `axon gateway check`;',
    'exit code 1 when that refuses the inputs or another gateway runs on the data directory.',
  ].join('\n'),
  examples: [
    'axon gateway run --site /etc/axon/site.json --config /etc/axon/host.json --data /var/lib/axon',
    'axon gateway run --site site.json --config host.json --data ./axon-data --report-every 60 --duration 600',
  ],

  async run({ flags }, io) {
    const { site, manifests, config, dataDir } = runnableInputs(flags, io);
    const reportEveryS = flags.int('report-every', { min: 0, max: 86_400, default: 300 });
    const durationText = flags.string('duration');
    const durationS = durationText === undefined ? undefined : parseInteger(durationText, '--duration', { min: 1, max: 31_536_000 }, 'gateway run');
    const log = stamp(io);
    const host = await startGatewayHost({ site, manifests, config, dataDir, log });
    for (const line of host.describe()) log(line);
    const report = reportEveryS > 0 ? setInterval(() => log(`report: ${host.report()}`), reportEveryS * 1000) : undefined;
    let deadline: NodeJS.Timeout | undefined;
    const why = await new Promise<string>((resolve) => {
      if (durationS !== undefined) deadline = setTimeout(() => resolve(`ran for ${durationS} s`), durationS * 1000);
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          // A second signal means "now": the log is crash-safe, so nothing durable is lost.
          process.once(signal, () => process.exit(130));
          resolve(signal);
        });
      }
    });
    clearInterval(report);
    clearTimeout(deadline);
    log(`${why}: stopping`);
    log(await host.stop());
    return 0;
  },
};
