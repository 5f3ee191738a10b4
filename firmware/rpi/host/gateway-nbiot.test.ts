/**
 * `axon gateway run` with an NB-IoT uplink (site uplink kind nbiot, transport
 * udp), end to end with real parts: the launcher as a child process; its
 * RS-485 bus a socat pty with simulated devices on the far end; its modem the
 * project's BC95-class simulator on the far end of a second socat pty (both
 * opened with serialport's real bindings), the host config's modem.port
 * pointing at the gateway's end; behind the simulated network the project's
 * ack server, which decodes the ack envelope independently of the driver, its
 * ack frames checked with the driver's own codec (drivers/nbiot/frame.ts).
 * Payloads are decoded as a platform would (decodeUplink with the site's
 * channel table). Assertions are on what the server received and the log:
 *  - the modem attaches (log: modem starting → attaching → ready), readings of
 *    every device and the smoke alarm arrive, each send is logged;
 *  - no coverage for a while (the gateway says it failed to attach), then
 *    coverage back: readings taken meanwhile arrive after it returns;
 *  - the module reboots by itself: the gateway re-initialises it and carries on;
 *  - the modem's serial link drops (USB adapter unplugged, module power-cycled)
 *    and comes back: the gateway reopens the port and sends again, no restart;
 *  - nothing lost or duplicated: with the bus unplugged and the log drained,
 *    the readings the server decoded are exactly the samples the gateway took
 *    (as many, every device.point with a reading in every 10 s time step from
 *    first to last), and its messages match the gateway's sent counts;
 *  - SIGTERM stops it cleanly (exit 0).
 * Each disruption starts while the uplink is quiet (no message or ack in
 * flight): a cut just after the server received a message loses its ack, and
 * the gateway then sends that record again under a new sequence id, by design
 * (at-least-once, docs/store-and-forward.md), which would make the exact count
 * depend on timing.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { decodeFrame, type Frame } from '../../../drivers/nbiot/frame.js';
import type { AlertRuleConfig } from '../../../drivers/rules/config.js';
import { decodeUplink, type DecodedUplink } from '../../../sdk/codec/decode-uplink.js';
import { CliProcess } from '../../../sdk/cli/test-kit.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { AxonAckServer } from '../../../simulators/nbiot/ack-server.js';
import { runModemSimulator, type RunningModemSimulator } from '../../../simulators/nbiot/run-modem-sim.js';
import { FarSide, until } from './test-support.js';

const GATEWAY_ID = 'pi-nbiot-01';
const DEVICES = ['underpass-longhua', 'smoke-pump-room', 'hydrant-north'];
const GPIO = { 'barrier-relay': 517, 'warning-light': 539, buzzer: 534 } as const;
/** Where the site's UDP uplink goes: the operator-side server (a documentation address; the simulated network routes it). */
const SERVER = { host: '203.0.113.10', port: 5684 };
const POLL_S = 2;
const FLUSH_MS = 3000;

/** One message as the server side received it: the envelope's seq, port and alert flag, when it first arrived, and its decoded payload. */
type Heard = DecodedUplink & { seq: number; port: number; flagged: boolean; atMs: number };

