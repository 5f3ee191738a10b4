/**
 * `axon fleet sim --html <file>` (and `axon fleet merge --html`): the fleet
 * report as one self-contained HTML page, for the people who read a run
 * rather than parse it. Everything is inline (SVG charts drawn here, a few
 * lines of CSS and of script for tooltips): no network, no CDN, so the file
 * opens anywhere, from a CI artifact as well as from disk.
 *
 * Charts: delivery over simulated time, the alert latency distribution, air
 * load per base station on a map of the district (positions from the run) and
 * the gateways that delivered least. All of them are drawn from the report
 * alone (FleetReport), whose time series and distributions are bounded in
 * size, so a million-sensor run gives a page of the same size as a small one
 * (gateway dots on the map are thinned above MAX_GATEWAY_DOTS).
 */
import type { BaseStationRow, FleetReport, GatewayRow } from './report.js';
import { compact, duration, esc, linear, lossColour, niceMax, niceTicks, percent, px, thousands } from './svg.js';

const MAX_GATEWAY_DOTS = 4000;
const WORST_GATEWAYS = 10;
const STATION_TABLE_ROWS = 12;

/** Receptions a base station's concentrator handled: every outcome. */
function heard(b: BaseStationRow): number {
  return Object.values(b.receptions).reduce((a, n) => a + n, 0);
}

/** Share of a station's receptions lost (anything but ok). */
function lostShare(b: BaseStationRow): number {
  const all = heard(b);
  return all === 0 ? 0 : (all - b.receptions.ok) / all;
}

/** A gateway's delivery: readings decoded of those it framed. */
export function gatewayDelivery(g: GatewayRow): number {
  const framed = g.samples - g.queuedSamples;
  return framed <= 0 ? 1 : Math.min(1, g.readingsDecoded / framed);
}

/** The gateways that delivered least (ties: most retransmissions), worst first. */
export function worstGateways(rows: readonly GatewayRow[], n = WORST_GATEWAYS): GatewayRow[] {
  return [...rows].sort((a, b) => gatewayDelivery(a) - gatewayDelivery(b) || b.retransmissions - a.retransmissions || (a.devEui < b.devEui ? -1 : 1)).slice(0, n);
}

const tip = (text: string) => ` data-tip="${esc(text)}"><title>${esc(text)}</title`;

