/**
 * Secrets stay secret, over a full run with the harness of gateway-run.test.ts
 * (the launcher as a child process, the bus a socat pty with simulated devices,
 * a real Mosquitto with a password file). The host config carries the
 * password in the broker URL (the worst place for it), TLS with a client
 * certificate and its key, and a key for signed downlinks.
 *
 * Everything a run shows is collected: every log line, warning and error of
 * `check` and `run`, report and stop lines, a connection refused for a wrong
 * password, the diagnosis of a second gateway with the same gateway id taking
 * the session over, every `--help`, and every file of the data directories.
 * The password, the downlink key and every line of the client key must occur
 * 0 times in all of it.
 */
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { CliProcess, runCli, type CliResult } from '../../../sdk/cli/test-kit.js';
import { startMosquitto } from '../mqtt/test-brokers.js';
import { fixtureCertificate } from './preflight-fixture.js';
import { FarSide, until } from './test-support.js';

const GATEWAY_ID = 'pi-secret-01';
const USER = { username: GATEWAY_ID, password: 'Lantern-7xQ-pump' };
const DEVICES = ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'];
const GPIO = { 'barrier-relay': 517, 'warning-light': 539, buzzer: 534 } as const;
/** The key that signs downlinks (docs/mqtt.md), 32 bytes as hex. */
const DOWNLINK_KEY = '5be1c0ffee0d15ea5e5eed5a1ad5a1ad0c0ffee5be1c0ffee0d15ea5e5eed5a1';

/** Every file under `dir`, as text (binary files too: a key or password would be bytes of text). */
function filesUnder(dir: string): Array<{ file: string; text: string; mode: number }> {
  const out: Array<{ file: string; text: string; mode: number }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(file));
    else if (entry.isFile()) out.push({ file, text: readFileSync(file).toString('latin1'), mode: statSync(file).mode & 0o777 });
  }
  return out;
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** What the steps below share: one broker, one site, the files, and everything shown so far. */
interface Run {
  dir: string;
  port: string;
  key: string;
  siteFile: string;
  configFile: string;
  wrongFile: string;
  twinFile: string;
  dataDir: string;
  twinData: string;
  delivered: number;
  shown: Array<{ what: string; text: string }>;
  gateway?: CliProcess;
  cleanups: Array<() => unknown>;
}

let run: Run;

function keep(what: string, result: CliResult | CliProcess): void {
  run.shown.push({ what: `${what} stdout`, text: result.stdout }, { what: `${what} stderr`, text: result.stderr });
}

function files(config: string, data: string): string[] {
  return ['--site', run.siteFile, '--config', config, '--data', data];
}

test.before(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-secrets-'));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  const { cert, key } = fixtureCertificate();
  const broker = await startMosquitto(USER, { tls: { cert, key } });
  cleanups.unshift(() => broker.close());
  const port = new URL(broker.url).port;

  const site = demoSubset(DEVICES);
  site.buses[0].port = 'sim:not-on-this-pi';
  for (const device of site.buses[0].devices) device.pollPeriodS = 2;
  site.uplink = { kind: 'mqtt', url: 'mqtts://192.0.2.1:8883' };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));

  const gpioRoot = path.join(dir, 'gpio');
  for (const line of Object.values(GPIO)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  writeFileSync(path.join(dir, 'ca.pem'), cert);
  writeFileSync(path.join(dir, 'client.pem'), cert);
  writeFileSync(path.join(dir, 'client.key'), key, { mode: 0o600 });
  writeFileSync(path.join(dir, 'downlink.key'), `${DOWNLINK_KEY}\n`, { mode: 0o600 });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const hostConfig = (url: string, gpio = gpioRoot, busPort = gatewayLink) => ({
    gatewayId: GATEWAY_ID,
    buses: { [site.buses[0].id]: { port: busPort, reopenMs: 300 } },
    outputs: Object.fromEntries(Object.entries(GPIO).map(([id, gpio]) => [id, { gpio }])),
    gpioRoot: gpio,
    mqtt: { url, caFile: path.join(dir, 'ca.pem'), certFile: path.join(dir, 'client.pem'), keyFile: path.join(dir, 'client.key'), downlinkKeyFile: path.join(dir, 'downlink.key') },
    gateway: { flushEveryMs: 3000, statusEveryMs: 600_000 },
  });
  const write = (name: string, url: string, gpio?: string, busPort?: string) => {
    writeFileSync(path.join(dir, name), JSON.stringify(hostConfig(url, gpio, busPort), null, 2), { mode: 0o600 });
    return path.join(dir, name);
  };
  const brokerWith = (password: string) => `mqtts://${USER.username}:${password}@127.0.0.1:${port}`;
  // A second gateway given the same gateway id by mistake: its own data, GPIO tree and (absent) bus adapter.
  const twinGpio = path.join(dir, 'gpio-twin');
  cpSync(gpioRoot, twinGpio, { recursive: true });

  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'));
  cleanups.unshift(() => far.close());
  await far.plugIn();
  const cloud = await mqtt.connectAsync(broker.url, { username: USER.username, password: USER.password, clientId: 'cloud', ca: cert });
  cleanups.unshift(() => cloud.endAsync(true));
  cloud.on('message', () => run.delivered++);
  await cloud.subscribeAsync(`axon/${GATEWAY_ID}/up/+`, { qos: 1 });
  run = {
    dir,
    port,
    key,
    siteFile,
    configFile: write('host.json', brokerWith(USER.password)),
    wrongFile: write('wrong.json', brokerWith(`${USER.password}-old`)),
    twinFile: write('twin.json', brokerWith(USER.password), twinGpio, path.join(dir, 'ttyTwin')),
    dataDir: path.join(dir, 'data'),
    twinData: path.join(dir, 'data-twin'),
    delivered: 0,
    shown: [],
    cleanups,
  };
});

