#include "http/status_page.h"

namespace hotpod {

// Self-contained on purpose (no CDN, no assets): it must work offline, inside a pod behind a
// port-forward. Every value from hotpod goes in through textContent or setAttribute, never as
// markup: build output, file names and commands are untrusted.
std::string_view statusPageHtml() {
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hotpod</title>
<style>
:root{color-scheme:light dark;--bg:#f5f6f8;--fg:#1c2230;--muted:#687386;--card:#fff;--line:#e2e5ea;
  --ok:#1e9a52;--bad:#d53f3f;--warn:#c98204;--run:#2f6fdb;--idle:#8a94a6}
@media (prefers-color-scheme:dark){:root{--bg:#11141a;--fg:#e4e8ef;--muted:#98a2b3;--card:#1a1f28;
  --line:#2b3240;--ok:#3cbc70;--bad:#ef6767;--warn:#eeb23b;--run:#6d9bf1;--idle:#7b8598}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;
  background:var(--bg);color:var(--fg)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.8rem 1.5rem;
  background:var(--card);border-bottom:1px solid var(--line)}
header h1{font-size:1.15rem;margin:0 .25rem 0 0;letter-spacing:-.01em}
main{max-width:1120px;margin:0 auto;padding:1.2rem 1.5rem 2rem;display:grid;gap:1rem}
h2{font-size:.75rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);
  margin:0 0 .6rem}
.badge{padding:.12rem .65rem;border-radius:999px;font-weight:600;color:#fff;background:var(--idle)}
.badge[data-state=running]{background:var(--ok)}
.badge[data-state=failed]{background:var(--bad)}
.badge[data-state=building],.badge[data-state=debouncing]{background:var(--run)}
.badge[data-state=restarting]{background:var(--warn)}
#ready{font-weight:600}
#ready[data-ready=true]{color:var(--ok)}
#ready[data-ready=false]{color:var(--bad)}
#reason,.muted{color:var(--muted)}
#live{margin-left:auto;color:var(--muted);font-size:.85rem;white-space:nowrap}
#live::before{content:"";display:inline-block;width:.55rem;height:.55rem;border-radius:50%;
  margin-right:.4rem;background:var(--idle)}
#live[data-live=live]::before{background:var(--ok)}
#live[data-live=disconnected]::before{background:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(250px,1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.9rem 1.1rem;
  min-width:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .9rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
#last-error{margin:0;color:var(--bad);overflow-wrap:anywhere}
#last-error.muted{color:var(--muted)}
#chart{display:block;width:100%;height:auto}
#chart text{fill:var(--muted);font-size:11px}
#chart .axis{stroke:var(--line)}
.bar{fill:var(--idle)}
.bar.success{fill:var(--ok)}.bar.failure{fill:var(--bad)}.bar.timeout{fill:var(--warn)}
.bar.running{fill:var(--run)}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.35rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.75rem;font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.result{font-weight:600}
.result.success{color:var(--ok)}.result.failure{color:var(--bad)}.result.timeout{color:var(--warn)}
.result.running{color:var(--run)}.result.cancelled{color:var(--idle)}
.note{display:block;font-size:.8rem;color:var(--muted)}
.files{overflow-wrap:anywhere}
pre{margin:0;padding:.75rem .9rem;background:var(--bg);border:1px solid var(--line);
  border-radius:6px;  overflow:auto;max-height:26rem;white-space:pre-wrap;overflow-wrap:anywhere;
  font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding-bottom:1.5rem}
/* A failure not yet fixed comes first; an old one goes below the builds. */
.cards{order:1}#error-card{order:2}#failed{order:6}#failed[data-fixed=false]{order:3}
#chart-card{order:4}#builds-card{order:5}
a{color:var(--run)}
</style>
</head>
<body>
<header>
  <h1>hotpod</h1>
  <span id="state" class="badge" data-state="">loading</span>
  <span id="ready" data-ready=""></span>
  <span id="reason"></span>
  <span id="live" data-live="connecting">connecting</span>
</header>
<main>
  <noscript>This page needs JavaScript; the same data is at
    <a href="/v1/status">/v1/status</a>.</noscript>
  <div class="cards">
    <section class="card"><h2>App</h2><dl id="app"></dl></section>
    <section class="card"><h2>Watch</h2><dl id="watch"></dl></section>
    <section class="card"><h2>Totals</h2><dl id="counts"></dl></section>
  </div>
  <section class="card" id="error-card"><h2>Last error</h2>
    <p id="last-error" class="muted">none</p></section>
  <section class="card" id="chart-card"><h2>Build durations</h2>
    <svg id="chart" viewBox="0 0 1000 130" role="img"
         aria-label="durations of the last builds"></svg>
  </section>
  <section class="card" id="builds-card"><h2>Builds</h2>
    <table id="builds">
      <thead><tr><th>#</th><th>started</th><th class="num">duration</th><th>result</th><th>exit</th>
        <th>changed files</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="card" id="failed" hidden>
    <h2 id="failed-title">Output of the last failed build</h2>
    <pre id="failed-output"></pre></section>
</main>
<footer id="footer"><a href="/v1/status">/v1/status</a> · <a href="/metrics">/metrics</a></footer>
<script>
'use strict';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
// Elements from data without markup: strings become text nodes, attributes go through setAttribute.
function el(tag, attrs, ...kids) {
  const e = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4))
                                   : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'text') e.textContent = String(v); else e.setAttribute(k, String(v));
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}
const pad = (n) => String(n).padStart(2, '0');
function duration(s) {
  if (s === null || s === undefined) return '–';
  if (s < 1) return Math.round(s * 1000) + ' ms';
  if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
  return Math.floor(s / 60) + 'm ' + pad(Math.round(s % 60)) + 's';
}
function uptime(s) {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  if (d) return d + 'd ' + h + 'h';
  if (h) return h + 'h ' + pad(m) + 'm';
  if (m) return m + 'm ' + pad(s % 60) + 's';
  return (s % 60) + 's';
}
function clock(unix) {
  const d = new Date(unix * 1000), now = new Date();
  const time = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  return d.toDateString() === now.toDateString() ? time : d.toLocaleDateString() + ' ' + time;
}
function fill(id, rows) {
  $(id).replaceChildren(...rows.flatMap(([key, label, value]) =>
      [el('dt', {text: label}), el('dd', {'data-field': key, text: value})]));
}
function changed(b) {
  if (!b.changed_count) return b.number === 1 ? 'initial build' : '—';
  const names = b.changed_files.slice(0, 3).join(', ');
  const more = b.changed_count - Math.min(3, b.changed_files.length);
  return b.changed_count + ': ' + names + (more > 0 ? ', +' + more + ' more' : '');
}

