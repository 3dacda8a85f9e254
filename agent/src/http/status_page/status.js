// The status page's script (GET /). Every value from hotpod goes in through textContent or
// setAttribute, never as markup: build output, file names and commands are untrusted.
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
// "#3", or "api #3" with services.
const label = (b) => (b.service ? b.service + ' ' : '') + '#' + b.number;
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
  const services = Object.entries(s.services || {});
  $('app-card').hidden = services.length > 0;  // each service's app is in its row
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
  renderServices(services);
  renderProxy(s.proxy);
  // With services, the builds of all of them, newest first, each named by its service.
  const builds = services.length === 0 ? s.builds : services
      .flatMap(([name, one]) => one.builds.map((b) => Object.assign({service: name}, b)))
      .sort((x, y) => y.started_at - x.started_at);
  renderChart(builds);
  renderTable(builds);
  renderFailed(builds);
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
    const tip = 'build ' + label(b) + ': ' + b.result +
        (b.result === 'running' ? '' : ', ' + duration(b.duration_seconds)) +
        (b.exit ? ' (' + b.exit + ')' : '') +
        ', started ' + clock(b.started_at) + (b.changed_count ? '\n' + changed(b) : '');
    kids.push(el('svg:rect', {class: 'bar ' + b.result, x: x.toFixed(1), y: (base - h).toFixed(1),
                              width: bar.toFixed(1), height: h.toFixed(1), rx: 2,
                              'data-build-number': b.number, 'data-service': b.service,
                              'data-result': b.result},
                 el('svg:title', {text: tip})));
    kids.push(el('svg:text', {x: (x + bar / 2).toFixed(1), y: base + 16, 'text-anchor': 'middle',
                              text: b.number}));  // the tooltip names the service
  });
  svg.replaceChildren(...kids);
}

function renderTable(builds) {
  $('builds').tBodies[0].replaceChildren(...builds.map((b) => el('tr',
      {'data-build-number': b.number, 'data-service': b.service, 'data-result': b.result},
      el('td', {class: 'number', text: label(b)}),
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
  const b = builds[i];
  const fixed = builds.slice(0, i).find((x) => x.result === 'success' && x.service === b.service);
  $('failed').dataset.buildNumber = b.number;
  $('failed').dataset.fixed = String(Boolean(fixed));
  $('failed-title').textContent = 'Output of build ' + label(b) + ' (' + b.result +
      (b.exit ? ', ' + b.exit : '') + ')' +
      (fixed ? ' — build ' + label(fixed) + ' has since succeeded' : '');
  $('failed-output').textContent = b.output_tail.length ? b.output_tail.join('\n') : '(no output)';
}

// One row per service (services:): its state, readiness, last build, app and the build it runs.
function renderServices(services) {
  $('services-card').hidden = services.length === 0;
  $('services').tBodies[0].replaceChildren(...services.map(([name, v]) => {
    const last = v.builds[0], a = v.app;
    return el('tr', {'data-service': name, 'data-state': v.state},
        el('td', {class: 'name', text: name}),
        el('td', {}, el('span', {class: 'badge', 'data-state': v.state, text: v.state})),
        el('td', {class: 'ready ' + (v.ready.ready ? 'ready-yes' : 'ready-no'),
                  title: v.ready.reason, text: v.ready.ready ? 'ready' : 'not ready'}),
        el('td', {class: 'last-build'}, last ? el('span', {class: 'result ' + last.result,
            text: '#' + last.number + ' ' + last.result}) : 'none yet',
           last && last.result !== 'running' ? ' ' + duration(last.duration_seconds) : null),
        el('td', {class: 'app', text: a.running ? 'pid ' + a.pid : 'not running'}),
        el('td', {class: 'serving', text: a.serving_build ? 'build #' + a.serving_build : '–'}),
        el('td', {class: 'num restarts', text: a.restarts}));
  }));
}

// The dev proxy (proxy:): where it listens, where requests go, what it holds.
function renderProxy(p) {
  $('proxy-card').hidden = !p;
  if (!p) return;
  const r = p.requests, c = p.candidate;
  $('proxy-card').dataset.upstream = p.upstream ? p.upstream.port : '';
  $('proxy-card').dataset.candidate = c ? c.port : '';
  const to = p.upstream ? 'port ' + p.upstream.port +
      (p.upstream.build ? ' (build #' + p.upstream.build + ')' : '') : 'no version yet';
  fill('proxy', [
    ['listen', 'listen', p.listen],
    ['handover', 'handover', p.handover],
    ['upstream', p.ready ? 'sends to' : 'holding for', p.ready ? to
        : to + ' — ' + p.holding.kind + ': ' + p.holding.reason],
    ['held_now', 'held now', r.held_now],
    ['requests', 'held / failed / passed', r.held_total + ' / ' + r.failed_total + ' / ' +
        r.proxied_total],
    ['candidate', 'starting', c ? 'pid ' + c.pid + ' on port ' + c.port +
        (c.build ? ' (build #' + c.build + ')' : '') + ', ' + uptime(c.age_seconds) : '–'],
  ]);
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
                'restart_failed', 'rollback', 'probe', 'notify', 'proxy'];
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
