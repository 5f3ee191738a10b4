/**
 * A simulated day of a Pi gateway with LoRaWAN through a RUI3 module on a
 * pty, as gateway-lorawan.test.ts does for the SX1262 and SX1276:
 *
 *   host config file (radio rui3, port, keys) → loadHostConfig (schema, site checks)
 *   → startRui3Uplink (rui3-uplink.ts: ReconnectingStream, serialport's real
 *     bindings, the RUI3 driver) → socat pty → the module simulator
 *     (serialport again) → its MAC on the simulated LoRa channel
 *   → the network-server simulator (lora-packet side) and the ack service
 *
 * with the demo site's simulated devices feeding the gateway. Host and module
 * share one virtual clock that stands still while any byte is on the pty
 * (simulators/line-idle-clock.ts, docs/rui3.md): every AT command and +EVT
 * line of the day crosses the kernel's pty, and the day takes seconds.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoSubset, MINUTE, Pipeline } from '../../../drivers/gateway/test-support.js';
import { siteChannelTable } from '../../../drivers/gateway/site-channels.js';
import { alertsIn, decodeUplink } from '../../../sdk/codec/decode-uplink.js';
import { shippedManifests } from '../../../sdk/site/demo-site.js';
import type { UpEvent } from '../../../simulators/lorawan-ns/events.js';
import { BytesInFlight, LineIdleClock } from '../../../simulators/line-idle-clock.js';
import { runRui3Simulator } from '../../../simulators/rui3/run-rui3-sim.js';
import { openSerialStream } from '../ports/serial-stream.js';
import { loadHostConfig } from './host-config.js';
import { startRui3Uplink } from './rui3-uplink.js';
import { until } from './test-support.js';

const HOUR = 60 * MINUTE;
const DEVICES = ['underpass-longhua', 'smoke-pump-room'];
const DEVICE = { devEui: 'AC1F09FFFE0A0B0D', joinEui: '70B3D57ED0000000', appKey: '2B2C2D2E2F303132333435363738393A' };

test('a Pi gateway with the RUI3 module simulator on a pty joins the network-server simulator and delivers a simulated day', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-pi-rui3-day-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const site = demoSubset(DEVICES);
  site.uplink = { kind: 'lorawan', region: 'EU868', activation: 'otaa', dataRate: 5, adr: true };
  const table = siteChannelTable(site, shippedManifests());
  const moduleLink = path.join(dir, 'ttyRUI3');
  const keyFile = path.join(dir, 'appkey');
  writeFileSync(keyFile, `${DEVICE.appKey}\n`, { mode: 0o600 });
  const configFile = path.join(dir, 'host.json');
  writeFileSync(configFile, JSON.stringify({
    buses: { 'rs485-1': { port: '/dev/ttyUSB0' } },
    radio: { type: 'rui3', port: moduleLink, devEui: DEVICE.devEui, joinEui: DEVICE.joinEui, appKeyFile: keyFile },
  }));
  const config = loadHostConfig(configFile, site);
  if (config.radio?.type !== 'rui3' || site.uplink.kind !== 'lorawan') throw new Error('the config lost its RUI3 radio');

  const lines = new BytesInFlight();
  const clock = new LineIdleClock({ lines, unixEpochMs: Date.UTC(2026, 6, 15, 8) });
  const module = await runRui3Simulator({ pty: moduleLink, region: 'EU868', device: DEVICE, channels: table, seed: 14, shared: { clock, lines } });
  t.teardown(() => module.close());
  const ups: UpEvent[] = [];
  let joins = 0;
  module.ns.onEvent((event) => {
    if (event.type === 'up' && (event.fPort ?? 0) > 0) ups.push(event);
    if (event.type === 'join') joins++;
  });

  const logLines: string[] = [];
  const radio = config.radio;
  const host = startRui3Uplink(site.uplink, radio, clock, (line) => logLines.push(line), async () => lines.watch(await openSerialStream({ path: radio.port, baud: radio.baud ?? 115200 })));
  t.teardown(() => host.close());
  // Opening the port is real I/O: wait for it before time starts (the driver's first AT went nowhere, as on a module still booting).
  await until(() => logLines.includes(`radio port ${moduleLink}: open`), 'the host to open the module port', 20_000, () => logLines.join('\n'));

  const p = new Pipeline({
    devices: DEVICES,
    clock,
    uplinkPort: host.port,
    gateway: { flushEveryMs: 15 * MINUTE },
    sim: { models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 9 * 60, durationMinutes: 20 } } } },
  });
  p.gateway.start();
  await p.until(24 * HOUR);
  p.gateway.flush();
  await p.until(24 * HOUR + 20 * MINUTE);

  t.true(logLines.some((line) => line === 'radio rui3 joined'), `joined (${logLines.slice(-6).join('; ')})`);
  t.is(joins, 1, 'one join for the day');
  const heard = ups.map((u) => ({ ...decodeUplink(u.payload, table), confirmed: u.confirmed, duplicate: module.acks?.verdictOf(u)?.duplicate === true }));
  const stats = p.gateway.stats();
  const readings = heard.flatMap((h) => (h.type === 'batch' && !h.duplicate ? h.readings.map((r) => `${r.device}.${r.point}@${r.t}`) : []));
  t.true(readings.length > 24 * 4 * DEVICES.length, `a day of readings reached the network server (${readings.length})`);
  t.is(readings.length, stats.samples - stats.queuedSamples, 'every sample taken reached the network, decoded by the server');
  t.is(new Set(readings).size, readings.length, 'none twice');
  t.true(heard.every((h) => h.warnings.length === 0), 'every payload decodes cleanly with the site\'s table');
  const alerts = heard.flatMap((h) => alertsIn(h).map((a) => `${a.rule} ${a.state}`));
  t.true(alerts.includes('smoke-pump-room-smoke raised') && alerts.includes('smoke-pump-room-smoke cleared'), `the smoke alarm went up and cleared as alerts (${alerts.join(', ')})`);
  t.true(heard.filter((h) => h.type === 'alert' || h.type === 'alerts').every((h) => h.confirmed), 'alerts went confirmed (AT+CFM=1)');
  t.true(heard.filter((h) => h.type === 'batch').every((h) => !h.confirmed), 'data went unconfirmed (AT+CFM=0)');
  t.is(stats.store.pendingAlerts, 0, 'no alert waits');
  t.true(module.simulator.stats.downlinks > 0, `the platform's data-acks came down as +EVT:RX (${module.simulator.stats.downlinks})`);
  t.true(stats.store.pendingReadings <= (stats.uplink.awaitingAck ?? 0), 'the log holds only frames since the last data-ack');
  t.deepEqual(module.ns.stats.rejected, { outage: 0, malformed: 0, unsupported: 0, 'unknown-device': 0, mic: 0, replay: 0, 'devnonce-replay': 0 }, 'the network server rejected nothing');

  // Every frame went through the pty as AT+SEND; nothing is left on the line.
  const sends = module.simulator.received.filter((line) => line.startsWith('AT+SEND='));
  t.is(sends.length, module.simulator.stats.uplinks, 'one AT+SEND per uplink the module made');
  t.true(ups.length >= sends.length - 1 && ups.length <= sends.length, `the network heard the frames sent (${ups.length} of ${sends.length})`);
  t.is(lines.count, 0);
  t.log(`${module.simulator.received.length} AT commands, ${lines.written} bytes over the pty; ${ups.length} uplinks, ${readings.length} readings, ${module.simulator.stats.downlinks} downlinks; virtual ${(clock.now() / HOUR).toFixed(1)} h`);
  await p.close();
  t.deepEqual(p.errors(), []);
});