let current = null, receivedAt = 0;
function render(s) {
  current = s;
  receivedAt = performance.now();
  const state = $('state');
  state.textContent = s.state;
  state.dataset.state = s.state;
  $('ready').textContent = s.ready.ready ? 'ready' : 'not ready';
  $('ready').dataset.ready = String(s.ready.ready);
  $('reason').textContent = s.ready.reason;
  document.title = 'hotpod · ' + s.state;
  const a = s.app, w = s.watch, c = s.counts;
  fill('app', [
    ['command', 'command', a.configured ? a.command : 'none configured'],
    ['pid', 'pid', a.running ? a.pid : 'not running'],
    ['uptime', 'uptime', a.running ? uptime(a.uptime_seconds) : '–'],
    ['restarts', 'restarts', a.restarts],
    ['probe', 'probe', a.probe + (a.probe_detail ? ' (' + a.probe_detail + ')' : '')],
    ['serving_build', 'serving', a.serving_build ? 'build #' + a.serving_build : '–'],
  ]);
  fill('watch', [
    ['root', 'root', w.root],
    ['backend', 'backend', w.backend],
    ['files', 'files', w.files],
    ['directories', 'directories', w.directories],
    ['poll_interval', 'poll interval',
     w.poll_interval_seconds > 0 ? duration(w.poll_interval_seconds) : '–'],
    ['rescans', 'overflows / rescans', w.overflows + ' / ' + w.rescans],
  ]);
  fill('counts', [
    ['builds', 'builds', c.builds],
    ['builds_failed', 'failed builds', c.builds_failed],
    ['restarts', 'restarts', c.restarts],
    ['rollbacks', 'rollbacks', c.rollbacks],
    ['uptime', 'hotpod uptime', uptime(s.uptime_seconds)],
  ]);
  const err = $('last-error');
  err.textContent = s.last_error === null ? 'none' : s.last_error;
  err.className = s.last_error === null ? 'muted' : '';
  renderChart(s.builds);
  renderTable(s.builds);
  renderFailed(s.builds);
  $('footer').replaceChildren('hotpod ' + s.version + ' · ' + s.mode + ' · ',
      el('a', {href: '/v1/status', text: '/v1/status'}), ' · ',
      el('a', {href: '/metrics', text: '/metrics'}));
}

