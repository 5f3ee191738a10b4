/**
 * The status page: one self-contained HTML document (no framework, no files
 * to install, nothing fetched from the internet: a cabinet often has no
 * internet). Its script reads /api/status every 2 s and draws it; every value
 * goes in through textContent, never as HTML. The Acknowledge button POSTs to
 * /api/alarms/<rule>/acknowledge. A token given as ?token= in the page's URL
 * is sent along as a Bearer header.
 *
 * The inline style and script are allowed by their SHA-256 in the page's
 * Content-Security-Policy, so nothing else can run in it.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root { --bg:#f3f5f8; --panel:#fff; --ink:#17202b; --muted:#5d6b7a; --line:#e1e6ec; --accent:#1f5fbf;
  --ok:#17803d; --ok-bg:#e5f5ea; --warn:#a15c00; --warn-bg:#fff3dc; --crit:#b3261e; --crit-bg:#fde8e6; --idle:#5d6b7a; --idle-bg:#eef1f4; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif; color:var(--ink); background:var(--bg); }
header { background:#17202b; color:#fff; padding:14px 28px; display:flex; align-items:center; gap:18px; flex-wrap:wrap; }
header h1 { font-size:18px; margin:0; font-weight:600; letter-spacing:.2px; }
header .site { color:#b8c4d2; font-size:13px; }
header .meta { margin-left:auto; display:flex; gap:18px; align-items:center; color:#b8c4d2; font-size:13px; }
.live { display:inline-flex; align-items:center; gap:6px; }
.live::before { content:""; width:8px; height:8px; border-radius:50%; background:#3ecf6e; box-shadow:0 0 0 3px rgba(62,207,110,.25); }
.live.stale::before { background:#e5a50a; box-shadow:0 0 0 3px rgba(229,165,10,.25); }
main { max-width:1320px; margin:0 auto; padding:22px 28px 40px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(230px,1fr)); gap:14px; margin-bottom:22px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:14px 16px; }
.card h3 { margin:0 0 6px; font-size:12px; font-weight:600; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); }
.card .big { font-size:26px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .sub { color:var(--muted); font-size:13px; margin-top:2px; }
section { background:var(--panel); border:1px solid var(--line); border-radius:10px; margin-bottom:22px; overflow:hidden; }
section > h2 { font-size:15px; margin:0; padding:12px 16px; border-bottom:1px solid var(--line); display:flex; align-items:center; gap:10px; }
section > h2 .count { color:var(--muted); font-weight:500; font-size:13px; }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:9px 16px; border-bottom:1px solid var(--line); vertical-align:middle; }
th { font-size:12px; font-weight:600; color:var(--muted); text-transform:uppercase; letter-spacing:.4px; background:#fafbfc; }
tr:last-child td { border-bottom:none; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.empty { padding:18px 16px; color:var(--muted); }
.badge { display:inline-block; padding:2px 9px; border-radius:999px; font-size:12px; font-weight:600; white-space:nowrap; }
.badge.ok { color:var(--ok); background:var(--ok-bg); } .badge.warn { color:var(--warn); background:var(--warn-bg); }
.badge.crit { color:var(--crit); background:var(--crit-bg); } .badge.idle { color:var(--idle); background:var(--idle-bg); }
tr.alarm-critical td:first-child { box-shadow: inset 4px 0 0 var(--crit); }
tr.alarm-warning td:first-child { box-shadow: inset 4px 0 0 #e5a50a; }
button.ack { font:inherit; font-weight:600; color:#fff; background:var(--accent); border:0; border-radius:6px; padding:6px 14px; cursor:pointer; }
button.ack:hover { background:#184c99; } button.ack:disabled { background:#c5ced8; cursor:default; }
.bar { width:120px; height:8px; background:#e8ecf1; border-radius:4px; overflow:hidden; display:inline-block; vertical-align:middle; margin-right:8px; }
.bar > span { display:block; height:100%; background:var(--accent); }
.bar.high > span { background:#e5a50a; } .bar.full > span { background:var(--crit); }
.chips { display:flex; gap:6px; flex-wrap:wrap; }
.chip { font-size:12px; padding:1px 8px; border-radius:4px; background:var(--crit-bg); color:var(--crit); font-weight:600; }
.muted { color:var(--muted); } .small { font-size:12px; }
td.mono { white-space:nowrap; }
.mono { font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace; font-size:12.5px; }
.devices { display:grid; grid-template-columns:repeat(auto-fill,minmax(340px,1fr)); gap:14px; padding:14px; align-items:start; }
.device { border:1px solid var(--line); border-radius:8px; overflow:hidden; }
.device header { all:unset; display:flex; flex-wrap:wrap; align-items:center; gap:2px 8px; padding:10px 12px; background:#fafbfc; border-bottom:1px solid var(--line); }
.device header b { font-size:14px; } .device header .muted { font-size:12px; order:3; flex-basis:100%; }
.device header .badge { margin-left:auto; }
.device td { padding:6px 12px; } .device td.value { font-weight:600; }
.unit { color:var(--muted); font-weight:500; margin-left:3px; }
.stale { color:var(--warn); }
.device-foot { padding:6px 12px; }
.error-text { color:var(--crit); font-size:12px; }
#banner { display:none; margin-bottom:16px; padding:10px 14px; border-radius:8px; background:var(--crit-bg); color:var(--crit); font-weight:600; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:10px; }
footer a { color:var(--muted); }
`;

const SCRIPT = `
'use strict';
const token = new URLSearchParams(location.search).get('token');
const headers = token ? { Authorization: 'Bearer ' + token } : {};
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') node.className = value; else if (key === 'text') node.textContent = value; else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}
const fmt = (n) => Number(n).toLocaleString('en-US');
function time(iso) { return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '—'; }
function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return d > 0 ? d + ' d ' + h + ' h' : h > 0 ? h + ' h ' + m + ' min' : m > 0 ? m + ' min ' + (s % 60) + ' s' : s + ' s';
}
function bytes(n) { return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KB' : n + ' B'; }
function value(v) {
  if (typeof v === 'boolean') return v ? 'ON' : 'off';
  if (typeof v !== 'number') return '—';
  return Number.isInteger(v) ? fmt(v) : v.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
function bar(ratio) {
  const cls = ratio >= 0.9 ? 'bar full' : ratio >= 0.7 ? 'bar high' : 'bar';
  const fill = el('span'); fill.style.width = Math.round(Math.min(1, ratio) * 100) + '%';
  return el('span', { class: cls }, fill);
}
function card(title, big, sub, badge) {
  return el('div', { class: 'card' }, el('h3', { text: title }), el('div', { class: 'big' }, big, badge ? ' ' : '', badge), el('div', { class: 'sub', text: sub }));
}
function badge(text, kind) { return el('span', { class: 'badge ' + kind, text }); }
const UPLINK_KIND = { idle: 'ok', sending: 'ok', backoff: 'warn', stopped: 'idle' };

function renderCards(s) {
  const unacked = s.alarms.filter((a) => !a.acknowledged).length;
  const up = s.uplink;
  const link = up.connected === undefined ? '' : up.connected ? 'broker connected · ' : 'broker not connected · ';
  const backlog = s.store.pendingAlerts + s.store.pendingReadings;
  const cards = [
    card('Active alarms', String(s.alarms.length), unacked + ' not acknowledged', s.alarms.length === 0 ? badge('clear', 'ok') : unacked > 0 ? badge('action needed', 'crit') : badge('acknowledged', 'warn')),
    card('Uplink', up.state, link + fmt(up.framesSent) + ' frames, ' + fmt(up.alertsSent) + ' alerts sent' + (up.lastError && up.state === 'backoff' ? ' · ' + up.lastError : ''), badge(up.connected === false ? 'offline' : up.state === 'backoff' ? 'retrying' : 'online', up.connected === false || up.state === 'backoff' ? 'warn' : UPLINK_KIND[up.state] || 'idle')),
    card('Store backlog', fmt(backlog), s.store.pendingAlerts + ' alerts + ' + s.store.pendingReadings + ' frames waiting · ' + bytes(s.store.usedBytes) + ' of ' + bytes(s.store.capacityBytes) + (s.store.droppedReadings > 0 ? ' · ' + fmt(s.store.droppedReadings) + ' readings dropped' : ''), backlog === 0 ? badge('sent', 'ok') : badge('waiting', 'warn')),
    card('Polls', fmt(s.counters.polls), fmt(s.counters.failedPolls) + ' failed · ' + fmt(s.counters.samples) + ' samples'),
  ];
  $('cards').replaceChildren(...cards);
}

function renderAlarms(s) {
  $('alarm-count').textContent = s.alarms.length === 0 ? '' : '(' + s.alarms.length + ')';
  if (s.alarms.length === 0) { $('alarms').replaceChildren(el('div', { class: 'empty', text: 'No active alarms.' })); return; }
  const rows = s.alarms.map((a) => {
    const button = el('button', { class: 'ack', type: 'button', 'data-rule': a.rule, text: a.acknowledged ? 'Acknowledged' : 'Acknowledge' });
    button.disabled = a.acknowledged;
    button.addEventListener('click', () => acknowledge(a.rule, a.level, button));
    return el('tr', { class: 'alarm-' + a.level, 'data-rule': a.rule },
      el('td', {}, badge(a.level, a.level === 'critical' ? 'crit' : 'warn')),
      el('td', {}, el('b', { text: a.rule })),
      el('td', {}, a.device + (a.point ? ' · ' + a.point : '')),
      el('td', { text: time(a.raisedAt) }),
      el('td', { class: 'alarm-state' }, a.acknowledged ? badge('acknowledged', 'idle') : badge('active', a.level === 'critical' ? 'crit' : 'warn')),
      el('td', { class: 'num' }, button));
  });
  $('alarms').replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, ...['Level', 'Rule', 'Device · point', 'Raised', 'State', ''].map((h) => el('th', { text: h })))), el('tbody', {}, ...rows)));
}

function renderBuses(s) {
  const rows = s.buses.map((b) => {
    const reasons = Object.entries(b.failures).map(([reason, n]) => el('span', { class: 'chip', text: reason + ' ' + fmt(n) }));
    return el('tr', { 'data-bus': b.id },
      el('td', {}, el('b', { text: b.id }), el('div', { class: 'muted small mono', text: b.port })),
      el('td', { class: 'mono', text: b.line }),
      el('td', {}, bar(b.utilisation), (b.utilisation * 100).toFixed(1) + ' %'),
      el('td', { class: 'num', text: fmt(b.polls) }),
      el('td', { class: 'num', text: fmt(b.failedPolls) }),
      el('td', { class: 'num', text: fmt(b.partialPolls) }),
      el('td', {}, reasons.length ? el('div', { class: 'chips' }, ...reasons) : el('span', { class: 'muted', text: 'none' })),
      el('td', { class: 'small' }, b.lastFailure ? el('span', {}, el('span', { class: 'muted', text: time(b.lastFailure.at) + ' ' }), b.lastFailure.device + ': ' + b.lastFailure.text) : el('span', { class: 'muted', text: '—' })));
  });
  $('buses').replaceChildren(el('table', {}, el('thead', {}, el('tr', {}, ...[['Bus', ''], ['Line', ''], ['Utilisation (1 min)', ''], ['Polls', 'num'], ['Failed', 'num'], ['Partial', 'num'], ['Failures by reason', ''], ['Last failure', '']].map(([h, c]) => el('th', { class: c, text: h })))), el('tbody', {}, ...rows)));
}

function renderDevices(s) {
  $('device-count').textContent = '(' + s.devices.length + ')';
  const cards = s.devices.map((d) => {
    const state = d.lastPoll === undefined ? badge('not polled yet', 'idle') : d.ok ? badge('ok', 'ok') : d.points.some((p) => p.ok) ? badge('partial', 'warn') : badge('no reply', 'crit');
    const rows = d.points.map((p) => {
      const shown = p.value === undefined ? '—' : value(p.value);
      const cell = el('td', { class: 'num value' + (p.stale ? ' stale' : '') }, shown, p.unit && p.value !== undefined ? el('span', { class: 'unit', text: p.unit }) : undefined);
      const note = p.error ? el('div', { class: 'error-text', text: p.error.reason + (p.stale ? ' · last good value shown' : '') }) : undefined;
      return el('tr', { 'data-point': p.id }, el('td', {}, p.name, note), cell);
    });
    return el('div', { class: 'device', 'data-device': d.id },
      el('header', {}, el('b', { text: d.label || d.id }), el('span', { class: 'muted', text: (d.label ? d.id + ' · ' : '') + (d.model || d.manifest) + ' · ' + d.bus }), state),
      el('table', {}, el('tbody', {}, ...rows)),
      el('div', { class: 'muted small device-foot', text: 'last poll ' + time(d.lastPoll) + (d.pollMs !== undefined ? ' · ' + d.pollMs + ' ms' : '') }));
  });
  $('devices').replaceChildren(...cards);
}

let last = 0;
async function refresh() {
  try {
    const response = await fetch('api/status', { headers, cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status + (response.status === 401 ? ': add ?token=<token> to the address' : ''));
    const s = await response.json();
    $('gateway').textContent = 'Axon gateway · ' + s.gateway.id;
    $('site').textContent = s.gateway.site.name + ' (' + s.gateway.site.id + ')';
    $('uptime').textContent = 'up ' + duration(s.gateway.uptimeS);
    $('updated').textContent = 'updated ' + time(s.gateway.now);
    $('updated').className = 'live';
    $('banner').style.display = 'none';
    document.title = (s.alarms.some((a) => !a.acknowledged) ? '⚠ ' : '') + s.gateway.id + ' · Axon';
    renderCards(s); renderAlarms(s); renderBuses(s); renderDevices(s);
    last = Date.now();
    document.body.dataset.loaded = 'true';
  } catch (error) {
    $('banner').textContent = 'Cannot reach the gateway: ' + error.message;
    $('banner').style.display = 'block';
    $('updated').className = 'live stale';
  }
}

async function acknowledge(rule, level, button) {
  button.disabled = true;
  button.textContent = 'Acknowledging…';
  try {
    const response = await fetch('api/alarms/' + encodeURIComponent(rule) + '/acknowledge', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ level }) });
    if (!response.ok) throw new Error((await response.json()).error || 'HTTP ' + response.status);
  } catch (error) {
    $('banner').textContent = 'Acknowledge failed: ' + error.message;
    $('banner').style.display = 'block';
  }
  await refresh();
}

refresh();
setInterval(refresh, 2000);
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only the page's own style and script run; it talks to its own origin only. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Axon gateway</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div><h1 id="gateway">Axon gateway</h1><div class="site" id="site"></div></div>
  <div class="meta"><span id="uptime"></span><span id="updated" class="live stale">connecting…</span></div>
</header>
<main>
  <div id="banner" role="alert"></div>
  <div class="cards" id="cards"></div>
  <section><h2>Active alarms <span class="count" id="alarm-count"></span></h2><div id="alarms"><div class="empty">Loading…</div></div></section>
  <section><h2>Buses</h2><div id="buses"></div></section>
  <section><h2>Live readings <span class="count" id="device-count"></span></h2><div class="devices" id="devices"></div></section>
  <footer>Refreshes every 2 s · <a href="api/status">/api/status</a> · <a href="metrics">/metrics</a></footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