test('axon gateway run over NB-IoT: a real Pi gateway with a simulated BC95 on a pty — attach, readings and alarm, no coverage, module reboot, modem unplugged, nothing lost, clean stop', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-nb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // The site: three demo devices on one RS-485 bus polled every 2 s, an NB-IoT UDP uplink; the smoke
  // alarm holds the buzzer on. Offline alerts after a minute, not 3 polls: the bus is unplugged at the
  // end to stop sampling, and the count of samples must be final when the log has drained.
  const site = demoSubset(DEVICES);
  site.buses[0].port = 'sim:not-on-this-pi';
  for (const device of site.buses[0].devices) device.pollPeriodS = POLL_S;
  for (const rule of site.rules ?? []) if (rule.id === 'smoke-pump-room-smoke' && rule.action !== undefined) rule.action = { output: 'buzzer', mode: 'on' };
  const slowOffline: AlertRuleConfig[] = DEVICES.map((device) => ({ kind: 'offline', id: `${device}-offline`, device, periods: 30, level: 'warning' }));
  site.rules = [...(site.rules ?? []).filter((rule) => rule.kind !== 'offline'), ...slowOffline];
  site.uplink = { kind: 'nbiot', transport: 'udp', host: SERVER.host, port: SERVER.port };
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));

  // The modem: the simulator on the far end of a pty pair, the gateway's end at a fixed link path.
  // One ack server behind every incarnation of the module (it is the operator's, not the modem's).
  const modemLink = path.join(dir, 'ttyNB0');
  const server = new AxonAckServer();
  const arrivals = new Map<number, number>();
  const datagrams: Array<{ ip: string; port: number }> = [];
  const acks: Array<Frame | undefined> = [];
  let lastTrafficMs = 0;
  let modem: RunningModemSimulator | undefined;
  const plugModem = async () => {
    modem = await runModemSimulator({ pty: modemLink, attachDelayMs: 50, radioDelayMs: 150, networkDelayMs: 40, bootDelayMs: 300 });
    modem.simulator.onUdp = (datagram, reply) => {
      lastTrafficMs = Date.now();
      datagrams.push({ ip: datagram.ip, port: datagram.port });
      const frame = decodeFrame(datagram.payload);
      if (frame?.type === 'data' && !arrivals.has(frame.seq)) arrivals.set(frame.seq, Date.now());
      server.udpHandler(datagram, (answer) => {
        lastTrafficMs = Date.now();
        acks.push(decodeFrame(answer));
        reply(answer);
      });
    };
  };
  const unplugModem = async () => {
    await modem?.close();
    modem = undefined;
  };
  t.teardown(unplugModem);
  await plugModem();

  // The host config: the bus's real port, GPIO numbers, and the modem on its pty with short test deadlines.
  const gpioRoot = path.join(dir, 'gpio');
  for (const line of Object.values(GPIO)) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const config = {
    gatewayId: GATEWAY_ID,
    buses: { [site.buses[0].id]: { port: gatewayLink, reopenMs: 300 } },
    outputs: Object.fromEntries(Object.entries(GPIO).map(([id, gpio]) => [id, { gpio }])),
    gpioRoot,
    modem: { port: modemLink, baud: 9600, attachDeadlineMs: 3000, ackTimeoutMs: 3000, attempts: 3 },
    gateway: { flushEveryMs: FLUSH_MS, statusEveryMs: 600_000 },
  };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const gpioValue = (id: keyof typeof GPIO) => readFileSync(path.join(gpioRoot, `gpio${GPIO[id]}`, 'value'), 'utf8').trim();

  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'));
  t.teardown(() => far.close());
  await far.plugIn();

  // The platform's side: the server's messages decoded with the site's channel table.
  const table = siteChannelTable(site, shippedManifests());
  const heard = (): Heard[] => server.messages.map((m) => ({ ...decodeUplink(m.payload, table), seq: m.seq, port: m.port, flagged: m.alert, atMs: arrivals.get(m.seq) ?? 0 }));
  const readings = () => heard().flatMap((h) => (h.type === 'batch' ? h.readings.map((r) => ({ ...r, atMs: h.atMs })) : []));
  const readingsOf = (device: string) => readings().filter((r) => r.device === device);
  const smokeRaised = () => heard().filter((h) => h.type === 'alert' && h.alert.rule === 'smoke-pump-room-smoke' && h.alert.state === 'raised');

  const gateway = new CliProcess(['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', path.join(dir, 'data'), '--report-every', '1']);
  t.teardown(() => gateway.stop());
  const started = Date.now();
  const log = () => `gateway stdout:\n${gateway.stdout}\ngateway stderr:\n${gateway.stderr}`;
  /** Wait for `pattern` in what the gateway printed after `offset` (a stdout length taken earlier). */
  const logged = (pattern: RegExp, offset: number, what: string, timeoutMs = 15_000) => until(() => pattern.test(gateway.stdout.slice(offset)), what, timeoutMs, log);
  /** Nothing on the air for a while: the last message's ack is home, the next flush is seconds away. */
  const quiet = () => until(() => Date.now() - lastTrafficMs > 600, 'a quiet uplink', 10_000, log);
  const arrivedAfter = (atMs: number) => DEVICES.every((d) => readingsOf(d).some((r) => r.atMs > atMs));

  // 1. The modem attaches; readings of every device and the smoke alarm reach the server; the buzzer is on.
  await logged(/modem ready/, 0, 'the modem to attach');
  t.regex(gateway.stdout, new RegExp(`gateway ${GATEWAY_ID}: site ${site.id}`));
  t.true(gateway.stdout.includes(`uplink: NB-IoT udp to ${SERVER.host}:${SERVER.port} via the modem on ${modemLink}`), log());
  t.regex(gateway.stdout, /modem port [^\n]*ttyNB0: open/);
  // Log records are JSON lines, the message last: {"level":"info",…,"msg":"modem starting"}
  t.regex(gateway.stdout, /"msg":"modem starting"}\n[\s\S]*?"msg":"modem attaching"}\n[\s\S]*?"msg":"modem ready"/, log());
  await until(() => DEVICES.every((d) => readingsOf(d).length > 0) && smokeRaised().length === 1, 'readings of every device and the smoke alarm at the server', 15_000, log);
  await logged(/sent alert, \d+ B[\s\S]*sent reading, \d+ B/, 0, 'sends in the log');
  t.regex(gateway.stdout, /ALERT critical raised smoke-pump-room-smoke/);
  t.true(smokeRaised()[0].flagged, 'the alert travelled with the envelope\'s alert flag');
  t.is(gpioValue('buzzer'), '1', 'the smoke alarm energised the buzzer');
  t.true(datagrams.every((d) => d.ip === SERVER.host && d.port === SERVER.port), 'every datagram went to the site\'s server');
  t.true(acks.length > 0 && acks.every((a) => a?.type === 'ack'), 'the server\'s answers are ack frames as frame.ts defines them');

  // 2. No coverage: the module loses registration (+CEREG:2); the gateway cannot attach and says so,
  //    keeps polling and keeps the readings in its log; coverage back: it attaches again and sends them.
  await quiet();
  let mark = gateway.stdout.length;
  modem?.simulator.setCoverage(false);
  await logged(/modem idle/, mark, 'the gateway to notice the lost registration');
  await logged(/uplink failed: not attached to the network within 3000 ms \(registration status 2: not registered, searching\)/, mark, 'a failed attach while out of coverage');
  await logged(/report: [^\n]*log 0 alerts \+ [1-9]\d* frames waiting/, mark, 'readings kept in the log while out of coverage');
  t.true(gateway.running);
  const coverageBack = Date.now();
  mark = gateway.stdout.length;
  modem?.simulator.setCoverage(true);
  await logged(/modem ready[\s\S]*sent reading/, mark, 'the modem to attach again and send');
  await until(() => DEVICES.every((d) => readingsOf(d).some((r) => r.t < coverageBack && r.atMs > coverageBack)), 'readings taken without coverage to arrive after it returned', 15_000, log);

  // 3. The module reboots on its own (watchdog): every socket and setting is gone; the gateway starts it again.
  await quiet();
  mark = gateway.stdout.length;
  const rebootAt = Date.now();
  const rebootsBefore = modem?.simulator.reboots ?? 0;
  modem?.simulator.reboot();
  await logged(/"msg":"modem idle"}\n[\s\S]*?"msg":"modem starting"}\n[\s\S]*?"msg":"modem ready"/, mark, 'the modem to be restarted after its reboot');
  await until(() => arrivedAfter(rebootAt), 'readings after the module reboot', 15_000, log);
  t.is(modem?.simulator.reboots, rebootsBefore + 1);

  // 4. The modem's serial link drops (adapter unplugged; the module loses power with it) and comes back:
  //    the port is reopened (every 5 s) and the fresh module started, without restarting the gateway.
  await quiet();
  mark = gateway.stdout.length;
  await unplugModem();
  await logged(/modem port [^\n]*ttyNB0: down/, mark, 'the modem port to go down');
  await plugModem();
  const replugAt = Date.now();
  await logged(/modem port [^\n]*ttyNB0: open[\s\S]*modem ready/, mark, 'the modem port to reopen and the modem to attach', 20_000);
  await until(() => arrivedAfter(replugAt), 'readings after the modem came back', 15_000, log);
  t.true(gateway.running, 'the gateway survived the modem link drop');

  // 5. Stop sampling (unplug the bus) and let the log drain, so what the gateway took is final.
  mark = gateway.stdout.length;
  await far.unplug();
  await logged(/bus rs485-1 \([^)]+\): down/, mark, 'the bus to go down');
  await new Promise((resolve) => setTimeout(resolve, FLUSH_MS + 200));
  mark = gateway.stdout.length;
  await logged(/report: [^\n]*log 0 alerts \+ 0 frames waiting[^\n]*uplink idle/, mark, 'the log to drain');

  // 6. SIGTERM: a clean stop with a summary.
  if (process.env.AXON_TEST_SHOW_LOG !== undefined) t.log(gateway.stdout);
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  t.is(exit.code, 0, log());
  t.regex(gateway.stdout, /SIGTERM: stopping/);
  const summary = /stopped: \d+ polls \(\d+ failed(?:, \d+ missed)?\), (\d+) samples, \d+ alert events; sent (\d+) frames, (\d+) alerts, (\d+) status \(\d+ B\); log (\d+) alerts \+ (\d+) frames waiting/.exec(gateway.stdout);
  if (summary === null) return t.fail(`no summary line\n${log()}`);
  const [samples, frames, alerts, status, alertsWaiting, framesWaiting] = summary.slice(1).map(Number);

  // 7. Nothing lost, nothing duplicated: the server has exactly what the gateway took and counted as sent.
  t.is(alertsWaiting + framesWaiting, 0, 'the log was drained before the stop');
  const all = heard();
  t.is(server.messages.length, arrivals.size);
  t.is(all.filter((h) => h.type === 'batch').length, frames, 'the server has every frame the gateway counts as sent, and no other');
  t.is(all.filter((h) => h.type === 'alert').length, alerts);
  t.is(all.filter((h) => h.type === 'status').length, status);
  t.true(all.every((h) => h.warnings.length === 0), 'every payload decodes cleanly with the site\'s table');
  const received = readings();
  t.is(received.length, samples, 'as many readings arrived as the gateway took samples: none lost, none twice');
  // Polled every 2 s under the default 10 s time step, every reading still has a time of its own (the frames take a
  // finer step), so device.point@t names one reading: the platform's de-duplication key keeps them all.
  t.is(new Set(received.map((r) => `${r.device}.${r.point}@${r.t}`)).size, received.length, 'no two readings of a point share a time');
  // Every 10 s step from a channel's first to its last holds a reading: no gap across the outages.
  const stepsOf = new Map<string, Set<number>>();
  for (const r of received) stepsOf.set(`${r.device}.${r.point}`, (stepsOf.get(`${r.device}.${r.point}`) ?? new Set()).add(Math.floor(r.t / 10_000) * 10_000));
  for (const [channel, steps] of stepsOf) {
    const sorted = [...steps].sort((a, b) => a - b);
    const gaps = sorted.slice(1).filter((step, i) => step - sorted[i] !== 10_000);
    t.deepEqual(gaps, [], `${channel}: a reading in every 10 s step from ${new Date(sorted[0]).toISOString()} to ${new Date(sorted[sorted.length - 1]).toISOString()}`);
  }
  t.true(all.filter((h) => h.type === 'alert').every((h) => h.flagged) && all.filter((h) => h.type !== 'alert').every((h) => !h.flagged), 'the envelope\'s alert flag is set on alerts only');
  t.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${samples} samples in ${frames} frames, ${alerts} alerts, ${status} status messages; ${datagrams.length} datagrams for ${server.messages.length} messages (${server.duplicates} repeated after a lost ack); ${gateway.stdout.match(/modem ready/g)?.length ?? 0} attaches`);
});
