/**
 * The live table at 80×24 (drawn by the same function `npm start` uses, with
 * stats of a storm in progress): no row wider than 80 columns, at most 24 rows,
 * every active alarm on screen with its level, value and threshold before any
 * device, values with units at their points' decimals, labels shortened only
 * at word boundaries.
 */
import test from 'ava';
import type { PointReading } from '../../../drivers/devices/reading.js';
import type { GatewayStats } from '../../../drivers/gateway/gateway.js';
import type { ActiveAlarm } from '../../../drivers/rules/engine.js';
import { siteRules } from '../../../drivers/rules/defaults.js';
import { demoSite } from '../../../sdk/site/demo-site.js';
import { loadShippedManifests } from '../../../sdk/site/validate.js';
import type { CloudView } from './cloud.js';
import { LiveView, mostSevere } from './live-view.js';
import { fitWords, visibleLength } from './screen.js';

const site = demoSite();
const manifests = loadShippedManifests();
const devices = site.buses.flatMap((bus) => bus.devices);

function stats(activeAlarms: ActiveAlarm[]): GatewayStats {
  return {
    polls: 300, failedPolls: 0, samples: 700, alerts: 30, alertsSent: 24, alertFramesSent: 6, framesSent: 4, statusSent: 1, bytesSent: 900, sendFailures: 0, refusedDownlinks: 0, queuedSamples: 12, missedPolls: 0,
    store: { pendingAlerts: 0, pendingReadings: 17, droppedReadings: 0, usedBytes: 4000, capacityBytes: 1 << 20 },
    uplink: { state: 'sending', awaitingAck: 5 },
    activeAlarms,
  };
}

const cloud: CloudView = { via: 'LoRaWAN network server', messages: 30, bytes: 900, readings: 203, frames: 4, alerts: [], repeatedReadings: 0, repeatedAlerts: 5, decodeErrors: 0, close: async () => undefined };

function view(activeAlarms: ActiveAlarm[]): LiveView {
  const live = new LiveView({
    site, manifests, tty: true, write: () => undefined, simMinutes: () => 127, stats: () => stats(activeAlarms), cloud: () => cloud, dataDir: '/tmp/x',
    rules: siteRules(site, manifests), speed: 120, inFlight: () => 'data', radio: true, uplinkInfo: () => 'LoRaWAN CN470 DR5 FCnt 11 · 0 retries, 0 waiting · network accepted 10, 3 data-acks',
  });
  const level = (value: number): Record<string, PointReading> => ({ level: { ok: true, value, unit: 'cm' }, decimals: { ok: true, value: 1, unit: '' } });
  devices.forEach((device, i) => {
    const readings = device.manifest === 'water-level-rs485' ? level(i === 0 ? 0.1 : 38) : {};
    live.poll({ bus: 'rs485-1', device: device.id, t: 0, readings } as unknown as Parameters<LiveView['poll']>[0]);
  });
  return live;
}

const ALARMS: ActiveAlarm[] = [
  { rule: 'underpass-longhua-ponding', device: 'underpass-longhua', point: 'level', level: 'warning', acknowledged: false },
  { rule: 'underpass-tianyaoqiao-ponding', device: 'underpass-tianyaoqiao', point: 'level', level: 'warning', acknowledged: false },
  { rule: 'underpass-tianyaoqiao-ponding', device: 'underpass-tianyaoqiao', point: 'level', level: 'critical', acknowledged: false },
  { rule: 'smoke-pump-room-smoke', device: 'smoke-pump-room', point: 'smoke_alarm', level: 'critical', acknowledged: true },
  { rule: 'hydrant-north-pressure', device: 'hydrant-north', point: 'pressure', level: 'critical', acknowledged: false },
];

