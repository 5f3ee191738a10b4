/**
 * `axon gateway run`, the production Raspberry Pi gateway, end to end with real
 * parts: the launcher as a child process; its bus a socat pseudo-terminal
 * opened with serialport's real bindings, simulated devices on the far end;
 * a real Mosquitto with a password file as the broker; sysfs GPIO in a
 * directory of the test's own. Assertions are on what a subscriber decoded and
 * on the GPIO value file, never on gateway internals:
 *  - readings of every device and the smoke alarm reach the broker; the alarm's
 *    output is energised;
 *  - the bus "unplugged" (the pty pair removed) and put back: the gateway keeps
 *    running, says so in its log, reopens by itself and readings resume;
 *  - a second gateway on the same data directory is refused;
 *  - SIGTERM stops it cleanly (exit 0, summary, lock released), and a restart
 *    on the same data directory does not raise the still-active alarm again.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { decodeUplink, type DecodedUplink } from '../../../sdk/codec/decode-uplink.js';
import { CliProcess, runCli } from '../../../sdk/cli/test-kit.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { startMosquitto } from '../mqtt/test-brokers.js';
import { fixtureCertificate } from './preflight-fixture.js';
import { FarSide, until } from './test-support.js';

const GATEWAY_ID = 'pi-test-01';
const USER = { username: GATEWAY_ID, password: 'pump-room-7' };
const DEVICES = ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'];
const GPIO = { 'barrier-relay': 517, 'warning-light': 539, buzzer: 534 } as const;

type Heard = DecodedUplink & { atMs: number };

test('axon gateway run: a real Pi gateway over a pty and Mosquitto — readings, alarm output, unplug and replug, clean stop, restart', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broker = await startMosquitto(USER);
  t.teardown(() => broker.close());

  // The site as an installer would write it: three demo devices on one RS-485 bus, polled every 2 s,
  // an MQTT uplink; the smoke alarm holds the buzzer on while it lasts (instead of the demo's pulse).
  const site = demoSubset(DEVICES);
  site.buses[0].port = 'sim:not-on-this-pi';
  for (const device of site.buses[0].devices) device.pollPeriodS = 2;
  for (const rule of site.rules ?? []) if (rule.id === 'smoke-pump-room-smoke' && rule.action !== undefined) rule.action = { output: 'buzzer', mode: 'on' };
  site.uplink = { kind: 'mqtt', url: 'mqtt://192.0.2.1:1883' };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));

  // The host config: the real port for the bus, GPIO numbers, the broker and this gateway's credentials.
  const gpioRoot = path.join(dir, 'gpio');
  for (const line of Object.values(GPIO)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const passwordFile = path.join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${USER.password}\n`);
  const config = {
    gatewayId: GATEWAY_ID,
    buses: { [site.buses[0].id]: { port: gatewayLink, reopenMs: 300 } },
    outputs: Object.fromEntries(Object.entries(GPIO).map(([id, gpio]) => [id, { gpio }])),
    gpioRoot,
    mqtt: { url: broker.url, username: USER.username, passwordFile },
    gateway: { flushEveryMs: 3000, statusEveryMs: 600_000 },
  };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const dataDir = path.join(dir, 'data');
  const gpioValue = (id: keyof typeof GPIO) => readFileSync(path.join(gpioRoot, `gpio${GPIO[id]}`, 'value'), 'utf8').trim();

  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'));
  t.teardown(() => far.close());
  await far.plugIn();

  // The cloud: a subscriber on the gateway's topics, decoding with the site's channel table.
  const table = siteChannelTable(site, shippedManifests());
  const heard: Heard[] = [];
  const cloud = await mqtt.connectAsync(broker.url, { username: USER.username, password: USER.password, clientId: 'cloud' });
  t.teardown(() => cloud.endAsync(true));
  cloud.on('message', (_topic, payload) => heard.push({ ...decodeUplink(new Uint8Array(payload), table), atMs: Date.now() }));
  await cloud.subscribeAsync(`axon/${GATEWAY_ID}/up/+`, { qos: 1 });
  const readingsOf = (device: string, sinceMs = 0) => heard.filter((h) => h.atMs >= sinceMs).flatMap((h) => (h.type === 'batch' ? h.readings.filter((r) => r.device === device) : []));
  const smokeRaised = () => heard.filter((h) => h.type === 'alert' && h.alert.rule === 'smoke-pump-room-smoke' && h.alert.state === 'raised');

  const args = ['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', dataDir, '--report-every', '2'];
  const gateway = new CliProcess(args);
  t.teardown(() => gateway.stop());
  await gateway.waitFor(/uplink: MQTT connected to mqtt:\/\/127\.0\.0\.1/, 20_000);
  t.regex(gateway.stdout, new RegExp(`gateway ${GATEWAY_ID}: site ${site.id}`));
  t.regex(gateway.stdout, /output buzzer \(buzzer\) on GPIO 534/);

  // 1. Readings of every device and the smoke alarm reach the broker; the buzzer is on.
  await until(() => DEVICES.every((d) => readingsOf(d).length > 0) && smokeRaised().length >= 1, 'readings of every device and the smoke alarm');
  await gateway.waitFor(/ALERT critical raised smoke-pump-room-smoke/);
  t.is(gpioValue('buzzer'), '1', 'the smoke alarm energised the buzzer');
  t.is(gpioValue('barrier-relay'), '0', 'no flooding: the barrier relay stays off');
  await gateway.waitFor(/report: \d+ polls .*active alarms: smoke-pump-room-smoke critical/);

  // 2. A second gateway on the same data directory is refused with a reason.
  const second = await runCli(args);
  t.is(second.code, 1);
  t.regex(second.stderr, new RegExp(`another gateway \\(pid ${gateway.child.pid}, running since [^)]+\\) runs on this data directory`));
  t.notRegex(second.stderr, /\bkill\b/);

  // 3. Unplug the bus: the gateway keeps running and says so; plug it back: it reopens by itself.
  await far.unplug();
  await gateway.waitFor(/bus rs485-1 \([^)]+\): down/, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.true(gateway.running, 'the gateway survived the unplugged bus');
  await far.plugIn();
  const replugged = Date.now();
  await until(() => /bus rs485-1 \([^)]+\): open[\s\S]*bus rs485-1 \([^)]+\): down[\s\S]*bus rs485-1 \([^)]+\): open/.test(gateway.stdout), 'the bus to reopen');
  await until(() => DEVICES.every((d) => readingsOf(d, replugged).some((r) => r.t >= replugged - 1000)), 'readings taken after the replug');

  // 4. SIGTERM: a clean stop with a summary, the lock released.
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  t.is(exit.code, 0, gateway.stdout + gateway.stderr);
  t.regex(gateway.stdout, /SIGTERM: stopping/);
  t.regex(gateway.stdout, /stopped: \d+ polls .*sent \d+ frames, [1-9]\d* alerts/);
  t.false(existsSync(path.join(dataDir, 'gateway.pid')), 'the data directory lock is released');

  // 5. A restart on the same data: the alarm is still on at the device, and is not raised a second time.
  const restarted = await runCli([...args.slice(0, -2), '--report-every', '0', '--duration', '6']);
  t.is(restarted.code, 0, restarted.stdout + restarted.stderr);
  t.notRegex(restarted.stdout, /ALERT critical raised smoke-pump-room-smoke/, 'the persisted alarm state is picked up');
  await new Promise((resolve) => setTimeout(resolve, 500));
  // Delivery is at least once (a record whose ack a crash made non-durable is sent again), so the
  // cloud removes repeats by content, as docs/store-and-forward.md says: count distinct alert events.
  const raisedEvents = new Set(smokeRaised().map((h) => (h.type === 'alert' ? h.alert.t : 0)));
  if (smokeRaised().length > raisedEvents.size) t.log(`the smoke alarm's alert was delivered ${smokeRaised().length} times (at least once)`);
  t.is(raisedEvents.size, 1, `the cloud heard one smoke-alarm raise in all\nfirst run: ${gateway.stdout}\nrestart: ${restarted.stdout}`);
  t.is(gpioValue('buzzer'), '1', 'and the buzzer is held on by the restarted gateway');
});

test('axon gateway check: a LoRaWAN site on simulated buses without a radio cannot run on the Pi, and says why; a complete pair passes', async (t) => {
  const demo = await runCli(['gateway', 'check', '--site', 'manifests/sites/demo.json']);
  t.is(demo.code, 1);
  t.regex(demo.stderr, /site bus 'rs485-1' is simulated \(sim:demo-bus-1\).*Fix: add "buses"/);
  t.regex(demo.stderr, /the site sends over LoRaWAN and this config names no radio.*Fix: add "radio": \{ "type": "sx1262".*"type": "rui3"/);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = demoSubset(['underpass-longhua']);
  site.uplink = { kind: 'mqtt', url: 'mqtts://broker.example:8883' };
  writeFileSync(path.join(dir, 'site.json'), JSON.stringify(site));
  const bad = { buses: { 'rs485-9': { port: '/dev/ttyUSB0' } }, outputs: { 'barrier-relay': { gpio: 'seventeen' } } };
  writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(bad));
  const refused = await runCli(['gateway', 'check', '--site', path.join(dir, 'site.json'), '--config', path.join(dir, 'bad.json')]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /bad\.json \$\.outputs\['barrier-relay'\]\.gpio: must be an integer, not "seventeen"\. Fix: /);

  // A complete pair, on this machine's stand-ins for the Pi's GPIO tree and data directory.
  const gpioRoot = path.join(dir, 'gpio');
  for (const line of [529, 539, 534]) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  const checkOn = (config: string) => runCli(['gateway', 'check', '--site', path.join(dir, 'site.json'), '--config', config, '--data', path.join(dir, 'data')]);
  const good = { buses: { 'rs485-1': { port: '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0' } }, outputs: { 'barrier-relay': { gpio: 529, activeLow: true }, 'warning-light': { gpio: 539 }, buzzer: { gpio: 534 } }, gpioRoot, mqtt: { username: 'gw', password: 'x' } };
  writeFileSync(path.join(dir, 'good.json'), JSON.stringify(good), { mode: 0o600 });
  const ok = await checkOn(path.join(dir, 'good.json'));
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /bus rs485-1 on \/dev\/serial\/by-id\/usb-FTDI_FT232R-if00-port0: 1 devices/);
  t.regex(ok.stdout, /uplink mqtt mqtts:\/\/broker\.example:8883/);
  t.regex(ok.stdout, /status page on 127\.0\.0\.1:8080\n/, 'on loopback by default');
  t.regex(ok.stderr, /warning: .*good\.json \$\.buses\["rs485-1"\]\.port: bus rs485-1: serial port \/dev\/serial\/by-id\/usb-FTDI_FT232R-if00-port0 does not exist \(yet\)/, 'no adapter on this machine: a warning, not a refusal');

  // The example of docs/rpi-gateway.md, with its /etc/axon files and the Pi's GPIO tree replaced by this machine's stand-ins.
  const example = JSON.parse(readFileSync('firmware/rpi/host/examples/host.json', 'utf8')) as { gpioRoot?: string; mqtt: { passwordFile: string; caFile: string } };
  writeFileSync(path.join(dir, 'password'), 'secret\n', { mode: 0o600 });
  writeFileSync(path.join(dir, 'ca.pem'), fixtureCertificate().cert);
  Object.assign(example, { gpioRoot, mqtt: { ...example.mqtt, passwordFile: path.join(dir, 'password'), caFile: path.join(dir, 'ca.pem') } });
  writeFileSync(path.join(dir, 'example.json'), JSON.stringify(example), { mode: 0o600 });
  const exampleCheck = await runCli(['gateway', 'check', '--site', 'firmware/rpi/host/examples/site.json', '--config', path.join(dir, 'example.json'), '--data', path.join(dir, 'data')]);
  t.is(exampleCheck.code, 0, `the example in docs/rpi-gateway.md is valid: ${exampleCheck.stderr}`);
});
