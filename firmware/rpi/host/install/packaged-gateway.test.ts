/**
 * The gateway as a Pi user installs it, not as a clone runs it:
 *  1. `npm pack` (which builds dist/), then the tarball installed globally into
 *     an empty prefix with --omit=dev: no tsx, no simulators' dev packages;
 *  2. the installed `axon --version` and `axon gateway check` work, and
 *     `--version` loads no command module at all;
 *  3. `axon gateway install --root` stages the unit, the service user, the data
 *     directory and the config templates;
 *     a fleet simulation (JSON modules, worker threads) runs from the package;
 *  4. the unit's own ExecStart line (paths mapped into the staging root) runs
 *     the gateway on a simulated bus over a socat pty and a real Mosquitto:
 *     readings arrive, SIGTERM reaches the gateway (no npx in between) and it
 *     stops cleanly; the run never loads a simulator module or lora-packet.
 * The modules each process loads are recorded by a resolve hook (module.register).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { demoSubset } from '../../../../drivers/gateway/test-support.js';
import { CliProcess, REPO_ROOT } from '../../../../sdk/cli/test-kit.js';
import { startMosquitto } from '../../mqtt/test-brokers.js';
import { FarSide, until } from '../test-support.js';
import { GATEWAY_NODE_FLAGS } from './node-flags.js';

const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const USER = { username: 'pi-packaged', password: 'cabinet-4' };

/** A resolve hook that appends every module URL a process loads to `log`. */
function moduleRecorder(dir: string): { importFlag: string; loaded(): string[] } {
  const log = path.join(dir, 'loaded.txt');
  writeFileSync(path.join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const result = await next(specifier, context);',
    `  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');`,
    '  return result;',
    '}',
  ].join('\n'));
  writeFileSync(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
  return {
    importFlag: `--import=${path.join(dir, 'register.mjs')}`,
    loaded: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((line) => line !== '') : []),
  };
}

