/**
 * `decode uplink` with the wrong site file once decoded a smoke alarm as
 * another rule of another device without a word. An alert that cannot have
 * come from the table it is decoded with is now refused, naming the mismatch.
 */
import test from 'ava';
import { encodeAlert } from '../../drivers/batch/index.js';
import type { AlertEvent } from '../../drivers/gateway/events.js';
import { siteChannelTable } from '../../drivers/gateway/site-channels.js';
import type { SiteFile } from '../../drivers/gateway/site.js';
import { siteRules } from '../../drivers/rules/defaults.js';
import { demoSite, shippedManifests } from '../site/demo-site.js';
import { decodeUplink } from './decode-uplink.js';

const manifests = shippedManifests();
const tableOf = (site: SiteFile) => siteChannelTable(site, manifests, { rules: siteRules(site, manifests) });
const T = Date.UTC(2026, 0, 1);

/** The demo site with two of its rules in the other order: same devices, other rule numbers. */
function reordered(first: string, second: string): SiteFile {
  const site = demoSite();
  const rules = site.rules ?? [];
  const a = rules.findIndex((r) => r.id === first);
  const b = rules.findIndex((r) => r.id === second);
  [rules[a], rules[b]] = [rules[b], rules[a]];
  return site;
}

const smoke: AlertEvent = { rule: 'smoke-pump-room-smoke', device: 'smoke-pump-room', point: 'smoke_alarm', level: 'critical', state: 'raised', t: T, value: true, message: '' };
const heat: AlertEvent = { rule: 'smoke-pump-room-heat', device: 'smoke-pump-room', point: 'temperature', level: 'critical', state: 'raised', t: T, value: 61.5, message: '' };
const offline: AlertEvent = { rule: 'hydrant-north-offline', device: 'hydrant-north', level: 'warning', state: 'raised', t: T, message: '' };

test('an alert decoded with its own site\'s table decodes', (t) => {
  const table = tableOf(demoSite());
  for (const event of [smoke, heat, offline]) {
    const decoded = decodeUplink(encodeAlert(event, table), table);
    t.is(decoded.type === 'alert' ? decoded.alert.rule : undefined, event.rule);
  }
});

test('a smoke alarm decoded with a site whose rule numbers differ is refused, not shown as another rule', (t) => {
  const bytes = encodeAlert(smoke, tableOf(demoSite()));
  const wrong = tableOf(reordered('smoke-pump-room-smoke', 'underpass-longhua-ponding'));
  const error = t.throws(() => decodeUplink(bytes, wrong));
  t.is((error as { code?: string }).code, 'BATCH_TABLE_MISMATCH');
  t.regex(error?.message ?? '', /carries true\/false, but rule \d+ of this table is "underpass-longhua-ponding" on underpass-longhua\.level \(a number\)/);
  t.regex(error?.message ?? '', /Fix: decode with the site file of the gateway that sent it/);
});

test('a number alert landing on a bit rule, or on a rule without a point, is refused too', (t) => {
  const bytes = encodeAlert(heat, tableOf(demoSite()));
  t.throws(() => decodeUplink(bytes, tableOf(reordered('smoke-pump-room-heat', 'smoke-pump-room-smoke'))), { message: /carries a number .*\(a bit\)/ });
  const demo = tableOf(demoSite());
  const offlineIndex = demo.rules.find((r) => r.id === 'hydrant-north-offline')?.index ?? -1;
  const onOffline = encodeAlert(heat, demo);
  onOffline[1] = offlineIndex;
  t.throws(() => decodeUplink(onOffline, demo), { message: /no point/ });
});
