/**
 * The status page of a real `axon gateway run`, in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core): the gateway runs as a child
 * process on a socat pty with simulated devices (one of them not wired, so
 * its polls time out), a real Mosquitto as the uplink. The test
 *  - loads the page: live readings with their units, the active smoke alarm,
 *    the bus with its failed polls by reason;
 *  - presses Acknowledge: the page shows the alarm acknowledged, and the
 *    platform hears the 'acknowledged' alert over MQTT (what the acknowledge
 *    downlink does);
 *  - keeps a screenshot in test-artifacts/ (gitignored);
 *  - reads /metrics (valid Prometheus text) and /api/status, runs
 *    `axon gateway status` (summary and --json), and checks the log is JSON
 *    lines with level, time and event, the failed polls naming "timeout".
 */
import test from 'ava';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { chromium } from 'playwright-core';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { alertsIn, decodeUplink } from '../../../sdk/codec/decode-uplink.js';
import { CliProcess, REPO_ROOT, runCli } from '../../../sdk/cli/test-kit.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { createHostLog } from './host-log.js';
import { parsePrometheusText, sampleValue } from './status/prometheus-text.js';
import { StatusModel } from './status/status-model.js';
import { startStatusServer } from './status/status-server.js';
import type { GatewayStatus } from './status/status-types.js';
import { piBench, until } from './test-support.js';

const GATEWAY_ID = 'pi-status-01';
const USER = { username: GATEWAY_ID, password: 'status-page-pw' };
const WIRED = ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'];
const NOT_WIRED = 'underpass-caoxi';
const RULE = 'smoke-pump-room-smoke';

