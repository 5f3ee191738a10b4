/**
 * firmware/esp32/main.ts on a LoRaWAN site, inside the real XS engine
 * (xsnap), with the board tables of firmware/esp32/boards: the Heltec WiFi
 * LoRa 32 V3 (SX1262) and the TTGO LoRa32 V2.1 (SX1276). The doubles of
 * `embedded:io/spi` and `embedded:io/digital` connect the board's SPI chip
 * select and radio lines to the chip simulators (simulators/radio) on a
 * simulated LoRa channel, with the MAC's test network and the reference ack
 * service behind it (test-host/radio-wiring.ts). The site is the ESP32 demo
 * site with its uplink switched to LoRaWAN (EU868, OTAA); its devices are the
 * simulated RS-485 devices on UART1/UART2, as in main-xs.test.ts.
 *
 * Checked from outside the program: the join and data frames the network
 * decrypted and the platform decodes, the receive windows against the
 * downlinks' start times, the chip's BUSY handshake, the pins claimed.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildChannelTable } from '../../drivers/batch/channels.js';
import { fromHex } from '../../drivers/bytes.js';
import { siteRules } from '../../drivers/rules/defaults.js';
import { decodeUplink } from '../../sdk/codec/decode-uplink.js';
import { loadShippedManifests, loadSiteFile } from '../../sdk/site/validate.js';
import type { BoardConfig } from './board.js';
import { CompileSiteError, compileSite } from './compile-site.js';
import type { RadioReport } from './test-host/radio-wiring.js';
import { withHarness } from './test-host/run-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const MINUTE = 60_000;
const RUN_MS = 30 * MINUTE;
const KEYS = { devEui: '70b3d57ed00e5a01', joinEui: '70b3d57ed0000000', appKey: '8e2f91ab17c44d0b9a6e3c5f10d2b7a4' };

interface Files {
  dir: string;
  site: string;
  board: string;
}

/** The ESP32 demo site over LoRaWAN EU868, and `boardTable` with this device's keys. */
function lorawanFiles(boardTable: string, keys: object | null = KEYS): Files {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axon-esp32-lorawan-'));
  const site = JSON.parse(readFileSync(path.join(root, 'manifests/sites/demo-esp32.json'), 'utf8')) as Record<string, unknown>;
  site.uplink = { kind: 'lorawan', region: 'EU868', activation: 'otaa', dataRate: 5, adr: true };
  delete site.$schema;
  const board = JSON.parse(readFileSync(path.join(here, 'boards', boardTable), 'utf8')) as Record<string, unknown>;
  if (keys !== null) board.lorawan = keys;
  const files = { dir, site: path.join(dir, 'site.json'), board: path.join(dir, 'board.json') };
  writeFileSync(files.site, JSON.stringify(site));
  writeFileSync(files.board, JSON.stringify(board));
  return files;
}

interface Report {
  trace: string[];
  pins: Record<string, { mode: string; level: number }>;
  stats: { polls: number; failedPolls: number; samples: number; queuedSamples: number; alerts: number; framesSent: number; store: { pendingAlerts: number; pendingReadings: number }; uplink?: { alertFramesAwaitingAck?: number } };
  lorawan: RadioReport;
}