function renderChart(builds) {
  const svg = $('chart'), W = 1000, H = 130, left = 52, top = 12, base = H - 24;
  const list = builds.slice(0, 20).reverse();  // oldest left
  if (!list.length) {
    svg.replaceChildren(
        el('svg:text', {x: W / 2, y: H / 2, 'text-anchor': 'middle', text: 'no builds yet'}));
    return;
  }
  const max = Math.max(0.001, ...list.map((b) => b.duration_seconds));
  const slot = Math.min(48, (W - left - 8) / list.length), bar = Math.max(4, slot * 0.68);
  const kids = [
    el('svg:line', {class: 'axis', x1: left - 6, x2: W, y1: base + 0.5, y2: base + 0.5}),
    el('svg:line', {class: 'axis', x1: left - 6, x2: W, y1: top + 0.5, y2: top + 0.5,
                    'stroke-dasharray': '3 4'}),
    el('svg:text', {x: left - 10, y: top + 4, 'text-anchor': 'end', text: duration(max)}),
    el('svg:text', {x: left - 10, y: base + 4, 'text-anchor': 'end', text: '0'}),
  ];
  list.forEach((b, i) => {
    const h = Math.max(2, (base - top) * b.duration_seconds / max);
    const x = left + i * slot + (slot - bar) / 2;
    const tip = 'build #' + b.number + ': ' + b.result +
        (b.result === 'running' ? '' : ', ' + duration(b.duration_seconds)) +
        (b.exit ? ' (' + b.exit + ')' : '') +
        ', started ' + clock(b.started_at) + (b.changed_count ? '\n' + changed(b) : '');
    kids.push(el('svg:rect', {class: 'bar ' + b.result, x: x.toFixed(1), y: (base - h).toFixed(1),
                              width: bar.toFixed(1), height: h.toFixed(1), rx: 2,
                              'data-build-number': b.number, 'data-result': b.result},
                 el('svg:title', {text: tip})));
    kids.push(el('svg:text', {x: (x + bar / 2).toFixed(1), y: base + 16, 'text-anchor': 'middle',
                              text: b.number}));
  });
  svg.replaceChildren(...kids);
}

function renderTable(builds) {
  $('builds').tBodies[0].replaceChildren(...builds.map((b) => el('tr',
      {'data-build-number': b.number, 'data-result': b.result},
      el('td', {class: 'number', text: '#' + b.number}),
      el('td', {class: 'started', text: clock(b.started_at)}),
      el('td', {class: 'num duration',
                text: b.result === 'running' ? '…' : duration(b.duration_seconds)}),
      el('td', {}, el('span', {class: 'result ' + b.result, text: b.result}),
         b.note ? el('span', {class: 'note', text: b.note}) : null),
      el('td', {class: 'exit', text: b.exit || ''}),
      el('td', {class: 'files', title: b.changed_files.join('\n'), text: changed(b)}))));
}

function renderFailed(builds) {
  const i = builds.findIndex((b) => b.result === 'failure' || b.result === 'timeout');
  $('failed').hidden = i < 0;
  if (i < 0) return;
  const b = builds[i], fixed = builds.slice(0, i).find((x) => x.result === 'success');
  $('failed').dataset.buildNumber = b.number;
  $('failed').dataset.fixed = String(Boolean(fixed));
  $('failed-title').textContent = 'Output of build #' + b.number + ' (' + b.result +
      (b.exit ? ', ' + b.exit : '') + ')' +
      (fixed ? ' — build #' + fixed.number + ' has since succeeded' : '');
  $('failed-output').textContent = b.output_tail.length ? b.output_tail.join('\n') : '(no output)';
}

// Uptimes tick locally from the last answer (no clock comparison: the browser may be elsewhere).
setInterval(() => {
  if (!current) return;
  const late = (performance.now() - receivedAt) / 1000;
  const app = document.querySelector('#app [data-field=uptime]');
  if (app && current.app.running) app.textContent = uptime(current.app.uptime_seconds + late);
  const own = document.querySelector('#counts [data-field=uptime]');
  if (own) own.textContent = uptime(current.uptime_seconds + late);
}, 1000);

let inFlight = false, again = false;
async function refresh() {
  if (inFlight) { again = true; return; }
  inFlight = true;
  try {
    const r = await fetch('/v1/status', {cache: 'no-store'});
    if (r.ok) render(await r.json());
  } catch (e) {
    // Offline: the EventSource says so and refreshes again when it is back.
  } finally {
    inFlight = false;
    if (again) { again = false; refresh(); }
  }
}
function live(state) {
  $('live').dataset.live = state;
  $('live').textContent = state;
}
const EVENTS = ['state', 'build_started', 'build_finished', 'app_started', 'app_exited', 'reload',
                'restart_failed', 'rollback', 'probe', 'notify'];
function connect() {
  const es = new EventSource('/v1/events');
  es.onopen = () => { live('live'); refresh(); };
  es.onerror = () => {
    live('disconnected');
    // EventSource retries by itself unless the server refused it (e.g. 503: too many streams).
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  };
  es.addEventListener('hello', (e) => {
    try { render(JSON.parse(e.data)); } catch (err) { refresh(); }
  });
  for (const type of EVENTS) es.addEventListener(type, refresh);
}
refresh();
connect();
</script>
</body>
</html>
)html";
}

}  // namespace hotpod