test('at 80×24 every row fits, alarms come first with level, value and threshold, and values keep their decimals', (t) => {
  const rows = view(ALARMS).screen(80, 24, true);
  t.true(rows.length <= 24, `${rows.length} rows`);
  for (const row of rows) t.true(visibleLength(row) <= 80, `row of ${visibleLength(row)} columns: ${row}`);
  const plain = rows.map((r) => r.replace(/\x1b\[[0-9;]*m/g, ''));
  const alarmsAt = plain.findIndex((r) => r.startsWith('ALARMS'));
  const devicesAt = plain.findIndex((r) => r.startsWith('DEVICES'));
  t.true(alarmsAt > 0 && devicesAt > alarmsAt, 'alarms before devices');
  t.is(plain[alarmsAt], 'ALARMS  4 active', 'one alarm per rule: a rule at warning and critical is one alarm');
  const alarmRows = plain.slice(alarmsAt + 1, devicesAt);
  t.is(alarmRows.length, 4);
  t.regex(alarmRows[0], /^CRITICAL +Tianyaoqiao Rd underpass… +level 38\.0 cm {2}> 25\.0 cm$/);
  t.true(alarmRows.some((r) => /^WARNING +Longhua Rd underpass… +level 0\.1 cm {2}> 15\.0 cm$/.test(r)), alarmRows.join('\n'));
  t.true(alarmRows.some((r) => /^CRITICAL +Hydrant main north +pressure .* {2}< 0\.100 MPa$/.test(r) || /^CRITICAL +Hydrant main north +< 0\.100 MPa$/.test(r)), alarmRows.join('\n'));
  t.true(alarmRows.some((r) => /^CRITICAL +Pump room smoke\/heat… .*alarm when on {2}\(ack\)$/.test(r)), alarmRows.join('\n'));
  // Same point, same decimals: 0.1 cm beside 38.0 cm, never 0.100 cm beside 38 cm.
  t.true(plain.some((r) => /level 0\.1 cm$/.test(r)));
  t.true(plain.some((r) => /level 38\.0 cm$/.test(r)));
  t.regex(plain.join('\n'), /backlog 12: the site runs 120× real time/, 'the growing log is explained');
});

test('more alarms than rows: the alarms stay on screen and the devices give way', (t) => {
  const many: ActiveAlarm[] = ['offline', 'other'].flatMap((kind) => devices.map((d): ActiveAlarm => ({ rule: `${d.id}-${kind}`, device: d.id, level: 'warning', acknowledged: false })));
  const rows = view([...ALARMS, ...many]).screen(80, 24, false);
  t.is(rows.length, 24);
  t.true(rows.every((r) => [...r].length <= 80));
  const alarmsAt = rows.findIndex((r) => r.startsWith('ALARMS'));
  t.is(rows[alarmsAt], `ALARMS  ${4 + 2 * devices.length} active`);
  t.regex(rows[rows.length - 1], /^… \d+ more alarms \(npm start -- --plain lists each\)$/);
  const shown = rows.slice(alarmsAt + 1, -1).length;
  t.is(shown + Number(/… (\d+) more/.exec(rows[rows.length - 1])?.[1]), 4 + 2 * devices.length, 'every alarm is a row or counted');
});

test('labels are shortened at word boundaries only', (t) => {
  for (const device of devices) {
    const label = device.label ?? device.id;
    const fitted = fitWords(label, 26);
    t.true([...fitted].length <= 26);
    if (fitted !== label) {
      const kept = fitted.slice(0, -1);
      t.true(label.startsWith(kept) && [' ', '/', ','].includes(label[kept.length] ?? ' ') || label.startsWith(kept + ' '), `${label} → ${fitted}`);
      t.true(label.split(' ').slice(0, kept.split(' ').length).join(' ') === kept, `cut inside a word: ${label} → ${fitted}`);
    }
  }
  t.is(fitWords('Pump room smoke/heat detector', 26), 'Pump room smoke/heat…');
});

test('mostSevere keeps one alarm per rule at its highest level', (t) => {
  t.deepEqual(mostSevere(ALARMS).map((a) => `${a.rule} ${a.level}`), [
    'underpass-tianyaoqiao-ponding critical', 'smoke-pump-room-smoke critical', 'hydrant-north-pressure critical', 'underpass-longhua-ponding warning',
  ]);
});