async function runBoard(boardTable: string): Promise<{ report: Report; board: BoardConfig; seconds: number }> {
  const files = lorawanFiles(boardTable);
  const started = Date.now();
  try {
    const report = await withHarness(files, async (command) => {
      await command(`setup ${JSON.stringify({ models: { 'smoke-pump-room': { smoke_alarm: { model: 'alarm', startMinutes: 12, durationMinutes: 3 } } } })}`);
      await command('boot');
      for (let t = 0; t < RUN_MS; t += MINUTE) await command(`advance ${MINUTE}`);
      return command<Report>('report');
    });
    return { report, board: JSON.parse(readFileSync(files.board, 'utf8')) as BoardConfig, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
  }
}

/** The platform's decoding: the channel table of the same site (buses, devices and rules; the uplink kind does not enter it). */
function decodeAll(report: Report) {
  const manifests = loadShippedManifests();
  const site = loadSiteFile(path.join(root, 'manifests/sites/demo-esp32.json'), { manifests });
  const table = buildChannelTable(site, manifests, { rules: siteRules(site, manifests) });
  return report.lorawan.uplinks.filter((u) => u.fPort !== undefined && u.fPort > 0).map((u) => decodeUplink(fromHex(u.hex), table));
}

for (const [boardTable, chip] of [['heltec-wifi-lora-32-v3.json', 'SX1262'], ['ttgo-lora32-v21.json', 'SX1276']] as const) {
  test(`ESP32 app in XS on the ${boardTable.replace('.json', '')} table: joins through the ${chip} simulator and delivers readings and the alarm`, async (t) => {
    const { report, board, seconds } = await runBoard(boardTable);
    t.log(`XS: ${RUN_MS / MINUTE} virtual minutes in ${seconds.toFixed(1)} s; ${report.lorawan.uplinks.length} frames decrypted by the network`);
    t.log(report.trace.slice(0, 6).join('\n'));
    t.regex(report.trace[0], new RegExp(`LoRaWAN EU868 OTAA through an ${chip}`), 'the boot line names the radio');
    t.true(report.trace.some((l) => /LoRaWAN joined, DevAddr 26000e5a/.test(l)), 'joined');
    t.is(report.lorawan.joinRequests, 1, 'at the first join request');
    t.deepEqual(report.lorawan.problems, [], 'no MIC failure or counter reuse at the network');
    const radio = board.radio;
    t.is(report.pins[radio?.spi.select ?? -1]?.mode, 'SPI', 'the SPI bus on the board table\'s pins');
    t.is(report.lorawan.busyViolations, 0, 'no command sent while BUSY was high');
    const decoded = decodeAll(report);
    const readings = decoded.flatMap((d) => (d.type === 'batch' ? d.readings : []));
    t.true(readings.length > 50, `readings decoded by the platform (${readings.length})`);
    t.true(decoded.some((d) => d.type === 'alert' && d.alert.rule === 'smoke-pump-room-smoke' && d.alert.state === 'raised'), 'the smoke alarm arrived as an alert');
    // Alerts go unconfirmed and wait in the log only while their frames await the platform's next data-ack.
    t.true(report.stats.store.pendingAlerts === 0 || (report.stats.uplink?.alertFramesAwaitingAck ?? 0) > 0, 'no alert waits unsent');
    const offsets = report.lorawan.rxOffsets;
    t.true(offsets.some((o) => o.downlink), 'receive windows with a downlink were measured');
    for (const o of offsets) t.true(o.offsetMs <= 0 && o.offsetMs >= -20, `RX${o.window} opened ${o.offsetMs.toFixed(1)} ms from the downlink time`);
    t.true(offsets.filter((o) => o.downlink).every((o) => o.received), 'every downlink in a window was received');
  });
}

test('compile-site: a LoRaWAN site needs the board\'s keys, and a board whose chip cannot tune the region is refused', (t) => {
  const noKeys = lorawanFiles('heltec-wifi-lora-32-v3.json', null);
  try {
    const error = t.throws(() => compileSite({ site: noKeys.site, board: noKeys.board }), { instanceOf: CompileSiteError }) as CompileSiteError;
    t.true(error.problems.some((p) => p.includes("the site joins by OTAA and the board config's lorawan lacks devEui, joinEui, appKey")), error.message);
    const board = JSON.parse(readFileSync(noKeys.board, 'utf8')) as BoardConfig;
    writeFileSync(noKeys.board, JSON.stringify({ ...board, lorawan: KEYS, radio: { ...board.radio, type: 'sx1268' } }));
    const band = t.throws(() => compileSite({ site: noKeys.site, board: noKeys.board }), { instanceOf: CompileSiteError }) as CompileSiteError;
    t.true(band.problems.some((p) => p.includes('an SX1268 tunes 410–810 MHz and the site\'s region EU868 uses')), band.message);
    writeFileSync(noKeys.board, JSON.stringify({ ...board, lorawan: KEYS, radio: { ...board.radio, pins: { busy: 13, dio1: 4 } } }));
    const pins = t.throws(() => compileSite({ site: noKeys.site, board: noKeys.board }), { instanceOf: CompileSiteError }) as CompileSiteError;
    t.true(pins.problems.some((p) => p.includes('GPIO 4 is already used by radio DIO1')), pins.message);
  } finally {
    rmSync(noKeys.dir, { recursive: true, force: true });
  }
});
