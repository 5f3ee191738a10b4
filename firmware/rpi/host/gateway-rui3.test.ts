/**
 * `axon gateway run` with a LoRaWAN uplink through a RAK RUI3 module (host
 * config "radio": { "type": "rui3", "port" }), end to end with real parts: the
 * launcher as a child process; its RS-485 bus a socat pty with simulated
 * devices on the far end; the module the project's RUI3 simulator on the far
 * end of a second pty (both opened with serialport's real bindings). Inside
 * the simulated module, our own class A MAC on the simulated LoRa channel;
 * on the channel, the network-server simulator (simulators/lorawan-ns, which
 * cross-checks frames with lora-packet) with the reference ack service.
 * Payloads are decoded as a platform would (with the site's channel table).
 *
 * The serial line runs in real time; the radio world in virtual time that
 * runs ahead of it (simulators/rui3/run-rui3-sim.ts): each join or send runs
 * to its end at once. The test covers a couple of minutes of the gateway's
 * real time; a simulated day of the host's RUI3 uplink over a pty runs in
 * gateway-rui3-day.test.ts (host and module on one virtual clock that stands
 * still while bytes cross the pty).
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import type { AlertRuleConfig } from '../../../drivers/rules/config.js';
import type { UpEvent } from '../../../simulators/lorawan-ns/events.js';
import { decodeUplink, type DecodedUplink } from '../../../sdk/codec/decode-uplink.js';
import { CliProcess, runCli } from '../../../sdk/cli/test-kit.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { runRui3Simulator } from '../../../simulators/rui3/run-rui3-sim.js';
import { FarSide, until } from './test-support.js';

const DEVICES = ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'];
const GPIO = { 'barrier-relay': 517, 'warning-light': 539, buzzer: 534 } as const;
const DEVICE = { devEui: 'AC1F09FFFE0A0B0C', joinEui: '70B3D57ED0000000', appKey: '2B2C2D2E2F303132333435363738393A' };

type Heard = DecodedUplink & { fCnt: number; confirmed: boolean; atMs: number };

test('axon gateway run over LoRaWAN through a RUI3 module on a pty: check passes, join, readings and alarm at the network server, module power cycle, clean stop', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-rui3-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const site = demoSubset(DEVICES);
  site.buses[0].port = 'sim:not-on-this-pi';
  for (const device of site.buses[0].devices) device.pollPeriodS = 2;
  for (const rule of site.rules ?? []) if (rule.id === 'smoke-pump-room-smoke' && rule.action !== undefined) rule.action = { output: 'buzzer', mode: 'on' };
  const slowOffline: AlertRuleConfig[] = DEVICES.map((device) => ({ kind: 'offline', id: `${device}-offline`, device, periods: 30, level: 'warning' }));
  site.rules = [...(site.rules ?? []).filter((rule) => rule.kind !== 'offline'), ...slowOffline];
  site.uplink = { kind: 'lorawan', region: 'EU868', activation: 'otaa', dataRate: 5, adr: true };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));
  const table = siteChannelTable(site, shippedManifests());

  // The module on its pty, the network behind it.
  const moduleLink = path.join(dir, 'ttyRUI3');
  const module = await runRui3Simulator({ pty: moduleLink, region: 'EU868', device: DEVICE, channels: table });
  t.teardown(() => module.close());
  const ups: UpEvent[] = [];
  const joins: number[] = [];
  module.ns.onEvent((event) => {
    if (event.type === 'up' && (event.fPort ?? 0) > 0) ups.push(event);
    if (event.type === 'join') joins.push(event.timeMs);
  });
  const heard = (): Heard[] => ups.map((u) => ({ ...decodeUplink(u.payload, table), fCnt: u.fCnt, confirmed: u.confirmed, atMs: u.timeMs }));
  const readings = () => heard().flatMap((h) => (h.type === 'batch' ? h.readings.map((r) => ({ ...r, atMs: h.atMs })) : []));
  const smokeRaised = () => heard().filter((h) => (h.type === 'alert' && h.alert.rule === 'smoke-pump-room-smoke' && h.alert.state === 'raised') || (h.type === 'alerts' && h.alerts.some((a) => a.rule === 'smoke-pump-room-smoke' && a.state === 'raised')));

  const gpioRoot = path.join(dir, 'gpio');
  for (const line of Object.values(GPIO)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  const keyFile = path.join(dir, 'appkey');
  writeFileSync(keyFile, `${DEVICE.appKey.toLowerCase()}\n`, { mode: 0o600 });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const config = {
    gatewayId: 'pi-rui3-01',
    buses: { [site.buses[0].id]: { port: gatewayLink, reopenMs: 300 } },
    outputs: Object.fromEntries(Object.entries(GPIO).map(([id, gpio]) => [id, { gpio }])),
    gpioRoot,
    radio: { type: 'rui3', port: moduleLink, devEui: DEVICE.devEui, joinEui: DEVICE.joinEui, appKeyFile: keyFile },
    gateway: { flushEveryMs: 1500, statusEveryMs: 600_000 },
  };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'));
  t.teardown(() => far.close());
  await far.plugIn();

  // 1. gateway check accepts the pair (a LoRaWAN site with a radio); without the radio it refuses, saying why.
  const checked = await runCli(['gateway', 'check', '--site', siteFile, '--config', configFile]);
  t.is(checked.code, 0, checked.stdout + checked.stderr);
  writeFileSync(path.join(dir, 'no-radio.json'), JSON.stringify({ ...config, radio: undefined }));
  const refused = await runCli(['gateway', 'check', '--site', siteFile, '--config', path.join(dir, 'no-radio.json')]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /\$\.radio: the site sends over LoRaWAN and this config names no radio/);

  // 2. Run: the gateway configures the module, joins through it, and the readings and the smoke alarm reach the network.
  const gateway = new CliProcess(['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', path.join(dir, 'data'), '--report-every', '2']);
  t.teardown(() => gateway.stop());
  const log = () => `gateway stdout:\n${gateway.stdout}\ngateway stderr:\n${gateway.stderr}`;
  await until(() => /radio rui3 joined/.test(gateway.stdout), 'the module to join', 30_000, log);
  t.true(gateway.stdout.includes(`uplink: LoRaWAN EU868 through the RUI3 module on ${moduleLink} (115200 8N1)`), log());
  t.regex(gateway.stdout, /radio rui3 configuring[\s\S]*?radio rui3 joining[\s\S]*?radio rui3 joined/);
  t.is(joins.length, 1, 'the network server accepted one join');
  t.deepEqual(module.simulator.received.slice(0, 9), ['AT', 'AT+NWM=?', 'AT+NJM=1', 'AT+CLASS=A', 'AT+BAND=4', `AT+DEVEUI=${DEVICE.devEui}`, `AT+APPEUI=${DEVICE.joinEui}`, `AT+APPKEY=${DEVICE.appKey}`, 'AT+ADR=1']);
  await until(() => DEVICES.every((d) => readings().some((r) => r.device === d)) && smokeRaised().length > 0, 'readings of every device and the smoke alarm at the network server', 30_000, log);
  t.true(smokeRaised().every((h) => h.confirmed), 'the alert went confirmed (AT+CFM=1)');
  t.true(heard().filter((h) => h.type === 'batch').every((h) => !h.confirmed), 'data went unconfirmed (AT+CFM=0)');
  t.is(readFileSync(path.join(gpioRoot, `gpio${GPIO.buzzer}`, 'value'), 'utf8').trim(), '1', 'the smoke alarm energised the buzzer');
  await until(() => module.simulator.stats.downlinks > 0, 'a data-ack from the platform (asked for after 16 frames), down through +EVT:RX', 60_000, log);

  // 3. The module power-cycles: its session is gone; the gateway notices (AT_NO_NETWORK_JOINED), joins again and carries on.
  const resetAt = module.clock.now();
  module.simulator.reset();
  await until(() => joins.length === 2, 'the gateway to join again after the module reset', 60_000, log);
  await until(() => DEVICES.every((d) => readings().some((r) => r.device === d && r.atMs > resetAt)), 'readings after the module reset', 30_000, log);
  await until(() => /radio rui3 idle[\s\S]*?uplink failed: the module answered AT_NO_NETWORK_JOINED[\s\S]*radio rui3 joined/.test(gateway.stdout), 'the gateway to log the lost session and the new join', 10_000, log);
  t.true(gateway.running);

  // 4. SIGTERM: a clean stop. What arrived is clean: every payload decodes, no reading twice once the platform drops repeats.
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  t.is(exit.code, 0, log());
  t.true(heard().every((h) => h.warnings.length === 0), 'every payload decodes cleanly with the site\'s table');
  const unique = new Set(readings().map((r) => `${r.device}.${r.point}@${r.t}`));
  t.true(unique.size > 30, `readings arrived (${unique.size})`);
  t.deepEqual(module.ns.stats.rejected, { outage: 0, malformed: 0, unsupported: 0, 'unknown-device': 0, mic: 0, replay: 0, 'devnonce-replay': 0 }, 'the network server rejected nothing');
  t.log(`radio world ${(module.clock.now() / 1000).toFixed(0)} s of virtual time; ${ups.length} uplinks (${joins.length} joins), ${module.simulator.stats.downlinks} downlinks, ${unique.size} distinct readings`);
});