/** npm install of the tarball: from npm's cache when it has everything (CI ran `npm ci`), else from the registry. */
async function installTarball(tarball: string, prefix: string): Promise<void> {
  const base = ['install', '--global', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', tarball];
  try {
    await run('npm', [...base, '--offline'], { cwd: os.tmpdir(), timeout: 600_000 });
  } catch {
    await run('npm', [...base, '--prefer-offline'], { cwd: os.tmpdir(), timeout: 600_000 });
  }
}

test('packed and installed without dev dependencies: axon runs compiled, installs a systemd unit, and that unit runs the gateway', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-packaged-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // 1. Pack (prepack builds dist/) and install into an empty prefix.
  const { stdout: packed } = await run('npm', ['pack', '--pack-destination', dir], { cwd: REPO_ROOT, timeout: 300_000 });
  const tarball = path.join(dir, packed.trim().split('\n').at(-1) ?? '');
  t.true(existsSync(tarball), `npm pack wrote ${tarball}`);
  const prefix = path.join(dir, 'prefix');
  await installTarball(tarball, prefix);
  const pkgRoot = path.join(prefix, 'lib/node_modules/axon-iot');
  const axon = path.join(prefix, 'bin/axon');
  t.true(existsSync(path.join(pkgRoot, 'LICENSE')), 'the LICENSE ships');
  t.false(existsSync(path.join(pkgRoot, 'node_modules/tsx')), 'no TypeScript loader in a production install');
  t.false(existsSync(path.join(pkgRoot, 'sdk')), 'only dist/ ships, not the TypeScript sources');

  // 2. --version: compiled, and no command module is loaded for it.
  const recorder = moduleRecorder(dir);
  const version = await run(process.execPath, [recorder.importFlag, axon, '--version'], { cwd: dir });
  t.is(version.stdout.trim(), VERSION);
  t.deepEqual(recorder.loaded().filter((url) => url.includes('/commands/')), [], '--version loads no command');

  // The simulators ship too: a fleet run loads JSON modules (the demo site) and worker threads from dist/.
  const fleet = await run(axon, ['fleet', 'sim', '--gateways', '2', '--hours', '1', '--workers', '2', '--json'], { cwd: dir, timeout: 300_000 });
  t.is((JSON.parse(fleet.stdout) as { gateways: number }).gateways, 2);

  // The far side of the bus and the broker, for check and run.
  const broker = await startMosquitto(USER);
  t.teardown(() => broker.close());
  const site = demoSubset(['underpass-longhua', 'smoke-pump-room']);
  for (const device of site.buses[0].devices) device.pollPeriodS = 2;
  site.uplink = { kind: 'mqtt', url: broker.url };
  const gatewayLink = path.join(dir, 'ttyRS485');
  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'));
  t.teardown(() => far.close());
  await far.plugIn();

  // 3. Stage the service under a root, as an image builder would.
  const root = path.join(dir, 'root');
  const install = await run(axon, ['gateway', 'install', '--root', root], { cwd: dir });
  t.regex(install.stdout, /wrote \/etc\/systemd\/system\/axon-gateway\.service/);
  const unit = readFileSync(path.join(root, 'etc/systemd/system/axon-gateway.service'), 'utf8');
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.split(' ') ?? [];
  t.false(unit.includes('npx'), 'the unit runs node itself, not npx');
  t.true(path.isAbsolute(execStart[0] ?? ''), 'ExecStart names node by absolute path');
  const flags = GATEWAY_NODE_FLAGS.length;
  t.deepEqual(execStart.slice(1, 1 + flags), [...GATEWAY_NODE_FLAGS], 'ExecStart gives node the flags the bench measured');
  t.is(execStart[1 + flags], path.join(pkgRoot, 'dist/sdk/cli/bin/axon.js'), 'ExecStart runs the installed compiled CLI');
  t.regex(unit, /^User=axon$/m);
  t.regex(readFileSync(path.join(root, 'usr/lib/sysusers.d/axon-gateway.conf'), 'utf8'), /^u axon - "Axon edge gateway" \/var\/lib\/axon$/m);
  t.is(statSync(path.join(root, 'var/lib/axon')).mode & 0o777, 0o700, 'data directory 0700');
  t.is(statSync(path.join(root, 'etc/axon/host.json')).mode & 0o777, 0o640, 'host config 0640');
  const template = JSON.parse(readFileSync(path.join(root, 'etc/axon/site.json'), 'utf8')) as { $schema: string };
  t.true(existsSync(template.$schema), 'the template links the installed site schema');

  // The installer edits the templates for this site: the bus on the pty, the broker and credentials.
  const passwordFile = path.join(root, 'etc/axon/mqtt-password');
  writeFileSync(passwordFile, `${USER.password}\n`, { mode: 0o600 });
  writeFileSync(path.join(root, 'etc/axon/site.json'), JSON.stringify(site, null, 2));
  // GPIO as a sysfs-shaped directory of the test's own (a real Pi's lines are not here).
  const gpioRoot = path.join(dir, 'gpio');
  const gpio = { 'barrier-relay': 529, 'warning-light': 539, buzzer: 534 };
  for (const line of Object.values(gpio)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  writeFileSync(path.join(root, 'etc/axon/host.json'), JSON.stringify({
    gatewayId: USER.username,
    outputs: Object.fromEntries(Object.entries(gpio).map(([id, line]) => [id, { gpio: line }])),
    gpioRoot,
    buses: { [site.buses[0].id]: { port: gatewayLink, reopenMs: 300 } },
    mqtt: { url: broker.url, username: USER.username, passwordFile },
    gateway: { flushEveryMs: 2000, statusEveryMs: 600_000 },
  }, null, 2), { mode: 0o640 });
  const staged = (word: string) => (word.startsWith('/etc/axon') || word.startsWith('/var/lib/axon') ? path.join(root, word) : word);
  const check = await run(axon, ['gateway', 'check', ...execStart.slice(4 + flags).map(staged)], { cwd: dir });
  t.regex(check.stdout, /^ok {2}site /m);

  // 4. The unit's command line, as systemd would run it.
  const cloud = await mqtt.connectAsync(broker.url, { ...USER, clientId: 'cloud' });
  t.teardown(() => cloud.endAsync(true));
  let messages = 0;
  cloud.on('message', () => messages++);
  await cloud.subscribeAsync(`axon/${USER.username}/up/+`, { qos: 1 });
  const runRecorder = moduleRecorder(mkdtempSync(path.join(dir, 'run-')));
  const [node, ...args] = execStart.map(staged);
  const gateway = new CliProcess([...args.slice(1), '--report-every', '2'], { launcher: [node ?? process.execPath, runRecorder.importFlag, args[0] ?? ''], cwd: dir });
  t.teardown(() => gateway.stop());
  await gateway.waitFor(/report: [1-9]\d* polls/);
  await until(() => messages > 0, 'an uplink at the broker', 30_000, () => gateway.stdout + gateway.stderr);
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  t.is(exit.code, 0, gateway.stderr);
  t.regex(gateway.stdout, /SIGTERM: stopping/);
  const loaded = runRecorder.loaded();
  t.true(loaded.some((url) => url.includes('/commands/gateway.js')), 'the recorder saw the gateway load');
  t.deepEqual(loaded.filter((url) => url.includes('/simulators/') || url.includes('lora-packet') || url.includes('/commands/fleet')), [], 'gateway run loads no simulator');
});
