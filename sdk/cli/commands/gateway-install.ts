/**
 * `axon gateway install`: puts the gateway on a Pi as a systemd service
 * (firmware/rpi/host/install/install-plan.ts). `--root` stages it under another
 * directory, as packagers' DESTDIR does; the paths inside the files stay the
 * target system's.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxonError } from '../../../drivers/errors.js';
import { INSTALL_DEFAULTS, installPlan, type InstallPlan } from '../../../firmware/rpi/host/install/install-plan.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';

/** The compiled CLI this install will run, and the package it belongs to. */
function installedPackage(): { entry: string; packageRoot: string } {
  const compiled = import.meta.url.endsWith('.js');
  // Compiled: <package>/dist/sdk/cli/commands/gateway-install.js. From a clone: <repo>/sdk/cli/commands/gateway-install.ts.
  const packageRoot = fileURLToPath(new URL(compiled ? '../../../../' : '../../../', import.meta.url));
  const entry = path.join(packageRoot, 'dist/sdk/cli/bin/axon.js');
  if (!existsSync(entry)) {
    throw new AxonError('INSTALL_NOT_BUILT', `gateway install: ${entry} does not exist, and the service must run compiled JavaScript`, {
      fix: `run \`npm run build\` in ${packageRoot} first, or install the package (\`npm install -g axon-iot\`) and run its \`axon gateway install\``,
    });
  }
  return { entry: realpathSync(entry), packageRoot: realpathSync(packageRoot).replace(/\/$/, '') };
}

function template(name: 'site' | 'host'): string {
  return readFileSync(new URL(`../../../firmware/rpi/host/examples/${name}.json`, import.meta.url), 'utf8');
}

function absolute(flag: string, value: string): string {
  if (!path.isAbsolute(value)) throw new UsageError(`--${flag} must be an absolute path on the target system, got "${value}"`, 'gateway install');
  return path.posix.normalize(value).replace(/(.)\/+$/, '$1'); // '/etc/axon/' names the same directory as '/etc/axon'
}

export interface InstallResult {
  plan: InstallPlan;
  written: string[];
  kept: string[];
}

/** Write the plan under `root`: directories with their modes, config only where none exists yet. */
export function writePlan(plan: InstallPlan, root: string): InstallResult {
  const staged = (target: string) => path.join(root, target);
  const written: string[] = [];
  const kept: string[] = [];
  for (const dir of plan.dirs) {
    // Only the directory itself gets the mode: /var and /var/lib made on the way stay world-readable.
    mkdirSync(path.dirname(staged(dir.path)), { recursive: true });
    if (!existsSync(staged(dir.path))) mkdirSync(staged(dir.path));
    chmodSync(staged(dir.path), dir.mode);
  }
  for (const file of plan.files) {
    const target = staged(file.path);
    if (file.keepExisting && existsSync(target)) {
      kept.push(file.path);
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.mode });
    chmodSync(target, file.mode);
    written.push(file.path);
  }
  return { plan, written, kept };
}

export const gatewayInstall: Command = {
  group: 'gateway',
  name: 'install',
  summary: 'install the gateway as a systemd service: unit (node, no npx), service user, 0700 data directory, config templates',
  usage: '[--root <dir>] [--user <name>] [--groups <list>] [--config-dir <dir>] [--data <dir>] [--node <path>] [--service <name>] [--dry-run]',
  flags: {
    root: { type: 'string', value: '<dir>', description: 'stage everything under this directory (an image being built, a package); paths inside the files stay the target\'s', default: '/' },
    user: { type: 'string', value: '<name>', description: 'the service user (created by systemd-sysusers)', default: INSTALL_DEFAULTS.user },
    groups: { type: 'string', value: '<list>', description: 'comma-separated supplementary groups: serial adapters, GPIO, SPI', default: INSTALL_DEFAULTS.groups.join(',') },
    'config-dir': { type: 'string', value: '<dir>', description: 'where site.json and host.json live', default: INSTALL_DEFAULTS.configDir },
    data: { type: 'string', value: '<dir>', description: 'the data directory (store-and-forward log, alarm state), 0700', default: INSTALL_DEFAULTS.dataDir },
    node: { type: 'string', value: '<path>', description: 'the node binary the unit runs', default: 'this node' },
    service: { type: 'string', value: '<name>', description: 'the unit\'s name', default: INSTALL_DEFAULTS.service },
    'dry-run': { type: 'boolean', description: 'print the files and the unit\'s command line, write nothing' },
  },
  details: [
    'Writes /etc/systemd/system/<service>.service (ExecStart runs node on the compiled CLI directly, so SIGTERM reaches the',
    'gateway and no npm process sits beside it), /usr/lib/sysusers.d/<service>.conf (the user and its groups),',
    'the data directory (0700) and <config-dir>/site.json and host.json from the examples. Existing config files are',
    'kept: run it again after an update to refresh the unit. It enables nothing; it prints the commands that do.',
  ].join('\n'),
  examples: [
    'sudo axon gateway install',
    'axon gateway install --root /tmp/pi-image --dry-run',
  ],

  async run({ flags }, io) {
    const root = path.resolve(flags.string('root') ?? '/');
    const { entry, packageRoot } = installedPackage();
    const groups = (flags.string('groups') ?? INSTALL_DEFAULTS.groups.join(',')).split(',').map((g) => g.trim()).filter((g) => g !== '');
    for (const group of groups) if (!/^[a-z_][a-z0-9_-]*$/.test(group)) throw new UsageError(`--groups: "${group}" is not a group name`, 'gateway install');
    const user = flags.string('user') ?? INSTALL_DEFAULTS.user;
    const service = flags.string('service') ?? INSTALL_DEFAULTS.service;
    const configDir = absolute('config-dir', flags.string('config-dir') ?? INSTALL_DEFAULTS.configDir);
    if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new UsageError(`--user: "${user}" is not a user name`, 'gateway install');
    const plan = installPlan({
      node: absolute('node', flags.string('node') ?? realpathSync(process.execPath)),
      entry,
      packageRoot,
      user,
      groups,
      configDir,
      dataDir: absolute('data', flags.string('data') ?? INSTALL_DEFAULTS.dataDir),
      service,
    }, { site: template('site'), host: template('host') });

    if (flags.bool('dry-run')) {
      for (const dir of plan.dirs) io.out(`dir   ${dir.path} (${dir.mode.toString(8)})`);
      for (const file of plan.files) io.out(`file  ${file.path} (${file.mode.toString(8)})${file.keepExisting ? ', kept if present' : ''}`);
      io.out(`ExecStart=${plan.command.join(' ')}`);
      return 0;
    }
    const result = writePlan(plan, root);
    const where = root === '/' ? '' : ` under ${root}`;
    for (const file of result.written) io.out(`wrote ${file}${where}`);
    for (const file of result.kept) io.out(`kept  ${file}${where} (already there; delete it to get the template again)`);
    io.out([
      '',
      'Next:',
      '  sudo systemd-sysusers                       # creates the service user and its group memberships',
      `  sudo chgrp ${user} ${configDir}/host.json   # 0640: the service reads it, other users do not`,
      `  sudoedit ${configDir}/site.json ${configDir}/host.json`,
      `  axon gateway check --site ${configDir}/site.json --config ${configDir}/host.json`,
      `  sudo systemctl daemon-reload && sudo systemctl enable --now ${service}`,
      `  journalctl -u ${service} -f`,
    ].join('\n'));
    return 0;
  },
};
