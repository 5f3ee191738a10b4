/** The install plan and how `axon gateway install` writes it, without packing (packaged-gateway.test.ts does the whole path). */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writePlan } from '../../../../sdk/cli/commands/gateway-install.js';
import { INSTALL_DEFAULTS, installPlan, type InstallOptions } from './install-plan.js';

const TEMPLATES = { site: '{"$schema":"../x.json","id":"s"}', host: '{"$schema":"../y.json","gatewayId":"g"}' };
const OPTIONS: InstallOptions = { ...INSTALL_DEFAULTS, node: '/usr/bin/node', entry: '/usr/lib/node_modules/axon-iot/dist/sdk/cli/bin/axon.js', packageRoot: '/usr/lib/node_modules/axon-iot' };

test('the unit runs node on the compiled CLI with the site, config and data directory; systemd owns the 0700 state directory', (t) => {
  const plan = installPlan(OPTIONS, TEMPLATES);
  t.deepEqual(plan.command, ['/usr/bin/node', '--max-semi-space-size=2', OPTIONS.entry, 'gateway', 'run', '--site', '/etc/axon/site.json', '--config', '/etc/axon/host.json', '--data', '/var/lib/axon']);
  const unit = plan.files.find((f) => f.path === plan.unitPath)?.content ?? '';
  t.regex(unit, /^StateDirectory=axon$/m);
  t.regex(unit, /^StateDirectoryMode=0700$/m);
  t.regex(unit, /^KillSignal=SIGTERM$/m);
  const sysusers = plan.files.find((f) => f.path.startsWith('/usr/lib/sysusers.d/'))?.content ?? '';
  t.deepEqual(sysusers.split('\n').filter((l) => l.startsWith('m ')), ['m axon dialout', 'm axon gpio', 'm axon spi']);
  const site = JSON.parse(plan.files.find((f) => f.path === '/etc/axon/site.json')?.content ?? '{}') as { $schema: string; id: string };
  t.is(site.$schema, '/usr/lib/node_modules/axon-iot/dist/manifests/schema/site.schema.json');
  t.is(site.id, 's');
});

test('a data directory outside /var/lib is made writable with ReadWritePaths; a path systemd would need quoted is refused', (t) => {
  const unit = installPlan({ ...OPTIONS, dataDir: '/srv/axon-data' }, TEMPLATES).files[0]?.content ?? '';
  t.regex(unit, /^ReadWritePaths=\/srv\/axon-data$/m);
  t.notRegex(unit, /StateDirectory/);
  t.throws(() => installPlan({ ...OPTIONS, configDir: '/etc/my axon' }, TEMPLATES), { message: /cannot stand in a systemd ExecStart line/ });
});

test('a reinstall refreshes the unit and keeps the config the installer edited', (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'axon-install-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const plan = installPlan(OPTIONS, TEMPLATES);
  const first = writePlan(plan, root);
  t.is(first.written.length, 4);
  t.is(statSync(path.join(root, 'var/lib/axon')).mode & 0o777, 0o700);
  t.is(statSync(path.join(root, 'var/lib')).mode & 0o777, 0o755, 'parents keep ordinary modes');
  writeFileSync(path.join(root, 'etc/axon/site.json'), '{"edited":true}');
  writeFileSync(path.join(root, plan.unitPath), 'stale');
  const second = writePlan(plan, root);
  t.deepEqual(second.kept, ['/etc/axon/site.json', '/etc/axon/host.json']);
  t.is(readFileSync(path.join(root, 'etc/axon/site.json'), 'utf8'), '{"edited":true}');
  t.not(readFileSync(path.join(root, plan.unitPath), 'utf8'), 'stale');
});
