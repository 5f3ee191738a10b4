/**
 * `axon gateway run` and `axon gateway check`: the production Raspberry Pi
 * gateway (firmware/rpi/host) on a site file and this Pi's host config. `run`
 * is what the systemd unit starts (docs/rpi-gateway.md): it logs one line per
 * event worth reading, a report line every --report-every seconds, and stops
 * cleanly on SIGTERM/SIGINT (batches flushed, acknowledgements durable).
 * `check` validates both files against each other and exits, for provisioning.
 */
import type { DeviceManifest } from '../../../drivers/devices/manifest.js';
import type { GatewayStats } from '../../../drivers/gateway/gateway.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { startGatewayHost } from '../../../firmware/rpi/host/gateway-host.js';
import type { HostConfig } from '../../../firmware/rpi/host/host-config.js';
import { createHostLog, DEFAULT_LOG_LEVEL, isLogLevel, LOG_LEVELS, type LogLevel } from '../../../firmware/rpi/host/host-log.js';
import { describeHostOutput } from '../../../firmware/rpi/host/host-outputs.js';
import { preflight, runnableConfig } from '../../../firmware/rpi/host/preflight.js';
import { statusSettings } from '../../../firmware/rpi/host/status/status-config.js';
import { redactCredentials } from '../../../firmware/rpi/mqtt/redact-credentials.js';
import { formatProblem } from '../../manifest/manifest-error.js';
import { parseInteger, UsageError, type FlagSpecs, type Flags } from '../args.js';
import type { Command, CommandIo } from '../command.js';
import { MANIFESTS_FLAG, siteInputs } from './site-inputs.js';

const DEFAULT_DATA_DIR = '/var/lib/axon';

/** Flags both commands take: check answers for exactly the inputs run would be given. */
const SITE_FLAGS: FlagSpecs = {
  site: { type: 'string', value: '<file>', description: 'the site file: buses, devices, rules, outputs, uplink (validated first)', required: true },
  config: { type: 'string', value: '<file>', description: "this Pi's host config: bus devices, GPIOs, uplink credentials, modem (docs/rpi-gateway.md)" },
  data: { type: 'string', value: '<dir>', description: 'data directory: the store-and-forward log, alarm state, channel table (one gateway per directory)', default: DEFAULT_DATA_DIR },
  manifests: MANIFESTS_FLAG,
  'log-level': { type: 'string', value: '<level>', description: `log records at this level and above: ${LOG_LEVELS.join(', ')}`, default: DEFAULT_LOG_LEVEL },
};

