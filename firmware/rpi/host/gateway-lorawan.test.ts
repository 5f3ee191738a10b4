/**
 * LoRaWAN on the Raspberry Pi host, with the chip simulators where the Pi's
 * SPI bus and GPIO lines would be:
 *
 *   host config file (radio + keys) → loadHostConfig (schema, site checks)
 *   → startHostLoraWan (host-lorawan.ts: the core's MAC, SX126x/SX127x driver
 *     opened by host-radio.ts on the configured spidev and pins)
 *   → chip simulator (command/register level) → simulated LoRa channel
 *   → network-server simulator (lora-packet side) and the ack service
 *
 * with the demo site's simulated devices feeding the gateway, all in virtual
 * time, for a simulated day. Assertions are on what the network server
 * decoded, on the air (receive windows against the downlinks' start times)
 * and on the chip's own view (no BUSY violation, sync word, IQ).
 * `axon gateway check` on the same kind of files is tested at the end.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MINUTE, demoSubset } from '../../../drivers/gateway/test-support.js';
import type { SiteFile } from '../../../drivers/gateway/site.js';
import { JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS, RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS } from '../../../drivers/lorawan/mac/rx-windows.js';
import type { DigitalInput, DigitalOutput } from '../../../drivers/ports/digital.js';
import { MemoryKeyValueStore } from '../../../drivers/ports/storage.js';
import type { SpiDevice } from '../../../drivers/ports/spi.js';
import { runCli } from '../../../sdk/cli/test-kit.js';
import { APP_KEY, JOIN_EUI, gatewayOverNetworkServer } from '../../../simulators/lorawan-ns/gateway-bench.js';
import { Sx126xChip, Sx127xChip, rxWindowOffsets, type SimulatedDeviceRadio } from '../../../simulators/radio/index.js';
import type { VirtualClock } from '../../../drivers/ports/virtual-clock.js';
import { loadHostConfig, type HostConfig } from './host-config.js';
import { startHostLoraWan } from './host-lorawan.js';
import { isSpiRadio, type RadioHostParts } from './host-radio.js';
import { readSecret } from './host-uplink.js';

const HOUR = 60 * MINUTE;
const DEV_EUI = '0004a30b001c0901';

/** The chip's lines by the GPIO numbers the config gives them: a wrong pin in the host module opens the wrong line. */
function chipParts(spiPath: string, chip: { spi: SpiDevice }, lines: Record<number, DigitalInput | DigitalOutput>): RadioHostParts {
  return {
    openSpi: (device) => {
      if (device !== spiPath) throw new Error(`opened ${device}, the radio is on ${spiPath}`);
      return chip.spi;
    },
    input: (line) => lines[line] as DigitalInput,
    output: (line) => lines[line] as DigitalOutput,
  };
}

function lorawanSite(): SiteFile {
  const site = demoSubset(['underpass-longhua', 'smoke-pump-room']);
  site.uplink = { kind: 'lorawan', region: 'EU868', activation: 'otaa', dataRate: 5, adr: true };
  return site;
}

