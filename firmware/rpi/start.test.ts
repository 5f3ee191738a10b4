/**
 * `npm start` as a user runs it. Wall-clock limits here are hang guards (a busy
 * 2-core machine compiles TypeScript at launch and runs the demo slowly), not
 * speed tests: the assertions are about what the demo did, whatever the pace.
 */
import test from 'ava';

// Serial: each test runs a whole demo (a dozen simulated devices on ptys); several at once on a 2-core machine starve their polls.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { siteChannelTable } from '../../drivers/gateway/site-channels.js';
import { decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { demoSite } from '../../sdk/site/demo-site.js';
import { loadShippedManifests } from '../../sdk/site/validate.js';
import { startMosquitto } from './mqtt/test-brokers.js';

const HANG_GUARD_MS = 300_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'firmware/rpi/start.ts', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), Math.max(timeoutMs, HANG_GUARD_MS));
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

test.serial('npm start runs the gateway pipeline on the demo site over real ptys and LoRaWAN: every device polled, no failed reads, data reaches the cloud through the network server', async (t) => {
  // The OTAA join alone takes 5 s of real radio time (JOIN_ACCEPT_DELAY1), so this run is longer than the MQTT one.
  const { code, stdout, stderr } = await run(['--duration', '14', '--plain', '--speed', '120'], 50_000);
  t.is(code, 0, stderr);
  const site = demoSite();
  const devices = site.buses.flatMap((bus) => bus.devices);
  for (const device of devices) {
    const line = stdout.split('\n').find((l) => l.includes(` ${device.label ?? device.id} (`));
    t.truthy(line, `${device.label} was polled`);
    t.false(line?.includes('ERR') ?? true, `${device.label} read without errors: ${line}`);
  }
  t.regex(stdout, new RegExp(`stopped after \\d+ polls of ${devices.length} devices; 0 point readings failed\\.`));
  t.notRegex(stdout, /^error:/m, 'the pipeline reported no errors');
  const uplink = /uplink: LoRaWAN CN470 DevAddr [0-9a-f]{8} DR\d+ FCnt (\d+) .* network: (\d+) accepted/.exec(stdout);
  t.truthy(uplink, `the MAC joined and the network server accepted its frames: ${stdout.split('\n').find((l) => l.startsWith('uplink:'))}`);
  t.true(Number(uplink?.[2]) > 0);
  const cloud = /cloud \(LoRaWAN network server\) decoded (\d+) readings in (\d+) data frames/.exec(stdout);
  t.true(Number(cloud?.[1]) > 0 && Number(cloud?.[2]) > 0, `batches crossed the simulated air and the network server, and decoded: ${cloud?.[0]}`);
});

test.serial('npm start during the storm: water and fire alarms are raised and reach the cloud', async (t) => {
  // Over MQTT: a storm at 600× makes more alerts a second than a real radio link carries.
  const { code, stdout, stderr } = await run(['--duration', '8', '--plain', '--speed', '600', '--start-minutes', '55', '--uplink', 'mqtt'], 40_000);
  t.is(code, 0, stderr);
  t.regex(stdout, /ALERT WARNING raised underpass-longhua-ponding/);
  t.regex(stdout, /ALERT CRITICAL raised smoke-pump-room-smoke/);
  t.regex(stdout, /cloud received alert: CRITICAL raised underpass-longhua-ponding/);
  t.regex(stdout, /cloud received alert: CRITICAL raised smoke-pump-room-smoke/);
  t.regex(stdout, /0 point readings failed\./);
});

test.serial('npm start --help explains the options; a bad option is refused', async (t) => {
  const help = await run(['--help'], 20_000);
  t.is(help.code, 0);
  t.regex(help.stdout, /--speed/);
  t.regex(help.stdout, /--duration/);
  t.regex(help.stdout, /--uplink <kind>/);
  const bad = await run(['--speed', 'fast'], 20_000);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--speed must be a positive number/);
  const badUplink = await run(['--uplink', 'carrier-pigeon'], 20_000);
  t.is(badUplink.code, 2);
  t.regex(badUplink.stderr, /--uplink must be lorawan or mqtt, got 'carrier-pigeon'/);
});