/** --log-level, checked by both commands (so check accepts exactly run's flags). */
function logLevel(flags: Flags, command: string): LogLevel {
  const level = flags.string('log-level') ?? DEFAULT_LOG_LEVEL;
  if (!isLogLevel(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${level}"`, command);
  return level;
}

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


/** The report's figures as fields of its log record, for jq and log pipelines. */
function reportFields(s: GatewayStats): Record<string, unknown> {
  return {
    polls: s.polls,
    failedPolls: s.failedPolls,
    samples: s.samples,
    framesSent: s.framesSent,
    alertsSent: s.alertsSent,
    pendingAlerts: s.store.pendingAlerts,
    pendingFrames: s.store.pendingReadings,
    droppedReadings: s.store.droppedReadings,
    uplinkState: s.uplink.state,
    activeAlarms: s.activeAlarms.length,
  };
}

export const gatewayCheck: Command = {
  group: 'gateway',
  name: 'check',
  summary: 'check a site file and a host config against each other, print what the gateway would run, and exit',
  usage: '--site <file> [--config <file>] [--data <dir>] [--manifests <dir>] [--log-level <level>]',
  flags: SITE_FLAGS,
  details: [
    'Runs the same preflight as `axon gateway run`: exit code 0 exactly when run with the same flags would start, 1 with',
    'every refusal listed otherwise (what, file and JSON path, fix). Warnings (a serial adapter not plugged in yet, a',
    'password over plain mqtt://, a password file others can read) are printed by both and stop neither. Reads only:',
    'safe to run next to a running gateway.',
  ].join('\n'),
  examples: ['axon gateway check --site /etc/axon/site.json --config /etc/axon/host.json --data /var/lib/axon'],

  async run({ flags }, io) {
    logLevel(flags, 'gateway check');
    const { site, config } = runnableInputs(flags, io);
    io.out(`ok  site ${site.id} with ${flags.string('config') ?? 'no host config'}`);
    for (const bus of site.buses) io.out(`    bus ${bus.id} on ${config.buses?.[bus.id]?.port ?? bus.port}: ${bus.devices.length} devices`);
    for (const output of site.outputs ?? []) io.out(`    output ${output.id} ${describeHostOutput(output, config)}`);
    const uplink = site.uplink.kind === 'mqtt' ? ` ${redactCredentials(config.mqtt?.url ?? site.uplink.url)}` : site.uplink.kind === 'nbiot' ? ` via ${config.modem?.port ?? '?'}` : site.uplink.kind === 'lorawan' ? ` ${site.uplink.region} via ${config.radio?.type ?? '?'}${config.radio !== undefined && 'spi' in config.radio ? ` on ${config.radio.spi}` : config.radio !== undefined && 'port' in config.radio ? ` on ${config.radio.port}` : ''}` : '';
    io.out(`    uplink ${site.uplink.kind}${uplink}${config.mqtt?.format === 'json' ? ' (JSON payloads)' : ''}`);
    const status = statusSettings(config);
    io.out(status === undefined ? '    status page off' : `    status page on ${status.listen.host}:${status.listen.port}${status.token === undefined ? '' : ' (token required)'}`);
    return 0;
  },
};

export const gatewayRun: Command = {
  group: 'gateway',
  name: 'run',
  summary: 'run the gateway on this Raspberry Pi: poll the site\'s buses, raise alarms, batch and send, until stopped',
  usage: '--site <file> [--config <file>] [--data <dir>] [--report-every <s>] [--duration <s>] [--log-level <level>] [--manifests <dir>]',
  flags: {
    ...SITE_FLAGS,
    'report-every': { type: 'string', value: '<s>', description: 'print a report line (polls, alarms, sent, log, uplink) every s seconds; 0 for never', default: '300' },
    duration: { type: 'string', value: '<s>', description: 'stop after s seconds (default: run until SIGTERM or Ctrl-C)' },
  },
  details: [
    'Logs to stdout, one record per alert, failed poll (with its reason: timeout, CRC, exception, late reply), send,',
    'uplink failure, downlink, port or uplink state change: JSON lines with level, time and event fields (for',
    'journald, jq, Loki), or coloured text when stdout is a terminal. --log-level warn keeps only what went wrong.',
    'The status page (live readings, alarms with an Acknowledge button, uplink, store backlog, buses) and /metrics',
    'listen on 127.0.0.1:8080 unless the host config says otherwise ("status": {"listen": …, "token": …}).',
    'SIGTERM or Ctrl-C stops cleanly: the pending batch goes into the log, acknowledgements are made durable, and',
    'the summary is printed (a second signal exits at once). A missing or unplugged serial port, a broker that is down',
    'or a modem without coverage do not stop the gateway: it polls what it can, raises local alarms and keeps the',
    'rest in its log; each link comes back by itself. Before starting it runs the preflight of `axon gateway check`;',
    'exit code 1 when that refuses the inputs or another gateway runs on the data directory.',
  ].join('\n'),
  examples: [
    'axon gateway run --site /etc/axon/site.json --config /etc/axon/host.json --data /var/lib/axon',
    'axon gateway run --site site.json --config host.json --data ./axon-data --report-every 60 --duration 600',
    'axon gateway run --site site.json --config host.json --log-level warn | jq -r \'select(.event == "poll-failed") | .msg\'',
  ],

  async run({ flags }, io) {
    const { site, manifests, config, dataDir } = runnableInputs(flags, io);
    const reportEveryS = flags.int('report-every', { min: 0, max: 86_400, default: 300 });
    const durationText = flags.string('duration');
    const durationS = durationText === undefined ? undefined : parseInteger(durationText, '--duration', { min: 1, max: 31_536_000 }, 'gateway run');
    const log = await createHostLog({ level: logLevel(flags, 'gateway run'), pretty: process.stdout.isTTY === true, write: (line) => io.out(line), base: { gateway: config.gatewayId ?? site.id } });
    const host = await startGatewayHost({ site, manifests, config, dataDir, log });
    for (const line of host.describe()) log.info('start', line);
    const report = reportEveryS > 0 ? setInterval(() => log.info('report', `report: ${host.report()}`, reportFields(host.gateway.stats())), reportEveryS * 1000) : undefined;
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
    log.info('stop', `${why}: stopping`);
    log.info('stop', await host.stop());
    return 0;
  },
};