function writeConfig(dir: string, radio: unknown, extra: Partial<HostConfig> = {}): string {
  const appKeyFile = path.join(dir, 'appkey');
  writeFileSync(appKeyFile, `${APP_KEY}\n`, { mode: 0o600 });
  const file = path.join(dir, `host-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({
    buses: { 'rs485-1': { port: '/dev/ttyUSB0' } },
    radio,
    lorawan: { devEui: DEV_EUI, joinEui: JOIN_EUI, appKeyFile },
    ...extra,
  }));
  return file;
}

interface ChipView {
  busyViolations?: number;
  rxWindows: Array<{ openedMs: number; outcome: 'packet' | 'timeout' | 'open'; invertIq: boolean }>;
  transmissions: Array<{ onAir: boolean }>;
}

async function simulatedDay(t: import('ava').ExecutionContext, radio: Record<string, unknown>, makeChip: (front: SimulatedDeviceRadio, clock: VirtualClock) => { chip: ChipView; parts: RadioHostParts }): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-lorawan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = lorawanSite();
  const config = loadHostConfig(writeConfig(dir, radio), site);
  let chip: ChipView | undefined;
  const logLines: string[] = [];
  const bench = gatewayOverNetworkServer({
    region: 'EU868',
    seed: 14,
    devEui: DEV_EUI,
    pathLossDb: 110,
    pipeline: { devices: ['underpass-longhua', 'smoke-pump-room'], gateway: { flushEveryMs: 15 * MINUTE }, sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 9 * 60, durationMinutes: 20 } } } } },
    macFor: (front, clock) => {
      const made = makeChip(front, clock);
      chip = made.chip;
      const radio = config.radio;
      if (!isSpiRadio(radio) || config.lorawan === undefined) throw new Error('the config lost its SPI radio');
      return startHostLoraWan({ site, radio, keys: config.lorawan, clock, store: new MemoryKeyValueStore(), log: (line) => logLines.push(line), readSecret, parts: made.parts }).mac;
    },
  });
  t.teardown(bench.close);
  const { p, ns, mac, nsEvents, clock } = bench;
  p.gateway.start();
  await p.until(24 * HOUR);
  p.gateway.flush();
  await p.until(24 * HOUR + 20 * MINUTE);

  t.true(mac.joined, `joined (${logLines.join('; ')})`);
  t.true(logLines.some((l) => l.startsWith('LoRaWAN: joined')), 'the host logged the join');
  const stats = p.gateway.stats();
  const decoded = nsEvents.flatMap((e) => (e.type === 'up' && e.fPort !== undefined && e.fPort > 0 && e.decoded !== undefined ? [{ decoded: e.decoded, duplicate: e.duplicate === true }] : []));
  const readings = decoded.flatMap((h) => (h.decoded.type === 'batch' && !h.duplicate ? h.decoded.readings : []));
  t.true(readings.length > 24 * 4, `a day of readings reached the network server (${readings.length})`);
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the network, decoded by the server');
  t.is(new Set(readings.map((r) => `${r.device}.${r.point}@${r.t}`)).size, readings.length, 'none twice');
  t.true(decoded.some((h) => h.decoded.type === 'alert' || h.decoded.type === 'alerts'), 'the smoke alarm went up as an alert');
  t.is(stats.store.pendingAlerts, 0, 'no alert waits');
  t.is(ns.stats.rejected.mic, 0, 'no MIC failure');
  t.is(ns.stats.rejected.replay, 0, 'no counter replay');
  t.is(ns.stats.downlinksSent, ns.stats.downlinksPlanned, 'every planned downlink went on the air');

  const view = chip as ChipView;
  t.is(view.busyViolations ?? 0, 0, 'the driver never sent a command while BUSY was high');
  t.true(view.transmissions.length > 24 * 4 && view.transmissions.every((x) => x.onAir), `every packet the chip sent reached the gateway (${view.transmissions.length})`);
  const offsets = rxWindowOffsets(bench.channel, 'axon-gw', view.rxWindows, { join: [JOIN_ACCEPT_DELAY1_MS, JOIN_ACCEPT_DELAY2_MS], data: [RECEIVE_DELAY1_MS, RECEIVE_DELAY2_MS] });
  const withDownlink = offsets.filter((o) => o.downlink);
  t.true(withDownlink.length >= 3, `windows with a downlink measured (${withDownlink.length} of ${offsets.length})`);
  const worst = Math.max(...offsets.map((o) => Math.abs(o.offsetMs)));
  t.true(offsets.every((o) => o.offsetMs <= 0 && o.offsetMs >= -20), `every window opened within 20 ms before the RX time (worst ${worst.toFixed(1)} ms over ${offsets.length} windows)`);
  t.true(withDownlink.every((o) => o.received), 'and received the downlink sent in it');
  t.log(`${offsets.length} windows, worst offset ${worst.toFixed(1)} ms; ${readings.length} readings; ${view.transmissions.length} packets; virtual ${(clock.now() / HOUR).toFixed(1)} h`);
}

test('a Pi gateway with the SX1262 simulator joins the network-server simulator and delivers a simulated day', async (t) => {
  const radio = { type: 'sx1262', spi: '/dev/spidev0.0', pins: { busy: 532, dio1: 528, reset: 530 }, tcxo: { voltage: 1.8 } };
  await simulatedDay(t, radio, (front, clock) => {
    const chip = new Sx126xChip({ clock, front, tcxo: 1.8 });
    return { chip, parts: chipParts('/dev/spidev0.0', chip, { 532: chip.busy, 528: chip.dio1, 530: chip.reset }) };
  });
});

test('a Pi gateway with the SX1276 simulator joins the network-server simulator and delivers a simulated day', async (t) => {
  const radio = { type: 'sx1276', spi: '/dev/spidev0.1', pins: { dio0: 516, reset: 529 } };
  await simulatedDay(t, radio, (front, clock) => {
    const chip = new Sx127xChip({ clock, front });
    return { chip, parts: chipParts('/dev/spidev0.1', chip, { 516: chip.dio0, 529: chip.reset }) };
  });
});

test('axon gateway check: a LoRaWAN site with a radio and keys passes; a wrong chip, missing keys and a pin used twice are refused', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-lorawan-check-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = lorawanSite();
  site.outputs = [];
  site.rules = (site.rules ?? []).map((rule) => ({ ...rule, action: undefined }));
  const siteFile = path.join(dir, 'site.json');
  writeFileSync(siteFile, JSON.stringify(site));
  const check = (config: string) => runCli(['gateway', 'check', '--site', siteFile, '--config', config, '--data', path.join(dir, 'data')]);

  const good = await check(writeConfig(dir, { type: 'sx1262', spi: '/dev/spidev0.0', pins: { busy: 532, dio1: 528, reset: 530 }, tcxo: { voltage: 1.8 } }));
  t.is(good.code, 0, good.stderr);
  t.regex(good.stdout, /uplink lorawan EU868 via sx1262 on \/dev\/spidev0\.0/);
  t.regex(good.stderr, /warning: .*\$\.radio\.spi: \/dev\/spidev0\.0 does not exist \(yet\)\. Fix: enable SPI/, 'no SPI on this machine: a warning');

  const sx1278 = await check(writeConfig(dir, { type: 'sx1278', spi: '/dev/spidev0.0', pins: { dio0: 516 } }));
  t.is(sx1278.code, 1);
  t.regex(sx1278.stderr, /\$\.radio\.type: an SX1278 tunes 137–525 MHz and the site's region EU868 uses 868\.1 MHz\. Fix: use a module whose chip covers EU868/);

  const twice = await check(writeConfig(dir, { type: 'sx1276', spi: '/dev/spidev0.0', pins: { dio0: 516, reset: 516 } }));
  t.is(twice.code, 1);
  t.regex(twice.stderr, /\$\.radio\.pins\.reset: GPIO 516 is already used by radio dio0/);

  const typo = await check(writeConfig(dir, { type: 'sx1262', spi: '/dev/spidev0.0', pins: { busy: 532, dio: 528 } }));
  t.is(typo.code, 1);
  t.regex(typo.stderr, /\$\.radio\.pins\.dio1: required field "dio1" is missing/);
  t.regex(typo.stderr, /\$\.radio\.pins\.dio: unknown field "dio"/);
  t.notRegex(typo.stderr, /dio0/, 'only the SX126x alternative is reported');

  // The example of docs/rpi-gateway.md, with its /etc/axon file and the Pi's GPIO tree replaced by this machine's stand-ins.
  const example = JSON.parse(readFileSync('firmware/rpi/host/examples/host-lorawan.json', 'utf8')) as { gpioRoot?: string; lorawan: { appKeyFile: string } };
  const gpioRoot = path.join(dir, 'gpio');
  for (const line of [529, 539, 534]) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  writeFileSync(path.join(dir, 'appkey'), `${APP_KEY}\n`, { mode: 0o600 });
  Object.assign(example, { gpioRoot, lorawan: { ...example.lorawan, appKeyFile: path.join(dir, 'appkey') } });
  writeFileSync(path.join(dir, 'example.json'), JSON.stringify(example), { mode: 0o600 });
  const exampleCheck = await runCli(['gateway', 'check', '--site', 'firmware/rpi/host/examples/site-lorawan.json', '--config', path.join(dir, 'example.json'), '--data', path.join(dir, 'data')]);
  t.is(exampleCheck.code, 0, `the LoRaWAN example in docs/rpi-gateway.md is valid: ${exampleCheck.stderr}`);
  t.regex(exampleCheck.stdout, /uplink lorawan EU868 via sx1262 on \/dev\/spidev0\.0/);

  const noKeys = path.join(dir, 'no-keys.json');
  writeFileSync(noKeys, JSON.stringify({ buses: { 'rs485-1': { port: '/dev/ttyUSB0' } }, radio: { type: 'sx1276', spi: '/dev/spidev0.0', pins: { dio0: 516 } } }));
  const missing = await check(noKeys);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /\$\.lorawan: the site joins by OTAA and the host config lacks devEui, joinEui, appKey/);
});

test('axon gateway run on a LoRaWAN site takes the radio path: on a machine without SPI it stops at start with the fix, and releases the data directory', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-lorawan-run-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const example = JSON.parse(readFileSync('firmware/rpi/host/examples/host-lorawan.json', 'utf8')) as { lorawan: { appKeyFile: string } };
  const gpioRoot = path.join(dir, 'gpio');
  for (const line of [529, 539, 534]) mkdirSync(path.join(gpioRoot, `gpio${line}`), { recursive: true });
  writeFileSync(path.join(dir, 'appkey'), `${APP_KEY}\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ ...example, gpioRoot, lorawan: { ...example.lorawan, appKeyFile: path.join(dir, 'appkey') } }), { mode: 0o600 });
  const run = await runCli(['gateway', 'run', '--site', 'firmware/rpi/host/examples/site-lorawan.json', '--config', path.join(dir, 'host.json'), '--data', path.join(dir, 'data'), '--duration', '2']);
  t.is(run.code, 1, run.stdout + run.stderr);
  t.regex(run.stderr, /cannot open \/dev\/spidev0\.0: .*Fix: enable SPI/);
  t.notRegex(run.stderr, /HOST_UPLINK_UNSUPPORTED|cannot run on this host/);
  t.false(existsSync(path.join(dir, 'data', 'gateway.pid')), 'the data directory lock is released');
});