test.serial('npm start --broker publishes to an external Mosquitto as well as the embedded broker', async (t) => {
  const broker = await startMosquitto({ username: 'demo', password: 'pw' });
  t.teardown(() => broker.close());
  const url = broker.url.replace('mqtt://', 'mqtt://demo:pw@');
  const site = demoSite();
  const manifests = loadShippedManifests();
  const table = siteChannelTable(site, manifests);
  const subscriber = await mqtt.connectAsync(url, { clientId: 'axon-test-external' });
  t.teardown(() => subscriber.endAsync(true));
  const heard: Array<{ topic: string; type: string }> = [];
  subscriber.on('message', (topic, payload) => {
    if (topic.includes('/up/')) heard.push({ topic, type: decodeUplink(new Uint8Array(payload), table).type });
  });
  await subscriber.subscribeAsync('axon/#', { qos: 1 });

  const { code, stdout, stderr } = await run(['--duration', '8', '--plain', '--speed', '600', '--start-minutes', '55', '--uplink', 'mqtt', '--broker', url], HANG_GUARD_MS);
  t.is(code, 0, stderr);
  const published = Number(/mirror: (\d+) messages published on mqtt:\/\/demo:\*\*\*@127\.0\.0\.1:\d+\./.exec(stdout)?.[1]);
  t.true(published > 0, stdout.split('\n').slice(-6).join('\n'));
  t.notRegex(stdout, /demo:pw@/, 'the password stays off the screen');
  t.true(heard.some((h) => h.topic.startsWith(`axon/${site.id}/up/`) && h.type === 'batch'), 'batches reached the external broker and decode');
  t.true(heard.some((h) => h.type === 'alert' || h.type === 'alerts'), 'so did the storm\'s alerts');
});

test.serial('npm start --broker with a broker that is not there fails with the address and a fix', async (t) => {
  const { code, stderr } = await run(['--uplink', 'mqtt', '--broker', 'mqtt://127.0.0.1:1', '--duration', '5'], HANG_GUARD_MS);
  t.is(code, 2);
  t.regex(stderr, /--broker mqtt:\/\/127\.0\.0\.1:1: cannot connect/);
  const bad = await run(['--broker', 'localhost:1883'], HANG_GUARD_MS);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--broker must be an mqtt:\/\/ or mqtts:\/\/ URL/);
});

function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test.serial('the live view in an 80x24 tmux terminal: active alarms on screen, no row wider than 80 columns', async (t) => {
  if (!tmuxAvailable()) {
    t.fail('tmux is not installed (apt-get install tmux); the 80x24 rendering is also checked in firmware/rpi/demo/live-view.test.ts');
    return;
  }
  const socket = `axon-test-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const command = `cd ${JSON.stringify(root)} && exec ${JSON.stringify(process.execPath)} --import tsx firmware/rpi/start.ts --uplink mqtt --speed 600 --start-minutes 58`;
  tmux('new-session', '-d', '-x', '80', '-y', '24', command);
  t.teardown(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });
  // Wait (hang guard only) until the storm has raised alarms and the screen shows them.
  const deadline = Date.now() + HANG_GUARD_MS;
  let screen = '';
  for (;;) {
    screen = tmux('capture-pane', '-p', '-J', '-t', '0');
    if (/^ALARMS {2}[1-9]\d* active$/m.test(screen) && /^(CRITICAL|WARNING) /m.test(screen)) break;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  t.log(screen);
  const rows = screen.replace(/\n+$/, '').split('\n');
  t.true(rows.length <= 24, `${rows.length} rows`);
  // -J joins rows the terminal wrapped: a joined row longer than 80 columns would be a wrapped one.
  for (const row of rows) t.true([...row].length <= 80, `${[...row].length} columns: ${row}`);
  t.regex(rows[0], /^Axon gateway · /, 'the title is still the first row: nothing scrolled');
  t.regex(screen, /^ALARMS {2}[1-9]\d* active$/m);
  t.regex(screen, /^(CRITICAL|WARNING) +\S.* (level|pressure|temperature|smoke_alarm|heat_alarm) .*(> |< |alarm when on)/m, 'an alarm row with value and threshold');
});
