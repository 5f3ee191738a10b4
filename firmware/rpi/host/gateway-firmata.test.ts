/**
 * `axon gateway run` with relay outputs on a Firmata I/O board named in the
 * host config ("firmata": { "relays": { "port" } }, outputs { "board", "pin" }),
 * end to end with real parts: the launcher as a child process; its RS-485 bus
 * a socat pty with the simulated devices on the far end; the relay board the
 * project's StandardFirmata simulator (simulators/firmata) on the far end of
 * a second pty, both opened with serialport's real bindings, johnny-five and
 * firmata-io on the gateway's side. The simulator logs every electrical
 * change of its pins, which is what the relays see.
 *
 * The board plays a Pico (no reset when the port opens, so it announces
 * nothing): firmata-io asks for the version after its 5 s wait.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { demoSubset } from '../../../drivers/gateway/test-support.js';
import { CliProcess, runCli } from '../../../sdk/cli/test-kit.js';
import { FirmataDeviceSimulator } from '../../../simulators/firmata/firmata-device.js';
import { createPtyPair } from '../../../simulators/pty.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import { openSerialStream } from '../ports/serial-stream.js';
import { loadHostConfig } from './host-config.js';
import { preflight } from './preflight.js';
import { FarSide, until } from './test-support.js';

const BUZZER_PIN = 7; // an opto-isolated, active-low relay
const BARRIER_PIN = 8; // an active-high relay
const LIGHT_GPIO = 539; // the warning light stays on the Pi's own GPIO (sysfs): the two kinds mix

test('axon gateway run drives relays on a Firmata board: inactive from the first instant, energised on the alarm and released when it clears', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-firmata-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // The smoke alarm holds the buzzer on while it lasts.
  const site = demoSubset(['smoke-pump-room']);
  site.buses[0].port = 'sim:not-on-this-pi';
  for (const device of site.buses[0].devices) device.pollPeriodS = 2;
  for (const rule of site.rules ?? []) if (rule.id === 'smoke-pump-room-smoke') rule.action = { output: 'buzzer', mode: 'on' };
  site.uplink = { kind: 'mqtt', url: 'mqtt://127.0.0.1:9' }; // no broker: the log holds what cannot be sent
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site, null, 2));

  // The relay board on its pty.
  const boardLink = path.join(dir, 'ttyACM0');
  const boardPty = await createPtyPair({ linkA: boardLink, linkB: path.join(dir, 'ttyBoard') });
  t.teardown(() => boardPty.close());
  const boardEnd = await openSerialStream({ path: boardPty.pathB, baud: 57600 });
  t.teardown(() => boardEnd.close());
  const board = new FirmataDeviceSimulator({ stream: boardEnd, now: () => Date.now() });
  const levels = (pin: number) => board.levels.get(pin)?.map((entry) => entry.level);

  const gpioRoot = path.join(dir, 'gpio');
  mkdirSync(path.join(gpioRoot, `gpio${LIGHT_GPIO}`), { recursive: true });
  const gatewayLink = path.join(dir, 'ttyRS485');
  const config = {
    gatewayId: 'pi-firmata-01',
    buses: { [site.buses[0].id]: { port: gatewayLink, reopenMs: 300 } },
    firmata: { relays: { port: boardLink } },
    outputs: { buzzer: { board: 'relays', pin: BUZZER_PIN, activeLow: true }, 'barrier-relay': { board: 'relays', pin: BARRIER_PIN }, 'warning-light': { gpio: LIGHT_GPIO } },
    gpioRoot,
    gateway: { flushEveryMs: 3000, statusEveryMs: 600_000 },
  };
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  // 1. gateway check accepts it and names the board; mistakes in the Firmata wiring are refused with a fix
  //    (by the preflight in process: the verdict `gateway check` prints and `gateway run` obeys).
  const checked = await runCli(['gateway', 'check', '--site', siteFile, '--config', configFile, '--data', path.join(dir, 'data')]);
  t.is(checked.code, 0, checked.stdout + checked.stderr);
  t.true(checked.stdout.includes(`output buzzer on Firmata board relays (${boardLink}) pin 7, active low`), checked.stdout);
  const refusals = (changes: Record<string, unknown>): string => {
    const file = path.join(dir, 'host-changed.json');
    writeFileSync(file, JSON.stringify({ ...config, ...changes }));
    const verdict = preflight({ site, siteFile, manifests: shippedManifests(), configFile: file, dataDir: path.join(dir, 'data') });
    return `(${verdict.refusals.length} refused)\n${verdict.refusals.map((p) => `${p.path}: ${p.message}. Fix: ${p.fix}`).join('\n')}`;
  };
  t.regex(refusals({ outputs: { ...config.outputs, buzzer: { board: 'relay', pin: BUZZER_PIN } } }),
    /\(1 refused\)\n\$\.outputs\["buzzer"\]\.board: output buzzer is on Firmata board 'relay', which the config does not define\. Fix: use one of relays/);
  t.regex(refusals({ outputs: { ...config.outputs, 'barrier-relay': { board: 'relays', pin: BUZZER_PIN } } }),
    /\(1 refused\)\n\$\.outputs\["barrier-relay"\]\.pin: pin 7 of Firmata board relays already drives output buzzer/);
  t.regex(refusals({ outputs: { ...config.outputs, buzzer: { board: 'relays', pin: BUZZER_PIN, gpio: 534 } } }),
    /\(1 refused\)\n\$\.outputs\["buzzer"\]: output buzzer must be wired one way: "line" \(and "chip"\) on the GPIO character device, "gpio" through sysfs, or "board" and "pin" on a Firmata board; it has "gpio", "board", "pin"\. Fix: keep one/);
  t.regex(refusals({ outputs: { ...config.outputs, buzzer: { board: 'relays' } } }), /\(1 refused\)\n\$\.outputs\["buzzer"\]: .*; it has "board"\. Fix: keep one/);
  t.regex(refusals({ firmata: { relays: { port: path.join(dir, 'ttyACM9') } } }),
    /\(1 refused\)\n\$\.firmata\["relays"\]\.port: Firmata board relays: serial port \S+ttyACM9 does not exist, and the gateway does not start without its relay board\. Fix: plug in/);
  t.regex(refusals({ firmata: { relays: { port: boardLink }, spare: { port: boardLink } } }), /\$\.firmata\["spare"\]: no output of the site uses Firmata board spare/);
  t.regex(refusals({ firmata: { relays: { port: boardLink, baud: 57601 } } }), /\$\.firmata\.relays\.baud: /);

  // The example of docs/rpi-gateway.md fits the example site.
  const exampleSite = JSON.parse(readFileSync('firmware/rpi/host/examples/site.json', 'utf8')) as SiteFile;
  const example = loadHostConfig('firmware/rpi/host/examples/host-firmata.json', exampleSite);
  t.deepEqual(example.outputs?.['barrier-relay'], { board: 'relays', pin: 7, activeLow: true });

  // 2. Run: the gateway opens the board (handshake through johnny-five), the relays come up inactive.
  const gateway = new CliProcess(['gateway', 'run', '--site', siteFile, '--config', configFile, '--data', path.join(dir, 'data'), '--report-every', '0']);
  t.teardown(() => gateway.stop());
  const log = () => `gateway stdout:\n${gateway.stdout}\ngateway stderr:\n${gateway.stderr}`;
  await until(() => /Firmata board relays on \S+: StandardFirmata\.ino 2\.5/.test(gateway.stdout) && /output buzzer \(buzzer\) on Firmata board relays/.test(gateway.stdout), 'the gateway to open the relay board and start', 60_000, log);
  t.true(board.received.includes('f0 6b f7'), 'the gateway asked the board for its capabilities');
  t.deepEqual(levels(BUZZER_PIN), ['Z', 'pullup', 1], 'the active-low buzzer relay: floating, pulled up, driven high: never low');
  t.deepEqual(levels(BARRIER_PIN), ['Z', 0], 'the active-high barrier relay: floating, then driven low');

  // 3. The sensors come on line; the smoke alarm goes off a second in and clears six simulated minutes (seconds) later.
  const far = new FarSide(site, gatewayLink, path.join(dir, 'ttyDevices'), { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 1, durationMinutes: 6 } } });
  t.teardown(() => far.close());
  await far.plugIn();
  await until(() => /ALERT critical raised smoke-pump-room-smoke/.test(gateway.stdout), 'the smoke alarm', 30_000, log);
  await until(() => board.level(BUZZER_PIN) === 0, 'the buzzer relay to be energised (pin low)', 5000, log);
  await until(() => /ALERT critical cleared smoke-pump-room-smoke/.test(gateway.stdout), 'the smoke alarm to clear', 30_000, log);
  await until(() => board.level(BUZZER_PIN) === 1, 'the buzzer relay to be released (pin high)', 5000, log);
  t.deepEqual(levels(BUZZER_PIN), ['Z', 'pullup', 1, 0, 1], 'active only while the alarm lasted');
  t.deepEqual(levels(BARRIER_PIN), ['Z', 0], 'no flooding: the barrier relay never moved');

  // 4. The board's USB cable is pulled: the gateway says which relays are out of reach, and runs on.
  await boardPty.close();
  await until(() => /Firmata board relays on \S+ lost: .*; buzzer, barrier-relay cannot be switched until the gateway restarts/.test(gateway.stdout + gateway.stderr), 'the lost board in the log', 10_000, log);
  t.true(gateway.running);

  // 5. SIGTERM: a clean stop.
  gateway.child.kill('SIGTERM');
  const exit = await gateway.exited;
  t.is(exit.code, 0, log());
});

test('axon gateway run stops at start, with the fix, when the relay board never speaks Firmata', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-firmata-silent-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = demoSubset(['smoke-pump-room']);
  site.buses[0].port = path.join(dir, 'ttyRS485');
  site.uplink = { kind: 'mqtt', url: 'mqtt://127.0.0.1:9' };
  writeFileSync(path.join(dir, 'site.json'), JSON.stringify(site));
  const boardLink = path.join(dir, 'ttyACM0');
  const pty = await createPtyPair({ linkA: boardLink });
  t.teardown(() => pty.close());
  const silent = await openSerialStream({ path: pty.pathB, baud: 57600 });
  t.teardown(() => silent.close());
  const gpioRoot = path.join(dir, 'gpio');
  mkdirSync(path.join(gpioRoot, `gpio${LIGHT_GPIO}`), { recursive: true });
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify({
    firmata: { relays: { port: boardLink } },
    outputs: { buzzer: { board: 'relays', pin: BUZZER_PIN, activeLow: true }, 'barrier-relay': { board: 'relays', pin: BARRIER_PIN }, 'warning-light': { gpio: LIGHT_GPIO } },
    gpioRoot,
  }));
  const run = await runCli(['gateway', 'run', '--site', path.join(dir, 'site.json'), '--config', path.join(dir, 'host.json'), '--data', path.join(dir, 'data'), '--duration', '30']);
  t.is(run.code, 1, run.stdout + run.stderr);
  t.regex(run.stderr, /no Firmata handshake within 10000 ms.*Fix: flash StandardFirmata/);
});
