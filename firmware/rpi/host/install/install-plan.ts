/**
 * What `axon gateway install` puts on a Pi: a systemd unit that starts the
 * compiled gateway with node itself (no npx: npx adds a 70 MB `npm exec`
 * process and does not pass SIGTERM on), the service user as a sysusers.d
 * entry, a 0700 data directory and the two config templates.
 *
 * The plan is data: paths as they are on the target system and each file's
 * content and mode. Writing it under a staging root (`--root`, like DESTDIR)
 * is the command's job; tests read the plan and the files it wrote.
 */
import path from 'node:path';
import { GATEWAY_NODE_FLAGS } from './node-flags.js';

export interface InstallOptions {
  /** Absolute path of the node binary the unit runs. */
  node: string;
  /** Absolute path of the installed package's compiled CLI (dist/sdk/cli/bin/axon.js). */
  entry: string;
  /** The installed package's root, for the templates' $schema links. */
  packageRoot: string;
  user: string;
  /** Supplementary groups of the service user: serial adapters, GPIO, SPI. */
  groups: readonly string[];
  configDir: string;
  dataDir: string;
  service: string;
}

export interface PlannedFile {
  path: string;
  content: string;
  mode: number;
  /** Config the installer edits: written once, never overwritten by a reinstall or an update. */
  keepExisting: boolean;
}

export interface InstallPlan {
  files: PlannedFile[];
  dirs: Array<{ path: string; mode: number }>;
  unitPath: string;
  /** The unit's ExecStart, as an argument vector. */
  command: string[];
}

export const INSTALL_DEFAULTS = {
  user: 'axon',
  groups: ['dialout', 'gpio', 'spi'],
  configDir: '/etc/axon',
  dataDir: '/var/lib/axon',
  service: 'axon-gateway',
} as const;

/** systemd quotes arguments with spaces; ours are paths chosen by the installer, so refuse what would need quoting. */
function unitArgument(value: string): string {
  if (!/^[A-Za-z0-9_./:@+=,-]+$/.test(value)) throw new Error(`"${value}" cannot stand in a systemd ExecStart line unquoted; choose a path of letters, digits and ./_-`);
  return value;
}

export function installPlan(options: InstallOptions, templates: { site: string; host: string }): InstallPlan {
  const site = path.posix.join(options.configDir, 'site.json');
  const host = path.posix.join(options.configDir, 'host.json');
  const command = [options.node, ...GATEWAY_NODE_FLAGS, options.entry, 'gateway', 'run', '--site', site, '--config', host, '--data', options.dataDir].map(unitArgument);
  const unitPath = `/etc/systemd/system/${options.service}.service`;
  // StateDirectory= makes systemd create and own the data directory with 0700 at every start, and
  // ProtectSystem=strict leaves it the only writable place; the gateway tightens its files to 0600 itself.
  const stateDirectory = options.dataDir.startsWith('/var/lib/') ? options.dataDir.slice('/var/lib/'.length) : undefined;
  const unit = [
    '[Unit]',
    `Description=Axon edge gateway (${site})`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${options.user}`,
    `Group=${options.user}`,
    `ExecStart=${command.join(' ')}`,
    'Environment=NODE_ENV=production',
    // One clean stop: the pending batch goes into the log and acknowledgements are made durable (docs/rpi-gateway.md).
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'Restart=on-failure',
    'RestartSec=5',
    ...(stateDirectory === undefined ? [`ReadWritePaths=${options.dataDir}`] : [`StateDirectory=${stateDirectory}`, 'StateDirectoryMode=0700']),
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  const sysusers = [
    `# The ${options.service} service user (systemd-sysusers creates it; members of the groups that own serial, GPIO and SPI devices).`,
    `u ${options.user} - "Axon edge gateway" ${options.dataDir}`,
    ...options.groups.map((group) => `m ${options.user} ${group}`),
    '',
  ].join('\n');
  return {
    unitPath,
    command,
    dirs: [
      { path: options.configDir, mode: 0o755 },
      { path: options.dataDir, mode: 0o700 },
    ],
    files: [
      { path: unitPath, content: unit, mode: 0o644, keepExisting: false },
      { path: `/usr/lib/sysusers.d/${options.service}.conf`, content: sysusers, mode: 0o644, keepExisting: false },
      { path: site, content: withSchema(templates.site, path.posix.join(options.packageRoot, 'dist/manifests/schema/site.schema.json')), mode: 0o644, keepExisting: true },
      { path: host, content: withSchema(templates.host, path.posix.join(options.packageRoot, 'dist/firmware/rpi/host/host-config.schema.json')), mode: 0o640, keepExisting: true },
    ],
  };
}

/** The examples' relative $schema links would dangle in /etc/axon: point them at the installed schemas. */
function withSchema(template: string, schemaPath: string): string {
  const json = JSON.parse(template) as Record<string, unknown>;
  return JSON.stringify({ ...json, $schema: schemaPath }, null, 2) + '\n';
}
