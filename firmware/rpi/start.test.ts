import test from 'ava';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSite } from '../../sdk/site/demo-site.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'firmware/rpi/start.ts', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('npm start runs the gateway pipeline on the demo site over real ptys and LoRaWAN: every device polled, no failed reads, data reaches the cloud through the network server', async (t) => {
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
  const cloud = /cloud \(LoRaWAN network server\) decoded (\d+) readings in (\d+) frames/.exec(stdout);
  t.true(Number(cloud?.[1]) > 0 && Number(cloud?.[2]) > 0, `batches crossed the simulated air and the network server, and decoded: ${cloud?.[0]}`);
});

test('npm start during the storm: water and fire alarms are raised and reach the cloud', async (t) => {
  // Over MQTT: a storm at 600× makes more alerts a second than a real radio link carries.
  const { code, stdout, stderr } = await run(['--duration', '8', '--plain', '--speed', '600', '--start-minutes', '55', '--uplink', 'mqtt'], 40_000);
  t.is(code, 0, stderr);
  t.regex(stdout, /ALERT WARNING raised underpass-longhua-ponding/);
  t.regex(stdout, /ALERT CRITICAL raised smoke-pump-room-smoke/);
  t.regex(stdout, /cloud received alert: CRITICAL raised underpass-longhua-ponding/);
  t.regex(stdout, /cloud received alert: CRITICAL raised smoke-pump-room-smoke/);
  t.regex(stdout, /0 point readings failed\./);
});

test('npm start --help explains the options; a bad option is refused', async (t) => {
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