test('the status page in Chromium: readings with units, the alarm, Acknowledge; /metrics, /api/status, gateway status, JSON logs', async (t) => {
  // Every device but one is wired, so that one's polls time out.
  const { broker, site, args } = await piBench(t, {
    gatewayId: GATEWAY_ID,
    password: USER.password,
    devices: [...WIRED, NOT_WIRED],
    wired: WIRED,
    config: { status: { listen: '127.0.0.1:0' }, gateway: { flushEveryMs: 3000 } },
  });

  const table = siteChannelTable(site, shippedManifests());
  const heard: string[] = [];
  const platform = await mqtt.connectAsync(broker.url, { ...USER, clientId: 'platform' });
  t.teardown(() => platform.endAsync(true));
  platform.on('message', (_topic, payload) => {
    for (const alert of alertsIn(decodeUplink(new Uint8Array(payload), table))) heard.push(`${alert.rule} ${alert.state}`);
  });
  await platform.subscribeAsync(`axon/${GATEWAY_ID}/up/+`, { qos: 1 });

  const gateway = new CliProcess([...args, '--report-every', '0', '--log-level', 'info']);
  t.teardown(() => gateway.stop());
  const url = (await gateway.waitFor(/status page: (http:\/\/127\.0\.0\.1:\d+\/)/))[1];
  const status = async () => (await (await fetch(`${url}api/status`)).json()) as GatewayStatus;
  let latest: GatewayStatus | undefined;
  await until(() => {
    void status().then((s) => (latest = s), () => undefined);
    return latest !== undefined
      && WIRED.every((id) => latest?.devices.find((d) => d.id === id)?.ok === true)
      && latest.alarms.some((a) => a.rule === RULE)
      && (latest.buses[0].failures.timeout ?? 0) > 0;
  }, 'readings of every wired device, the smoke alarm and a timed-out poll', 60_000, () => `${JSON.stringify(latest)}\n${gateway.stdout}`);

  // The page, as a field engineer's laptop shows it.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-loaded="true"]');
  t.regex(await page.textContent('#gateway') ?? '', new RegExp(GATEWAY_ID));

  const level = page.locator('[data-device="underpass-longhua"] [data-point="level"] td.value');
  t.regex(await level.innerText(), /^-?\d[\d,.]*\s*cm$/, 'the water level with its unit');
  const pressure = page.locator('[data-device="hydrant-north"] [data-point="pressure"] td.value');
  t.regex(await pressure.innerText(), /^\d[\d,.]*\s*MPa$/, 'the hydrant pressure with its unit');
  t.regex(await page.locator(`[data-device="${NOT_WIRED}"] header .badge`).innerText(), /no reply/);
  t.regex(await page.locator('[data-bus="rs485-1"]').innerText(), /timeout \d+/, 'the bus lists its failed polls by reason');
  t.regex(await page.locator('[data-bus="rs485-1"]').innerText(), /\d+\.\d %/, 'and its utilisation');

  const alarm = page.locator(`#alarms tr[data-rule="${RULE}"]`);
  t.regex(await alarm.innerText(), /critical[\s\S]*smoke-pump-room · smoke_alarm[\s\S]*active/);
  const button = alarm.locator('button.ack');
  t.is(await button.innerText(), 'Acknowledge');
  await button.click();
  await alarm.locator('.alarm-state').filter({ hasText: /^acknowledged$/ }).waitFor();
  t.true(await alarm.locator('button.ack').isDisabled());
  t.is(await alarm.locator('button.ack').innerText(), 'Acknowledged');

  const artifacts = path.join(REPO_ROOT, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const screenshot = path.join(artifacts, 'status-page.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  t.log(`screenshot: ${screenshot}`);
  t.deepEqual(consoleErrors, [], 'no script errors (the CSP lets the page run)');

  // The acknowledge went the downlink's way: acknowledged in the core, and up to the platform.
  await until(() => heard.includes(`${RULE} acknowledged`), 'the acknowledged alert at the platform', 20_000, () => heard.join('\n'));
  const after = await status();
  t.deepEqual(after.alarms.filter((a) => a.rule === RULE).map((a) => a.acknowledged), [true]);
  await gateway.waitFor(/alarm smoke-pump-room-smoke \(critical\) acknowledged on the status page by 127\.0\.0\.1: 1 level/);

  // /metrics: valid exposition, agreeing with the page.
  const metrics = await fetch(`${url}metrics`);
  t.regex(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusText(await metrics.text());
  t.true((sampleValue(families, 'axon_poll_failures_total', { bus: 'rs485-1', reason: 'timeout' }) ?? 0) > 0);
  t.is(sampleValue(families, 'axon_alarm_active', { rule: RULE, acknowledged: 'true' }), 1);
  t.is(typeof sampleValue(families, 'axon_reading', { device: 'underpass-longhua', point: 'level', unit: 'cm' }), 'number');
  t.is(sampleValue(families, 'axon_uplink_connected'), 1);

  // axon gateway status: the summary and the JSON.
  const summary = await runCli(['gateway', 'status', '--url', url]);
  t.is(summary.code, 0, summary.stderr);
  t.regex(summary.stdout, new RegExp(`^gateway ${GATEWAY_ID}: site ${site.id}`));
  t.regex(summary.stdout, /uplink {2}mqtt \w+, broker connected/);
  t.regex(summary.stdout, /CRITICAL {2}smoke-pump-room-smoke {2}smoke-pump-room\.smoke_alarm {2}acknowledged/);
  t.regex(summary.stdout, /rs485-1 .* utilisation \d+\.\d %  polls \d+, failed \d+, partial \d+ {2}\(.*timeout \d+/);
  t.regex(summary.stdout, /\n {4}level +-?\d[\d.]* cm\n/);
  t.regex(summary.stdout, /\n {2}underpass-caoxi \(Caoxi Rd underpass water level\) {2}no reply {2}last poll [\d:]+\n {4}level {2}— {2}\(timeout\)\n/);
  const json = await runCli(['gateway', 'status', '--url', url, '--json']);
  t.is((JSON.parse(json.stdout) as GatewayStatus).gateway.id, GATEWAY_ID);

  // The log: JSON lines, each with level, time and event; failed polls name their reason.
  gateway.child.kill('SIGTERM');
  t.is((await gateway.exited).code, 0, gateway.stderr);
  const records = gateway.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: string; time: string; event: string; msg: string; device?: string; reasons?: Array<{ reason: string }> });
  for (const record of records) {
    t.true(['debug', 'info', 'warn', 'error', 'fatal'].includes(record.level) && !Number.isNaN(Date.parse(record.time)) && typeof record.event === 'string', JSON.stringify(record));
  }
  const failed = records.find((r) => r.event === 'poll-failed' && r.device === NOT_WIRED);
  t.is(failed?.level, 'warn');
  t.is(failed?.reasons?.[0].reason, 'timeout');
  t.regex(failed?.msg ?? '', /^poll underpass-caoxi: \d+\/\d+ points failed: timeout at /);
  t.true(records.some((r) => r.event === 'stop' && /^stopped: /.test(r.msg)));
});

test('axon gateway status: a clear error when nothing answers, and when the token is missing', async (t) => {
  // A status page with a token (no gateway behind it: nothing polled yet).
  const log = await createHostLog({ level: 'silent', write: () => undefined });
  const model = new StatusModel({ site: demoSubset(WIRED), manifests: shippedManifests(), gatewayId: 'gw-token', busPort: () => '/dev/ttyUSB0', uplink: { kind: 'mqtt', describe: 'test' } });
  const server = await startStatusServer({ listen: { host: '127.0.0.1', port: 0 }, token: 'a-token-of-twenty-chars' }, model, log);
  t.teardown(async () => {
    await server.close();
    model.close();
  });
  const refused = await runCli(['gateway', 'status', '--url', server.url]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /the status page refused the request: it needs its token .*Fix: give --token <token>/);
  const allowed = await runCli(['gateway', 'status', '--url', server.url, '--token', 'a-token-of-twenty-chars']);
  t.is(allowed.code, 0, allowed.stderr);
  t.regex(allowed.stdout, /^gateway gw-token: site /);
  t.regex(allowed.stdout, /underpass-longhua \(Longhua Rd underpass water level\) {2}not polled yet/);

  const nothing = await runCli(['gateway', 'status', '--url', 'http://127.0.0.1:9/']);
  t.is(nothing.code, 1);
  t.regex(nothing.stderr, /no answer from the gateway's status page .*\(at http:\/\/127\.0\.0\.1:9\/api\/status\) Fix: check that `axon gateway run` is running/);
  const bad = await runCli(['gateway', 'status', '--url', 'ftp://pi/']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--url must be http:\/\/ or https:\/\//);
  const help = await runCli(['gateway', 'status', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /--token <token>/);
  t.regex(help.stdout, /axon gateway status --json \| jq/);
});