test.after.always(async () => {
  await run?.gateway?.stop();
  for (const cleanup of run?.cleanups ?? []) await cleanup();
});

test.serial('--help of axon, the gateway group and both commands', async (t) => {
  const helps = [['--help'], ['gateway', '--help'], ['gateway', 'run', '--help'], ['gateway', 'check', '--help']];
  const results = await Promise.all(helps.map((help) => runCli(help)));
  results.forEach((result, i) => keep(helps[i].join(' '), result));
  t.true(results.every((result) => result.code === 0));
});

test.serial('check: the URL shown with its password masked, a warning about where the password is', async (t) => {
  const check = await runCli(['gateway', 'check', ...files(run.configFile, run.dataDir)]);
  keep('check', check);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.regex(check.stdout, new RegExp(`uplink mqtt mqtts://${USER.username}:\\*\\*\\*@127\\.0\\.0\\.1:${run.port}`), 'the URL is shown, its password masked');
  t.regex(check.stderr, /warning: .*host\.json \$\.mqtt\.url: the broker URL carries a password/);
});

test.serial('run: connected (URL masked), readings delivered, report lines', async (t) => {
  const gateway = new CliProcess(['gateway', 'run', ...files(run.configFile, run.dataDir), '--report-every', '2']);
  run.gateway = gateway;
  await gateway.waitFor(new RegExp(`uplink: MQTT connected to mqtts://${USER.username}:\\*\\*\\*@127\\.0\\.0\\.1`), 60_000);
  await until(() => run.delivered >= 3, 'uplinks at the broker', 60_000, () => gateway.stdout + gateway.stderr);
  await gateway.waitFor(/report: /, 30_000);
  t.pass();
});

test.serial('a wrong password: the refusal names the URL, masked', async (t) => {
  const wrong = await runCli(['gateway', 'run', ...files(run.wrongFile, path.join(run.dir, 'data-wrong')), '--report-every', '1', '--duration', '4'], 60_000);
  keep('run with a wrong password', wrong);
  t.regex(wrong.stdout, /uplink: could not connect to the MQTT broker: .*Not authorized.* \(at mqtts:\/\/pi-secret-01:\*\*\*@127\.0\.0\.1:\d+\)/);
});

test.serial('a second gateway with the same gateway id: both say why they keep dropping', async (t) => {
  const gateway = run.gateway as CliProcess;
  const twin = new CliProcess(['gateway', 'run', ...files(run.twinFile, run.twinData), '--report-every', '0']);
  const takeover = /uplink: another MQTT client connected with this gateway's client id axon-pi-secret-01 and took its session over .*Fix: give every gateway its own gatewayId/;
  try {
    await Promise.all([gateway.waitFor(takeover, 90_000), twin.waitFor(takeover, 90_000)]);
  } finally {
    twin.child.kill('SIGTERM');
    await twin.exited;
    keep('twin', twin);
  }
  t.pass();
});

test.serial('stopped: the data directories are private (0700, files 0600); the password and the keys occur 0 times anywhere', async (t) => {
  const gateway = run.gateway as CliProcess;
  gateway.child.kill('SIGTERM');
  t.is((await gateway.exited).code, 0, gateway.stdout + gateway.stderr);
  t.regex(gateway.stdout, /stopped: /);
  keep('run', gateway);
  for (const data of [run.dataDir, run.twinData]) {
    t.is(statSync(data).mode & 0o777, 0o700, `${data} is 0700`);
    for (const f of filesUnder(data)) {
      t.is(f.mode, 0o600, `${f.file} is 0600`);
      run.shown.push({ what: f.file, text: f.text });
    }
  }
  const secrets = [USER.password, DOWNLINK_KEY, DOWNLINK_KEY.toUpperCase(), ...run.key.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'))];
  t.true(readFileSync(run.configFile, 'utf8').includes(USER.password), 'the password searched for is the configured one');
  const found = run.shown.flatMap(({ what, text }) => secrets.filter((secret) => text.includes(secret)).map((secret) => `${what}: ${occurrences(text, secret)}x ${secret.slice(0, 6)}...`));
  t.deepEqual(found, [], 'the password and the keys appear nowhere');
  t.log(`searched ${run.shown.length} outputs and files (${run.shown.reduce((n, s) => n + s.text.length, 0)} characters) for ${secrets.length} secrets: 0 occurrences`);
});
