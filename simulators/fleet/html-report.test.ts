/**
 * `axon fleet sim --html` and `axon fleet merge --html`: the report as a
 * self-contained page, opened in headless Chromium (Debian's /usr/bin/chromium
 * through playwright-core). Checked: the four charts rendered with the run's
 * data (one bar per time bucket and latency bin, one circle per base station
 * and gateway, one bar per worst gateway), no console error, no request
 * leaves the file, tooltips work; the time series add up to the report's
 * totals. A screenshot of the page is kept as a test artifact in
 * test-artifacts/fleet-report.png (gitignored) for people to look at.
 */
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { demoSite, shippedManifests } from '../../sdk/site/demo-site.js';
import { REPO_ROOT, runCli } from '../../sdk/cli/test-kit.js';
import { runFleetShard, type FleetReport } from './fleet.js';
import { renderFleetHtml, worstGateways } from './html-report.js';
import { mergePartials } from './report.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const withoutWall = (html: string) => html.replace(/<span id="wall">[^<]*<\/span>/, '');

test('fleet sim --html: a self-contained page whose four charts render the run in Chromium', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-fleet-html-'));
  const file = join(dir, 'fleet.html');
  // 3 h: the demo site's storm (01:55) raises alerts on every gateway; 4 cells give 4 base stations on the map.
  const run = await runCli(['fleet', 'sim', '--sensors', '600', '--cells', '4', '--hours', '3', '--seed', '1', '--workers', '1', '--json', '--html', file], 300_000);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stderr, /HTML report written to /);
  const report = JSON.parse(run.stdout) as FleetReport;

  // What the charts draw adds up to the report.
  const tl = report.timeline;
  t.is(tl.bucketMinutes, 5);
  t.is(tl.taken.length, Math.ceil((3 * 60 + 20) / 5));
  t.is(sum(tl.decoded), report.readingsDecoded, 'every decoded reading is in the bucket it was taken in');
  t.true(tl.decoded.every((d, i) => d <= tl.taken[i]), 'no bucket decodes more than it took');
  t.is(sum(tl.alertsRaised), report.alerts.raised);
  t.true(sum(tl.uplinks) > 0 && sum(tl.uplinks) <= report.air.uplinks);
  t.is(sum(report.alerts.latencyBins.counts), report.alerts.decoded);
  t.true(report.alerts.decoded > 0, 'the storm raised alerts that were decoded');
  t.is(report.perBaseStation.length, 4);

  const html = readFileSync(file, 'utf8');
  t.notRegex(html, /\b(src|href)="(https?:)?\/\//, 'nothing loaded from the network');

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);

    t.is(await page.getAttribute('html', 'data-charts'), '4', 'the page script ran and found four charts');
    const count = (selector: string) => page.locator(selector).count();
    t.is(await count('#delivery-chart rect.bar.taken'), tl.taken.length, 'a bar per time bucket');
    const points = ((await page.getAttribute('#delivery-chart polyline.delivery-line:not(.drain-line)', 'points')) ?? '').trim().split(/\s+/);
    t.is(points.length, tl.taken.slice(0, (3 * 60) / 5).filter((n) => n > 0).length, 'a delivery point per operating bucket with readings');
    t.is(await count('#delivery-chart rect.alert-mark'), tl.alertsRaised.filter((n) => n > 0).length);
    t.is(await count('#latency-chart rect.bar'), report.alerts.latencyBins.counts.length, 'a bar per latency bin');
    const latencyHeights = await page.locator('#latency-chart rect.bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    t.deepEqual(latencyHeights.map((h) => h > 0), report.alerts.latencyBins.counts.map((c) => c > 0), 'bars tall where alerts are');
    t.is(await count('#map circle.station'), report.baseStations, 'a circle per base station');
    t.is(await count('#map circle.gateway'), report.gateways, 'a dot per gateway');
    t.is(await count('#worst-gateways rect.bar'), Math.min(10, report.gateways));
    const firstWorst = await page.locator('#worst-gateways text.row-label').first().textContent();
    t.is(firstWorst, worstGateways(report.perGateway)[0].devEui);
    for (const id of ['delivery-chart', 'latency-chart', 'map', 'worst-gateways']) {
      const box = await page.locator(`#${id}`).boundingBox();
      t.true(box !== null && box.width > 300 && box.height > 150, `#${id} is laid out (${JSON.stringify(box)})`);
    }
    // A tooltip on hover.
    await page.locator('#map circle.station').first().hover({ force: true });
    t.regex((await page.locator('#tip').textContent()) ?? '', /^bs-\d+: [\d,]+ receptions/);
    t.true(await page.locator('#tip').isVisible());

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-report.png'), fullPage: true });
    t.deepEqual(problems, [], 'no console error or warning');
    t.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no request leaves the file');
  } finally {
    await browser.close();
  }
});

test('fleet merge --html: the page of the merged run; --html with --shard is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-fleet-html-merge-'));
  const district = { site: demoSite(), manifests: shippedManifests(), sensors: 120, mix: { gateways: 0, endDevices: 1 }, cells: 2, hours: 1, seed: 2 };
  const parts = [await runFleetShard(district, { index: 0, count: 2 }), await runFleetShard(district, { index: 1, count: 2 })];
  parts.forEach((p, i) => writeFileSync(join(dir, `part-${i}.json`), JSON.stringify(p)));
  const file = join(dir, 'merged.html');
  const merged = await runCli(['fleet', 'merge', join(dir, 'part-0.json'), join(dir, 'part-1.json'), '--html', file], 120_000);
  t.is(merged.code, 0, merged.stderr);
  const html = readFileSync(file, 'utf8');
  t.is(withoutWall(html), withoutWall(renderFleetHtml(mergePartials(parts))));
  t.regex(html, /no Axon gateways/, 'an end-device district says so instead of an empty chart');
  const refused = await runCli(['fleet', 'sim', '--sensors', '10', '--shard', '0/2', '--html', join(dir, 'x.html')], 60_000);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /--html draws the whole run/);
});