function clockLabel(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

function deliveryChart(r: FleetReport): string {
  const { bucketMinutes, taken, decoded, alertsRaised } = r.timeline;
  const W = 560, H = 280, L = 50, R = 58, T = 18, B = 40;
  const n = taken.length;
  const ratios = taken.map((t, i) => (t === 0 ? undefined : decoded[i] / t));
  // The drain after operation: readings taken in its last flush period cannot be framed before the cut-off,
  // so its delivery falls by construction; it is drawn dashed and does not set the axis.
  const drainFrom = (r.simulatedHours * 60) / bucketMinutes;
  const operating = ratios.filter((v, i): v is number => v !== undefined && i < drainFrom);
  const lowest = operating.length === 0 ? 1 : Math.min(...operating);
  const lo = Math.min(90, Math.max(0, Math.floor((lowest * 100 - 2) / 10) * 10));
  const y = linear(lo, 100, H - B, T);
  const maxTaken = niceMax(Math.max(1, ...taken));
  const yTaken = linear(0, maxTaken, H - B, T);
  const bw = (W - L - R) / Math.max(1, n);
  const x = (i: number) => L + i * bw;
  const parts: string[] = [];
  if (drainFrom < n) parts.push(`<rect class="drain" x="${px(x(drainFrom))}" y="${T}" width="${px(x(n) - x(drainFrom))}" height="${H - B - T}"/><text class="note" x="${px((x(drainFrom) + x(n)) / 2)}" y="${H - 6}" text-anchor="middle">drain</text>`);
  for (const v of niceTicks(lo, 100, 5)) parts.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${px(y(v))}" y2="${px(y(v))}"/><text class="tick" x="${L - 6}" y="${px(y(v) + 4)}" text-anchor="end">${v} %</text>`);
  for (const v of niceTicks(0, maxTaken, 4)) parts.push(`<text class="tick right" x="${W - R + 6}" y="${px(yTaken(v) + 4)}">${compact(v)}</text>`);
  taken.forEach((t, i) => {
    const top = yTaken(t);
    const text = `${clockLabel(i * bucketMinutes)}–${clockLabel((i + 1) * bucketMinutes)}: ${thousands(t)} readings taken, ${thousands(decoded[i])} decoded (${t === 0 ? '–' : percent(decoded[i] / t, 2)})${alertsRaised[i] > 0 ? `, ${alertsRaised[i]} alerts raised` : ''}`;
    parts.push(`<rect class="bar taken" x="${px(x(i) + bw * 0.12)}" y="${px(top)}" width="${px(bw * 0.76)}" height="${px(H - B - top)}"${tip(text)}></rect>`);
  });
  const point = (v: number | undefined, i: number) => (v === undefined ? [] : [`${px(x(i) + bw / 2)},${px(y(Math.max(lo, v * 100)))}`]);
  const during = ratios.flatMap((v, i) => (i < drainFrom ? point(v, i) : []));
  // The dashed part starts at the last operating point, so the line is unbroken.
  const after = ratios.flatMap((v, i) => (i >= drainFrom - 1 ? point(v, i) : []));
  if (during.length > 0) parts.push(`<polyline class="delivery-line" points="${during.join(' ')}"/>`);
  if (after.length > 1) parts.push(`<polyline class="delivery-line drain-line" points="${after.join(' ')}"/>`);
  ratios.forEach((v, i) => {
    if (v !== undefined && n <= 120) parts.push(`<circle class="dot" cx="${px(x(i) + bw / 2)}" cy="${px(y(Math.max(lo, v * 100)))}" r="2.6"${tip(`${clockLabel(i * bucketMinutes)}: delivery ${percent(v, 2)}`)}></circle>`);
  });
  // Alerts raised: marks along the bottom, taller for more.
  const maxAlerts = Math.max(1, ...alertsRaised);
  alertsRaised.forEach((a, i) => {
    if (a > 0) parts.push(`<rect class="alert-mark" x="${px(x(i) + bw * 0.3)}" y="${px(H - B - 3 - 10 * (a / maxAlerts))}" width="${px(Math.max(1.5, bw * 0.4))}" height="${px(3 + 10 * (a / maxAlerts))}"${tip(`${clockLabel(i * bucketMinutes)}: ${a} alerts raised`)}></rect>`);
  });
  const every = Math.max(1, Math.ceil(n / 8));
  for (let i = 0; i <= n; i += every) parts.push(`<text class="tick" x="${px(x(i))}" y="${H - B + 16}" text-anchor="middle">${clockLabel(i * bucketMinutes)}</text>`);
  parts.push(`<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/>`);
  parts.push(`<text class="axis-title" x="${L}" y="${T - 6}">delivery</text><text class="axis-title" x="${W - 2}" y="${T - 6}" text-anchor="end">readings taken</text>`);
  parts.push(`<text class="axis-title" x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">simulated time (${bucketMinutes}-minute buckets)</text>`);
  return `<svg id="delivery-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Delivery over time">${parts.join('')}</svg>`;
}

function latencyChart(r: FleetReport): string {
  const { upToMs, counts } = r.alerts.latencyBins;
  const W = 560, H = 280, L = 50, R = 16, T = 18, B = 52;
  const labels = counts.map((_, i) => (i === 0 ? `< ${duration(upToMs[0])}` : i === upToMs.length ? `≥ ${duration(upToMs[i - 1])}` : `${duration(upToMs[i - 1])}–${duration(upToMs[i])}`));
  const maxCount = niceMax(Math.max(1, ...counts));
  const y = linear(0, maxCount, H - B, T);
  const bw = (W - L - R) / counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const parts: string[] = [];
  for (const v of niceTicks(0, maxCount, 4)) parts.push(`<line class="grid" x1="${L}" x2="${W - R}" y1="${px(y(v))}" y2="${px(y(v))}"/><text class="tick" x="${L - 6}" y="${px(y(v) + 4)}" text-anchor="end">${compact(v)}</text>`);
  // The bins holding p50 and p95.
  const binOf = (ms: number) => { let i = 0; while (i < upToMs.length && ms >= upToMs[i]) i++; return i; };
  const p50Bin = binOf(r.alerts.latencyMs.p50);
  const p95Bin = binOf(r.alerts.latencyMs.p95);
  counts.forEach((c, i) => {
    const top = y(c);
    const cls = i >= p95Bin ? 'bar late' : 'bar';
    parts.push(`<rect class="${cls}" x="${px(L + i * bw + bw * 0.1)}" y="${px(top)}" width="${px(bw * 0.8)}" height="${px(H - B - top)}"${tip(`${labels[i]}: ${thousands(c)} alerts (${total === 0 ? '–' : percent(c / total)})`)}></rect>`);
    if (c > 0) parts.push(`<text class="bar-label" x="${px(L + (i + 0.5) * bw)}" y="${px(top - 4)}" text-anchor="middle">${compact(c)}</text>`);
    parts.push(`<text class="tick" transform="translate(${px(L + (i + 0.5) * bw)},${H - B + 12}) rotate(-30)" text-anchor="end">${esc(labels[i])}</text>`);
  });
  for (const [name, bin, cls] of [['p50', p50Bin, 'p50'], ['p95', p95Bin, 'p95']] as const) {
    if (total === 0) break;
    const xm = L + (bin + 0.5) * bw;
    parts.push(`<line class="marker ${cls}" x1="${px(xm)}" x2="${px(xm)}" y1="${T}" y2="${H - B}"/><text class="marker-label ${cls}" x="${px(xm + 4)}" y="${name === 'p50' ? T + 10 : T + 24}">${name}</text>`);
  }
  parts.push(`<line class="axis" x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}"/><text class="axis-title" x="${L}" y="${T - 6}">alerts</text>`);
  if (total === 0) parts.push(`<text class="empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">no alert was decoded in this run</text>`);
  return `<svg id="latency-chart" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Alert latency distribution">${parts.join('')}</svg>`;
}

function districtMap(r: FleetReport): string {
  const S = 520, M = 14;
  const k = (S - 2 * M) / r.areaKm;
  const X = (km: number) => M + km * k;
  const Y = (km: number) => S - M - km * k; // north up
  const columns = Math.ceil(Math.sqrt(r.cells));
  const side = r.areaKm / columns;
  const parts: string[] = [`<rect class="district" x="${M}" y="${M}" width="${S - 2 * M}" height="${S - 2 * M}"/>`];
  for (let c = 0; c < r.cells; c++) {
    const x0 = (c % columns) * side;
    const y0 = Math.floor(c / columns) * side;
    parts.push(`<rect class="cell" x="${px(X(x0))}" y="${px(Y(y0 + side))}" width="${px(side * k)}" height="${px(side * k)}"/>`);
  }
  const stride = Math.max(1, Math.ceil(r.perGateway.length / MAX_GATEWAY_DOTS));
  for (let i = 0; i < r.perGateway.length; i += stride) {
    const g = r.perGateway[i];
    const d = gatewayDelivery(g);
    parts.push(`<circle class="gateway" cx="${px(X(g.x))}" cy="${px(Y(g.y))}" r="2.4" fill="${lossColour(1 - d)}"${tip(`gateway ${g.devEui}: delivery ${percent(d, 2)}, path loss ${g.pathLossDb} dB, DR${g.dataRate}`)}></circle>`);
  }
  const maxHeard = Math.max(1, ...r.perBaseStation.map(heard));
  const rMax = Math.max(6, Math.min(30, 0.42 * side * k));
  const stations = [...r.perBaseStation].sort((a, b) => heard(b) - heard(a)); // big circles under small ones
  for (const b of stations) {
    const radius = Math.max(3, rMax * Math.sqrt(heard(b) / maxHeard));
    const text = `${b.id}: ${thousands(heard(b))} receptions, ${percent(lostShare(b))} lost; ${b.gateways} gateways, ${b.endDevices} end devices; ${thousands(b.downlinks)} downlinks`;
    parts.push(`<circle class="station" cx="${px(X(b.x))}" cy="${px(Y(b.y))}" r="${px(radius)}" fill="${lossColour(lostShare(b))}"${tip(text)}></circle>`);
    if (r.perBaseStation.length <= 16) parts.push(`<text class="station-label" x="${px(X(b.x))}" y="${px(Y(b.y) - radius - 4)}" text-anchor="middle">${esc(b.id)}</text>`);
  }
  parts.push(`<text class="tick" x="${M}" y="${S - 2}">0</text><text class="tick" x="${S - M}" y="${S - 2}" text-anchor="end">${r.areaKm.toFixed(r.areaKm < 10 ? 1 : 0)} km</text>`);
  return `<svg id="map" class="chart map" viewBox="0 0 ${S} ${S}" role="img" aria-label="Air load per base station on a map of the district">${parts.join('')}</svg>`;
}

function mapLegend(): string {
  const swatch = (share: number, label: string) => `<span class="swatch" style="background:${lossColour(share)}"></span>${label}`;
  return `<div class="legend"><span><span class="ring big"></span><span class="ring small"></span>circle area: receptions at the base station</span>
    <span>colour, share lost: ${swatch(0, '0 %')} ${swatch(0.05, '5 %')} ${swatch(0.1, '10 %')} ${swatch(0.25, '25 %')} ${swatch(0.4, '≥ 40 %')}</span>
    <span><span class="dot-sample"></span>gateway (colour: readings not delivered)</span></div>`;
}

function worstChart(r: FleetReport): string {
  const worst = worstGateways(r.perGateway);
  if (worst.length === 0) return `<p class="empty-note">This district has no Axon gateways (end devices only).</p>`;
  const W = 560, L = 122, R = 176, T = 22, row = 24;
  const H = T + worst.length * row + 26;
  const undelivered = worst.map((g) => 1 - gatewayDelivery(g));
  // When every gateway delivered everything, the ranking (and the bars) are by retransmissions.
  const byLoss = undelivered.some((u) => u > 0);
  const values = byLoss ? undelivered.map((u) => u * 100) : worst.map((g) => g.retransmissions);
  const maxValue = niceMax(Math.max(byLoss ? 0.001 : 1, ...values));
  const x = linear(0, maxValue, L, W - R);
  const parts: string[] = [];
  for (const v of niceTicks(0, maxValue, 4)) parts.push(`<line class="grid" x1="${px(x(v))}" x2="${px(x(v))}" y1="${T - 4}" y2="${H - 26}"/><text class="tick" x="${px(x(v))}" y="${H - 10}" text-anchor="middle">${v}${byLoss ? ' %' : ''}</text>`);
  worst.forEach((g, i) => {
    const yy = T + i * row;
    const share = undelivered[i];
    const text = `gateway ${g.devEui}: ${thousands(g.readingsDecoded)} of ${thousands(g.samples - g.queuedSamples)} readings decoded (${percent(1 - share, 2)}), ${g.retransmissions} retransmissions, ${g.confirmedFailed} unacknowledged, path loss ${g.pathLossDb} dB, DR${g.dataRate}`;
    // Coloured by what was lost; plain when the bars are retransmissions (nothing lost).
    const colour = byLoss ? ` style="fill:${lossColour(share * 4)}"` : '';
    parts.push(`<text class="row-label" x="${L - 8}" y="${yy + 15}" text-anchor="end">${esc(g.devEui)}</text>`);
    parts.push(`<rect class="bar worst" x="${L}" y="${yy + 4}" width="${px(Math.max(1, x(values[i]) - L))}" height="${row - 8}" rx="2"${colour}${tip(text)}></rect>`);
    parts.push(`<text class="row-note" x="${W - R + 10}" y="${yy + 15}">${percent(1 - share, 2)} · ${g.retransmissions} retx · ${g.pathLossDb} dB</text>`);
  });
  parts.push(`<text class="axis-title" x="${L}" y="${T - 8}">${byLoss ? 'readings not delivered' : 'retransmissions (every reading delivered)'}</text><text class="axis-title" x="${W - R + 10}" y="${T - 8}">delivery · retx · path loss</text>`);
  return `<svg id="worst-gateways" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Worst gateways">${parts.join('')}</svg>`;
}

function stationTable(r: FleetReport): string {
  const rows = [...r.perBaseStation].sort((a, b) => heard(b) - heard(a)).slice(0, STATION_TABLE_ROWS);
  const body = rows.map((b) => `<tr><td>${esc(b.id)}</td><td>${b.gateways} / ${thousands(b.endDevices)}</td><td>${thousands(heard(b))}</td><td style="color:${lossColour(lostShare(b))}">${percent(lostShare(b))}</td><td>${thousands(b.receptions.collision + b.receptions.interference)}</td><td>${thousands(b.receptions['gateway-busy'])}</td><td>${thousands(b.receptions['demodulators-busy'])}</td><td>${thousands(b.downlinks)}</td></tr>`).join('');
  const more = r.perBaseStation.length - rows.length;
  return `<table class="stations"><thead><tr><th>station</th><th>gateways / end dev.</th><th>receptions</th><th>lost</th><th>airtime</th><th>half duplex</th><th>demod. busy</th><th>downlinks</th></tr></thead><tbody>${body}</tbody></table>${more > 0 ? `<p class="note-line">the ${STATION_TABLE_ROWS} busiest of ${r.perBaseStation.length} base stations</p>` : ''}`;
}

function kpi(label: string, value: string, detail: string, cls = ''): string {
  return `<div class="kpi ${cls}"><div class="kpi-label">${esc(label)}</div><div class="kpi-value">${esc(value)}</div><div class="kpi-detail">${esc(detail)}</div></div>`;
}

const CSS = `
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f6f7f9;--card:#fff;--blue:#2563eb;--blue-l:#c7d7fb;--red:#dc2626;--amber:#d97706}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header{padding:22px 32px 8px}h1{margin:0;font-size:22px;font-weight:650}header p{margin:4px 0 0;color:var(--muted)}
main{padding:8px 32px 28px;max-width:1240px}
.kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:10px 0 16px}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.kpi-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.kpi-value{font-size:24px;font-weight:650;margin-top:2px}
.kpi-detail{color:var(--muted);font-size:12px}.kpi.bad .kpi-value{color:var(--red)}.kpi.warn .kpi-value{color:var(--amber)}.kpi.good .kpi-value{color:#15803d}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
h2{font-size:15px;margin:0 0 2px;font-weight:650}.sub{color:var(--muted);margin:0 0 8px;font-size:12.5px}
svg.chart{width:100%;height:auto;display:block}svg text{font:11px system-ui,sans-serif;fill:var(--muted)}
.grid{stroke:var(--line)}.axis{stroke:#9ca3af}.axis-title{fill:var(--ink);font-weight:600}
.bar{fill:var(--blue)}.bar.taken{fill:var(--blue-l)}.bar.late{fill:var(--red);opacity:.85}.bar-label{fill:var(--ink)}
.delivery-line{fill:none;stroke:var(--blue);stroke-width:2.2;stroke-linejoin:round}.drain-line{stroke-dasharray:5 4;opacity:.7}.dot{fill:var(--blue)}
.alert-mark{fill:var(--red)}.drain{fill:#f3f4f6}.note{font-style:italic}
.marker{stroke-dasharray:4 3;stroke-width:1.4}.marker.p50{stroke:var(--blue)}.marker.p95{stroke:var(--red)}
.marker-label{font-weight:600}.marker-label.p50{fill:var(--blue)}.marker-label.p95{fill:var(--red)}
.district{fill:#fbfcfd;stroke:#9ca3af}.cell{fill:none;stroke:#d1d5db;stroke-dasharray:3 3}
.gateway{stroke:#fff;stroke-width:.5}.station{fill-opacity:.78;stroke:#fff;stroke-width:1.5}.station-label{fill:var(--ink);font-weight:600}
.row-label{fill:var(--ink);font-family:ui-monospace,Menlo,Consolas,monospace}.row-note{fill:var(--ink)}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;color:var(--muted);font-size:12px;margin-top:6px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:50%;margin:0 3px 0 6px;vertical-align:-1px}
.ring{display:inline-block;border-radius:50%;background:#9ca3af;opacity:.6;margin-right:3px;vertical-align:middle}.ring.big{width:14px;height:14px}.ring.small{width:8px;height:8px;margin-right:6px}
.dot-sample{display:inline-block;width:6px;height:6px;border-radius:50%;background:hsl(145 70% 45%);margin-right:5px;vertical-align:1px}
table.stations{width:100%;border-collapse:collapse;font-size:12.5px;margin-top:10px}table.stations th{text-align:right;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:4px 6px}
table.stations td{white-space:nowrap;text-align:right;padding:3px 6px;border-bottom:1px solid #f3f4f6;font-variant-numeric:tabular-nums}table.stations th:first-child,table.stations td:first-child{text-align:left}
.note-line,.empty-note{color:var(--muted);font-size:12px;margin:6px 0 0}.empty{font-size:13px}
#tip{position:fixed;pointer-events:none;background:#111827;color:#fff;padding:6px 9px;border-radius:6px;font-size:12px;max-width:340px;display:none;z-index:9}
footer{color:var(--muted);font-size:12px;padding:0 32px 24px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}.kpis{grid-template-columns:repeat(2,1fr)}}
`;

/** Tooltips for every element with data-tip (the SVG <title> is the fallback without script). */
const SCRIPT = `
(() => {
  const tip = document.getElementById('tip');
  document.addEventListener('mouseover', (e) => {
    const el = e.target instanceof Element ? e.target.closest('[data-tip]') : null;
    if (!el) { tip.style.display = 'none'; return; }
    tip.textContent = el.getAttribute('data-tip');
    tip.style.display = 'block';
  });
  document.addEventListener('mousemove', (e) => {
    tip.style.left = Math.min(e.clientX + 14, innerWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = (e.clientY + 14) + 'px';
  });
  document.documentElement.dataset.charts = String(document.querySelectorAll('svg.chart').length);
})();
`;

/** The whole page. */
export function renderFleetHtml(r: FleetReport): string {
  const framed = r.samples - r.inFlight.queuedSamples;
  const title = `Axon fleet simulation: ${thousands(r.sensors)} sensors, ${r.simulatedHours} h`;
  const who = [
    `${thousands(r.sensors)} sensors`,
    r.gateways > 0 ? `${thousands(r.gateways)} Axon gateways (${thousands(r.devices)} field devices)` : '',
    r.endDevices > 0 ? `${thousands(r.endDevices)} end devices` : '',
    `${r.baseStations} base station${r.baseStations === 1 ? '' : 's'} in ${r.cells} cell${r.cells === 1 ? '' : 's'} (${r.areaKm.toFixed(1)} km × ${r.areaKm.toFixed(1)} km)`,
    `${r.region}`,
    `${r.simulatedHours} h simulated + drain`,
    `seed ${r.seed}`,
  ].filter((s) => s !== '').join(' · ');
  const deliveryClass = r.deliveryRatio >= 0.99 ? 'good' : r.deliveryRatio >= 0.9 ? 'warn' : 'bad';
  const p95Class = r.alerts.decoded === 0 ? '' : r.alerts.latencyMs.p95 <= 15_000 ? 'good' : r.alerts.latencyMs.p95 <= 60_000 ? 'warn' : 'bad';
  const lost = r.losses.airtime + r.losses.demodulators + r.losses.halfDuplex;
  const kpis = [
    kpi('Delivery', percent(r.deliveryRatio, 2), `${thousands(r.readingsDecoded)} of ${thousands(framed)} readings framed`, deliveryClass),
    kpi('Alert latency p95', r.alerts.decoded === 0 ? '–' : duration(r.alerts.latencyMs.p95), r.alerts.decoded === 0 ? 'no alert decoded' : `p50 ${duration(r.alerts.latencyMs.p50)}, max ${duration(r.alerts.latencyMs.max)}; ${thousands(r.alerts.decoded)} decoded`, p95Class),
    kpi('Frames on the air', compact(r.air.uplinks), `${compact(r.air.downlinks)} downlinks; busiest minute ${thousands(r.air.busiestMinuteUplinks)} heard`),
    kpi('Receptions lost', compact(lost), `airtime ${compact(r.losses.airtime)}, half duplex ${compact(r.losses.halfDuplex)}, demodulators ${compact(r.losses.demodulators)}`),
    kpi('Limited by', r.limitedBy.length === 0 ? 'nothing' : r.limitedBy[0], r.limitedBy.length > 1 ? `then ${r.limitedBy.slice(1).join(', ')}` : r.limitedBy.length === 0 ? 'no base-station resource ran out' : 'the first resource to run out', r.limitedBy.length === 0 ? 'good' : 'warn'),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<header><h1>${esc(title)}</h1><p>${esc(who)}</p></header>
<main>
<div class="kpis">${kpis}</div>
<div class="grid2">
<section><h2>Delivery over time</h2><p class="sub">Share of the readings taken in each bucket that the network decoded (line; dashed in the drain, whose last flush period is not framed before the cut-off); readings taken (bars); alerts raised (red marks).</p>${deliveryChart(r)}</section>
<section><h2>Alert latency</h2><p class="sub">From the device raising an alert to the network decoding it: ${thousands(r.alerts.decoded)} alerts; p50 ${duration(r.alerts.latencyMs.p50)}, p95 ${duration(r.alerts.latencyMs.p95)} (bins at and above p95 in red).</p>${latencyChart(r)}</section>
<section><h2>Air load per base station</h2><p class="sub">The district as simulated: cells (dashed), base stations sized by the receptions they handled and coloured by the share lost, Axon gateways as dots${r.perGateway.length > MAX_GATEWAY_DOTS ? ` (1 in ${Math.ceil(r.perGateway.length / MAX_GATEWAY_DOTS)} shown)` : ''}.</p>${districtMap(r)}${mapLegend()}</section>
<section><h2>Worst gateways</h2><p class="sub">The ${Math.min(WORST_GATEWAYS, r.perGateway.length)} Axon gateways that delivered the smallest share of their framed readings${r.perGateway.length > 0 ? ` (of ${thousands(r.perGateway.length)})` : ''}.</p>${worstChart(r)}<h2 style="margin-top:14px">Busiest base stations</h2>${stationTable(r)}</section>
</div>
</main>
<footer>Written by <code>axon fleet</code>; simulated in <span id="wall">${r.wallSeconds.toFixed(1)}</span> s of wall time. Self-contained: no network access needed.</footer>
<div id="tip"></div>
<script>${SCRIPT}</script>
</body></html>
`;
}
