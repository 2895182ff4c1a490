// The dagq dashboard's page: it follows the run through server-sent
// events (api/events) and asks the API for tables, task pages and graphs.
// No library; every text from the run goes in through textContent.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const token = document.querySelector('meta[name=dagq-token]').content;
  const controlsOn = document.querySelector('meta[name=dagq-controls]').content === 'on';
  const statuses = ['blocked', 'queued', 'running', 'succeeded', 'failed', 'killed'];
  const colors = {};
  for (const s of statuses.concat(['retried'])) {
    colors[s] = getComputedStyle(document.documentElement).getPropertyValue('--' + s).trim();
  }
  const state = { run: new URLSearchParams(location.search).get('run') || '', last: null, bars: [], running: [], fails: [], skew: 0, offset: 0, limit: 50, task: 0, events: null, loaded: 0 };

  function url(path, params) {
    const u = new URLSearchParams(params || {});
    if (state.run) u.set('run', state.run);
    return path + '?' + u.toString();
  }
  async function getJSON(path, params) {
    const r = await fetch(url(path, params));
    const b = await r.json();
    if (!r.ok) throw new Error(b.error || r.statusText);
    return b;
  }
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  }
  function say(msg, bad) {
    const m = $('message');
    m.textContent = msg;
    m.className = 'show' + (bad ? ' bad' : '');
    clearTimeout(say.t);
    say.t = setTimeout(() => { m.className = ''; }, 4000);
  }
  function dur(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    const s = ms / 1000;
    if (s < 120) return s.toFixed(1) + ' s';
    if (s < 7200) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  }
  function chip(status) { return el('span', { class: 'status s-' + status, text: status }); }
  function taskLink(id, label) {
    return el('a', { href: '#task=' + id, text: label, onclick: (e) => { e.preventDefault(); openTask(id); } });
  }
  // Reasons name the culprit as `"name" (id 7)`: link those ids.
  function linked(text) {
    const span = el('span');
    let at = 0;
    for (const m of text.matchAll(/\(id (\d+)\)/g)) {
      span.append(text.slice(at, m.index), '(', taskLink(Number(m[1]), 'id ' + m[1]), ')');
      at = m.index + m[0].length;
    }
    span.append(text.slice(at));
    return span;
  }

  // ---- the live stream ----
  function connect() {
    if (state.events) state.events.close();
    const es = new EventSource(url('api/events'));
    state.events = es;
    es.onopen = () => { state.bars = []; state.fails = []; }; // the server sends its whole window again
    es.onmessage = (e) => apply(JSON.parse(e.data));
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED || !state.last) setState('lost');
    };
  }
  function setState(s) {
    const b = $('state');
    b.textContent = s;
    b.className = 'badge ' + s;
    document.body.dataset.state = s;
  }
  function apply(u) {
    state.last = u;
    state.skew = Date.now() - u.now;
    const t = u.totals;
    const pending = t.Blocked + t.Queued + t.Running;
    setState(u.stopped ? 'stopped' : u.paused ? 'paused' : pending === 0 ? 'idle' : 'running');
    runs(u);
    counts(t);
    $('rate').textContent = u.rate > 0 ? u.rate.toFixed(u.rate < 10 ? 1 : 0) + ' tasks/s' : '';
    $('eta').textContent = pending === 0 ? '' : u.eta >= 0 ? 'ETA ' + dur(u.eta * 1000) : '';
    $('controls').hidden = !(u.controls && controlsOn);
    refresh($('par'), u.parallelism);
    queues(u);
    $('sampled').hidden = !u.sampled;
    state.bars = state.bars.concat(u.bars || []).slice(-4000);
    state.running = u.running || [];
    state.fails = (u.fails || []).reverse().concat(state.fails).slice(0, 200);
    failures(u.fails && u.fails.length);
    resources(u);
    drawStream();
    if (Date.now() - state.loaded > 1000) loadTasks();
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
  }
  function runs(u) {
    const sel = $('run');
    sel.hidden = u.runs.length < 2;
    if (sel.options.length !== u.runs.length) {
      sel.replaceChildren(...u.runs.map((r) => el('option', { value: r, text: r })));
    }
    sel.value = u.run;
  }
  function counts(t) {
    $('counts').replaceChildren(
      el('div', { class: 'count', id: 'c-submitted' }, el('b', { text: String(t.Submitted) }), 'submitted'),
      ...statuses.map((s) => {
        const n = t[s[0].toUpperCase() + s.slice(1)];
        return el('div', { class: 'count', id: 'c-' + s }, el('b', { text: String(n) }), el('i', { class: 's-' + s }), s);
      }));
    progress($('progress'), t);
  }
  function progress(box, c) {
    const total = Math.max(c.Submitted, 1);
    box.replaceChildren(...['succeeded', 'failed', 'killed', 'running', 'queued'].map((s) => {
      const span = el('span', { class: 's-' + s, title: s });
      span.style.width = (100 * c[s[0].toUpperCase() + s.slice(1)] / total) + '%';
      return span;
    }));
  }
  function queues(u) {
    const body = $('queues').tBodies[0];
    const seen = new Set();
    for (const q of u.queues) {
      seen.add(q.name);
      let tr = body.querySelector('tr[data-queue="' + CSS.escape(q.name) + '"]');
      if (!tr) {
        tr = el('tr', { 'data-queue': q.name });
        const size = el('td', { class: 'size' });
        tr.append(el('td', { text: q.name }), size);
        for (let i = 0; i < 6; i++) tr.append(el('td'));
        tr.append(el('td', {}, el('div', { class: 'progress' })));
        body.append(tr);
        $('fqueue').append(el('option', { value: q.name, text: q.name }));
      }
      const cells = tr.cells;
      sizeCell(cells[1], q, u.controls && controlsOn);
      statuses.forEach((s, i) => { cells[2 + i].textContent = String(q[s[0].toUpperCase() + s.slice(1)]); });
      progress(cells[8].firstChild, q);
    }
    for (const tr of [...body.rows]) if (!seen.has(tr.dataset.queue)) tr.remove();
  }
  function sizeCell(td, q, editable) {
    if (!editable) { td.textContent = String(q.size); return; }
    let input = td.querySelector('input');
    if (!input) {
      input = keepEdits(el('input', { type: 'number', min: '1', step: '1', 'aria-label': 'size of ' + q.name }));
      td.replaceChildren(input, el('button', { type: 'button', text: 'Set', onclick: () => submit(input, { action: 'resize', queue: q.name, n: Number(input.value) }) }));
    }
    refresh(input, q.size);
  }
  function failures(changed) {
    if (!changed && $('fails').childElementCount) return;
    $('fails').replaceChildren(...state.fails.map((f) => el('li', {},
      chip(f.status), ' ', taskLink(f.id, f.name), ' ', el('span', { class: 'muted', text: f.queue + ': ' }), linked(f.why))));
  }
  function resources(u) {
    $('pools').replaceChildren(...(u.pools || []).map((p) =>
      el('div', {}, el('b', { text: p.Name }), ' ' + p.Used + ' / ' + p.Capacity + ' in use')));
    const devices = state.running.filter((b) => b.lane.startsWith('device '));
    $('devices').replaceChildren(...devices.map((b) =>
      el('div', {}, el('b', { text: b.lane }), ' ', taskLink(b.id, b.name))));
    if (!(u.pools || []).length && !devices.length) $('pools').textContent = 'no resource pool or device in use';
  }

  // ---- the task stream ----
  function laneOrder(a, b) { return a.localeCompare(b, undefined, { numeric: true }); }
  function drawStream() {
    const c = $('stream');
    const now = Date.now() - state.skew;
    let win = Number($('window').value) * 1000;
    if (!win) { // auto: from the first bar kept, between 10 s and 30 min
      const first = Math.min(now, ...state.bars.map((b) => b.start), ...state.running.map((b) => b.start));
      win = Math.min(Math.max((now - first) * 1.05, 10000), 1800000);
    }
    const from = now - win;
    const shown = state.bars.filter((b) => b.end >= from).concat(state.running.map((b) => ({ ...b, end: 0 })));
    const lanes = [...new Set(shown.map((b) => b.lane))].sort(laneOrder);
    const row = 14, left = 110, top = 4, axis = 16;
    const w = c.clientWidth || 800;
    const h = top + Math.max(lanes.length, 1) * row + axis;
    const dpr = window.devicePixelRatio || 1;
    c.width = w * dpr; c.height = h * dpr; c.style.height = h + 'px';
    const g = c.getContext('2d');
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, h);
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'middle';
    const x = (t) => left + (w - left - 4) * (t - from) / win;
    const index = new Map(lanes.map((l, i) => [l, i]));
    c.hits = [];
    for (const b of shown) {
      const y = top + index.get(b.lane) * row;
      const x0 = Math.max(x(b.start), left), x1 = x(b.end || now);
      g.fillStyle = colors[b.status] || colors.running;
      g.fillRect(x0, y + 1, Math.max(x1 - x0, 1.5), row - 2);
      c.hits.push({ x0, x1: Math.max(x1, x0 + 2), y, b });
    }
    g.fillStyle = '#374151';
    lanes.forEach((l, i) => g.fillText(l.length > 16 ? l.slice(0, 15) + '…' : l, 2, top + i * row + row / 2));
    if (!lanes.length) g.fillText('no attempt in this window', left, top + row / 2);
    g.fillStyle = '#6b7280';
    const step = win / 5;
    for (let i = 0; i <= 5; i++) {
      const t = from + i * step;
      g.fillText(i === 5 ? 'now' : '−' + dur(now - t), Math.min(x(t), w - 30), h - axis / 2);
    }
  }
  function streamHit(e) {
    const c = $('stream');
    const r = c.getBoundingClientRect();
    const px = e.clientX - r.left, py = e.clientY - r.top;
    return (c.hits || []).find((h) => px >= h.x0 && px <= h.x1 && py >= h.y && py <= h.y + 14);
  }

  // ---- the task table ----
  function filterParams() {
    const p = { offset: state.offset, limit: state.limit };
    for (const [k, id] of [['q', 'q'], ['status', 'fstatus'], ['queue', 'fqueue'], ['tenant', 'ftenant'], ['key', 'fkey']]) {
      if ($(id).value) p[k] = $(id).value;
    }
    return p;
  }
  async function loadTasks() {
    state.loaded = Date.now();
    let r;
    try { r = await getJSON('api/tasks', filterParams()); } catch (e) { say(e.message, true); return; }
    $('tasks').tBodies[0].replaceChildren(...r.tasks.map((t) => el('tr', { class: 'link', 'data-id': String(t.id), onclick: () => openTask(t.id) },
      el('td', { text: String(t.id) }), el('td', { text: t.name }), el('td', { text: t.queue }), el('td', {}, chip(t.status)),
      el('td', { text: String(t.attempts) }), el('td', { text: t.started && t.finished ? dur(t.finished - t.started) : '' }),
      el('td', { class: 'why', text: t.why || '' }))));
    const to = Math.min(state.offset + r.tasks.length, r.matched);
    $('page').textContent = ' ' + (r.matched ? state.offset + 1 : 0) + '–' + to + ' of ' + r.matched + (r.matched !== r.total ? ' (' + r.total + ' in all)' : '') + ' ';
    $('prev').disabled = state.offset === 0;
    $('next').disabled = to >= r.matched;
  }

  // ---- a task's page ----
  async function openTask(id) {
    state.task = id;
    if (location.hash !== '#task=' + id) history.replaceState(null, '', '#task=' + id);
    let t;
    try { t = await getJSON('api/task', { id }); } catch (e) { say(e.message, true); return; }
    if (state.task !== id) return;
    $('task').hidden = false;
    $('tname').replaceChildren(t.name + ' ', chip(t.status));
    const times = ['submitted', 'ready', 'targeted', 'dispatched', 'started', 'finished'];
    const info = [['id', String(t.id)], ['queue', t.queue], ['backend', t.backend], ['status', chip(t.status)], ['attempts', String(t.attempts)],
      ['trigger', t.trigger], ['weight', String(t.weight)], ['priority', String(t.priority)], ['cost', String(t.cost)]];
    if (t.tenant) info.push(['tenant', t.tenant]);
    if (t.key) info.push(['key', t.key + (t.cached ? ' (cached)' : '')]);
    if (t.devices.length) info.push(['devices', t.devices.join(', ')]);
    t.times.forEach((ms, i) => { if (ms) info.push([times[i], i === 0 ? new Date(ms).toLocaleTimeString() : '+' + dur(ms - t.times[0])]); });
    if (t.started && t.finished) info.push(['ran', dur(t.finished - t.started)]);
    if (t.reason) info.push(['reason', linked(t.reason)]);
    if (t.error && t.error !== t.reason) info.push(['error', linked(t.error)]);
    if (t.culprit) info.push(['culprit', taskLink(t.culprit, 'task ' + t.culprit)]);
    $('tinfo').replaceChildren(...info.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, v)]));
    const list = (items, total) => items.map((r) => el('li', {}, taskLink(r.id, r.name), ' ', chip(r.status)))
      .concat(total > items.length ? [el('li', { text: '… ' + (total - items.length) + ' more' })] : []);
    $('tdeps').replaceChildren(...list(t.deps, t.deps.length));
    $('tdependents').replaceChildren(...list(t.dependents, t.ndependents));
    $('tcancel').hidden = !(controlsOn && state.last && state.last.controls && t.kills > 0);
    $('kills').textContent = 'kills ' + (t.kills >= 10000 ? 'at least 10000' : t.kills) + ' task' + (t.kills === 1 ? '' : 's') + ' (this one and its dependents not yet finished)';
    $('cancel').textContent = 'Cancel';
    $('cancel').dataset.armed = '';
    $('tlog').textContent = t.log || '(no log)';
    drawGraph(id);
  }
  async function drawGraph(id) {
    let g;
    try { g = await getJSON('api/graph', { id, depth: $('depth').value }); } catch (e) { say(e.message, true); return; }
    const box = $('graph');
    const levels = [...new Set(g.nodes.map((n) => n.level))].sort((a, b) => a - b);
    const col = new Map(levels.map((l, i) => [l, i]));
    const rows = new Map();
    const pos = new Map();
    const nw = 140, nh = 20, gx = 40, gy = 8;
    for (const n of g.nodes) {
      const c = col.get(n.level);
      const r = rows.get(c) || 0;
      rows.set(c, r + 1);
      pos.set(n.id, { x: 6 + c * (nw + gx), y: 6 + r * (nh + gy), n });
    }
    const height = 12 + Math.max(1, ...rows.values()) * (nh + gy);
    box.setAttribute('viewBox', '0 0 ' + (12 + levels.length * (nw + gx)) + ' ' + height);
    box.style.height = Math.min(Math.max(height, 120), 600) + 'px';
    const kids = [];
    for (const [a, b] of g.edges) {
      const p = pos.get(a), q = pos.get(b);
      if (!p || !q) continue;
      const x1 = p.x + nw, y1 = p.y + nh / 2, x2 = q.x, y2 = q.y + nh / 2;
      kids.push(svg('path', { d: `M${x1},${y1} C${x1 + gx / 2},${y1} ${x2 - gx / 2},${y2} ${x2},${y2}`, fill: 'none', stroke: '#9ca3af' }));
    }
    for (const { x, y, n } of pos.values()) {
      const node = svg('g', { class: 'gnode', 'data-id': String(n.id), cursor: 'pointer' });
      node.append(svg('rect', { x, y, width: nw, height: nh, rx: 3, fill: colors[n.status], stroke: n.level === 0 ? '#111827' : '#6b7280', 'stroke-width': n.level === 0 ? 2 : 1 }),
        svg('text', { x: x + 5, y: y + 14 }, n.name.length > 22 ? n.name.slice(0, 21) + '…' : n.name),
        svg('title', {}, n.name + ' (' + n.status + ')'));
      node.addEventListener('click', () => openTask(n.id));
      kids.push(node);
    }
    if (g.truncated) kids.push(svg('text', { x: 6, y: height - 2 }, 'more not shown'));
    box.replaceChildren(...kids);
  }

  // ---- controls ----
  async function control(body) {
    let r, b;
    try {
      r = await fetch(url('api/control'), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Dagq-Token': token }, body: JSON.stringify(body) });
      b = await r.json();
    } catch (e) { say(e.message, true); return; }
    say(r.ok ? b.ok : 'refused: ' + b.error, !r.ok);
    if (r.ok && state.task) openTask(state.task);
  }

  // An input the user edits keeps what they typed until they set it:
  // updates refresh it only while it is neither focused nor edited.
  function keepEdits(input) {
    input.addEventListener('input', () => { input.dataset.edited = '1'; });
    return input;
  }
  function refresh(input, value) {
    if (document.activeElement !== input && !input.dataset.edited) input.value = value;
  }
  function submit(input, body) {
    delete input.dataset.edited;
    control(body);
  }

  // ---- wiring ----
  $('pause').onclick = () => control({ action: 'pause' });
  $('resume').onclick = () => control({ action: 'resume' });
  keepEdits($('par'));
  $('setpar').onclick = () => submit($('par'), { action: 'parallelism', n: Number($('par').value) });
  $('cancel').onclick = () => {
    const b = $('cancel');
    if (!b.dataset.armed) { b.dataset.armed = '1'; b.textContent = 'Confirm: cancel'; return; }
    control({ action: 'cancel', id: state.task });
  };
  $('tclose').onclick = () => { $('task').hidden = true; state.task = 0; history.replaceState(null, '', location.pathname + location.search); };
  $('depth').onchange = () => state.task && drawGraph(state.task);
  $('window').onchange = drawStream;
  $('run').onchange = () => {
    state.run = $('run').value;
    history.replaceState(null, '', '?run=' + encodeURIComponent(state.run));
    state.bars = []; state.fails = []; $('queues').tBodies[0].replaceChildren(); connect(); loadTasks();
  };
  let debounce;
  $('filter').addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => { state.offset = 0; loadTasks(); }, 250); });
  $('filter').addEventListener('submit', (e) => e.preventDefault());
  $('prev').onclick = () => { state.offset = Math.max(0, state.offset - state.limit); loadTasks(); };
  $('next').onclick = () => { state.offset += state.limit; loadTasks(); };
  const tip = $('streamtip');
  $('stream').addEventListener('mousemove', (e) => {
    const h = streamHit(e);
    tip.hidden = !h;
    if (!h) return;
    const end = h.b.end || (Date.now() - state.skew);
    tip.textContent = h.b.name + ' · ' + h.b.status + ' · ' + dur(end - h.b.start);
    tip.style.left = (e.clientX + 12) + 'px';
    tip.style.top = (e.clientY + 12) + 'px';
  });
  $('stream').addEventListener('mouseleave', () => { tip.hidden = true; });
  $('stream').addEventListener('click', (e) => { const h = streamHit(e); if (h) openTask(h.b.id); });
  window.addEventListener('resize', drawStream);
  setInterval(() => {
    if (document.visibilityState !== 'visible') return;
    drawStream();
    if (Date.now() - state.loaded > 1000) loadTasks();
    if (state.task && !$('task').hidden) openTask(state.task);
  }, 2000);
  connect();
  loadTasks();
  const fromHash = () => {
    const m = location.hash.match(/^#task=(\d+)$/);
    if (m && Number(m[1]) !== state.task) openTask(Number(m[1]));
  };
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
