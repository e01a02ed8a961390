// Whiteboard: a board is the channel board/<name>. /demo/board/start gives a cursor from the start
// of the board's history, so the page draws every stroke the history holds, then the live ones.
// Strokes are durable "stroke" messages sent in segments of at most 32 points: when a segment is
// full, every quarter second while the pen moves, and when it lifts; each segment starts where
// the previous one ended, so a segment draws alone and a late joiner's history holds the whole
// stroke. Cursors are ephemeral "cursor" messages: at most one per animation frame, only when the
// pointer moved, one in flight. h.presence lists who is here with the name and colour they chose.
// Coordinates are fractions of the board, whose shape is the same everywhere, so windows of any
// size agree. The server's BoardMessages checks every message.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const SEGMENT_POINTS = 32; // BoardMessages.MAX_POINTS
  const SEGMENT_MS = 250;
  const MIN_STEP = 0.002; // of the board's width: a closer point adds nothing visible
  const ASPECT = 10 / 16; // the board's height over its width (style.css draws it so)
  const IDLE_MS = 4000; // a cursor that has not moved for this long fades
  const GONE_MS = 10000; // a hidden cursor (its member left) not moved for this long is dropped
  const RETRY = ['disconnected', 'timeout', 'closed', 'unavailable', 'rate_limited'];
  const PALETTE = ['#e5484d', '#f76b15', '#2f6fed', '#1a8f4c', '#8e4ec6', '#d6409f', '#0b8a9e', '#ad7f58'];
  const COLOR = /^#[0-9a-f]{6}$/i;
  const surface = $('surface');
  const ink = $('ink');
  const live = $('live');

  /** Letters and digits from the browser's random source. */
  function randomKey(n) {
    const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => abc[b % abc.length]).join('');
  }

  // This page's presence data. The key stays for the page's life (a reconnect changes the client
  // id): cursors name their sender by it, on every transport.
  const me = {
    key: randomKey(10),
    name: localStorage.getItem('herald.demo.nick') || 'guest-' + (100 + Math.floor(Math.random() * 900)),
    color: localStorage.getItem('herald.demo.color') || PALETTE[Math.floor(Math.random() * PALETTE.length)],
  };
  if (!COLOR.test(me.color)) me.color = PALETTE[0];

  let h = null;
  let board = null; // {board, channel, kept, cursor} from /demo/board/start
  let segments = []; // the board's segments, in offset order: {offset, id, seq, color, width, points}
  let shown = new Set(); // "id/seq" of those: a retried publish may be stored twice
  let latest = 0; // the newest offset seen
  let toPaint = []; // segments to add to the ink layer at the next frame
  let repaint = true; // the ink layer must be drawn again from segments
  let liveDirty = false; // the live layer (my strokes not yet back from the server) changed
  const pending = new Map(); // "id/seq" -> my segment, published but not yet received back
  let stroke = null; // the stroke being drawn
  const pointer = { x: 0, y: 0, moved: false };
  let cursorBusy = false; // a cursor publish is in flight
  let members = new Map(); // key -> {name, color}
  const cursors = new Map(); // key -> {el, label, x, y, at}
  const forced = Demo.picker('websocket', () => board && connect(h && h.cursor));

  $('name').value = me.name;
  $('color').value = me.color;

  // ---- the board's state, from its messages

  function onMessage(m) {
    if (m.event === 'cursor') return moveCursor(m.data);
    if (typeof m.offset === 'number') latest = Math.max(latest, m.offset);
    if (m.event === 'clear') {
      segments = [];
      shown = new Set();
      repaint = true;
    } else if (m.event === 'stroke') {
      const d = m.data;
      const k = d.id + '/' + d.seq;
      if (pending.delete(k)) liveDirty = true;
      if (!shown.has(k)) {
        shown.add(k);
        const segment = { offset: m.offset, id: d.id, seq: d.seq, color: d.color, width: d.width, points: d.points };
        segments.push(segment);
        toPaint.push(segment);
      }
    }
    // What the history no longer holds, a late joiner would not see: drop it here too.
    let old = 0;
    while (old < segments.length && segments[old].offset <= latest - board.kept) {
      shown.delete(segments[old].id + '/' + segments[old].seq);
      old++;
    }
    if (old) {
      segments.splice(0, old);
      repaint = true;
    }
  }

  /** History lost or cut short: start again from what follows (every message it still holds). */
  function onReset(e) {
    if (!board || e.channel !== board.channel) return;
    segments = [];
    shown = new Set();
    latest = e.offset || 0;
    repaint = true;
  }

  // ---- drawing

  /** Sizes a canvas to its box in device pixels; true if it changed (and so was wiped). */
  function fit(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * ratio);
    const hgt = Math.round(canvas.clientHeight * ratio);
    if (canvas.width === w && canvas.height === hgt) return false;
    canvas.width = w;
    canvas.height = hgt;
    return true;
  }

  function paint(g, s) {
    const w = g.canvas.width;
    const hgt = g.canvas.height;
    const p = s.points;
    const lw = Math.max(1, (s.width / 1000) * w);
    g.strokeStyle = g.fillStyle = s.color;
    if (p.length === 2) {
      g.beginPath();
      g.arc(p[0] * w, p[1] * hgt, lw / 2, 0, 2 * Math.PI);
      g.fill();
      return;
    }
    g.lineWidth = lw;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(p[0] * w, p[1] * hgt);
    for (let i = 2; i < p.length; i += 2) g.lineTo(p[i] * w, p[i + 1] * hgt);
    g.stroke();
  }

  function drawInk() {
    const g = ink.getContext('2d');
    if (fit(ink) || repaint) {
      g.clearRect(0, 0, ink.width, ink.height);
      segments.forEach((s) => paint(g, s));
    } else {
      toPaint.forEach((s) => paint(g, s));
    }
    repaint = false;
    toPaint = [];
  }

  function drawLive() {
    const g = live.getContext('2d');
    if (!fit(live) && !liveDirty) return;
    liveDirty = false;
    g.clearRect(0, 0, live.width, live.height);
    pending.forEach((s) => paint(g, s));
    if (stroke) paint(g, stroke);
  }

  function frame(now) {
    if (board) {
      if (stroke && now - stroke.since >= SEGMENT_MS) flush();
      sendCursor();
      drawInk();
      drawLive();
      for (const c of cursors.values()) {
        if (c.el.hidden && now - c.at > GONE_MS) forget(c.key);
        place(c);
        c.el.classList.toggle('idle', now - c.at > IDLE_MS);
      }
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

  // ---- my pen

  /** Where a pointer event is, as fractions of the board, rounded to 1/10,000. */
  function at(e) {
    const r = surface.getBoundingClientRect();
    const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
    return { x: clamp((e.clientX - r.left) / r.width), y: clamp((e.clientY - r.top) / r.height) };
  }

  function track(e) {
    const p = at(e);
    pointer.x = p.x;
    pointer.y = p.y;
    pointer.moved = true;
  }

  function begin(p) {
    const width = Number($('width').value);
    stroke = { id: randomKey(10), seq: 0, color: me.color, width, points: [p.x, p.y], fresh: 1, since: performance.now() };
    liveDirty = true;
  }

  function extend(p) {
    const pts = stroke.points;
    const dx = p.x - pts[pts.length - 2];
    const dy = (p.y - pts[pts.length - 1]) * ASPECT;
    if (Math.hypot(dx, dy) < MIN_STEP) return;
    pts.push(p.x, p.y);
    stroke.fresh++;
    liveDirty = true;
    if (pts.length >= 2 * SEGMENT_POINTS) flush();
  }

  /** Sends what the stroke has drawn since its last segment; the next segment starts at its end. */
  function flush() {
    stroke.since = performance.now();
    if (!stroke.fresh) return;
    const s = stroke;
    send({ id: s.id, seq: s.seq, color: s.color, width: s.width, points: s.points });
    s.points = s.points.slice(-2);
    s.fresh = 0;
    s.seq++;
    if (s.seq > 9999) Object.assign(s, { id: randomKey(10), seq: 0 }); // BoardMessages.MAX_SEQ
  }

  function end() {
    if (!stroke) return;
    flush();
    stroke = null;
    liveDirty = true;
  }

  surface.addEventListener('pointerdown', (e) => {
    if (!board || e.button !== 0) return;
    e.preventDefault();
    surface.setPointerCapture(e.pointerId);
    track(e);
    begin(at(e));
  });
  surface.addEventListener('pointermove', (e) => {
    track(e);
    if (!stroke) return;
    const all = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    (all.length ? all : [e]).forEach((c) => extend(at(c)));
  });
  surface.addEventListener('pointerup', end);
  surface.addEventListener('pointercancel', end);

  // ---- publishing

  /** A segment stays on the live layer until it comes back; one that failed in transit is sent again. */
  function send(segment) {
    pending.set(segment.id + '/' + segment.seq, segment);
    publish(segment);
  }

  function publish(segment) {
    segment.retry = false;
    const data = { id: segment.id, seq: segment.seq, color: segment.color, width: segment.width, points: segment.points };
    h.publish(board.channel, 'stroke', data).catch((err) => {
      if (RETRY.includes(err.code)) {
        segment.retry = true; // at the next open; the board shows a repeat once
      } else {
        pending.delete(segment.id + '/' + segment.seq);
        liveDirty = true;
        $('error').textContent = err.message;
      }
    });
  }

  function sendCursor() {
    if (!pointer.moved || cursorBusy || !h || h.state !== 'open') return;
    pointer.moved = false;
    cursorBusy = true;
    h.publish(board.channel, 'cursor', { key: me.key, x: pointer.x, y: pointer.y }, { ephemeral: true })
      .catch((err) => RETRY.includes(err.code) || ($('error').textContent = err.message))
      .finally(() => (cursorBusy = false));
  }

  // ---- who is here, and their cursors

  /** A member's name and colour, checked: a colour goes into a style. */
  function person(data) {
    const d = data && typeof data === 'object' ? data : {};
    const name = typeof d.name === 'string' && d.name.trim() ? d.name.trim().slice(0, 24) : 'guest';
    return { name, color: typeof d.color === 'string' && COLOR.test(d.color) ? d.color : '#8a93a6' };
  }

  function onPresence(list) {
    members = new Map();
    for (const m of list) {
      const key = m.data && m.data.key;
      if (typeof key === 'string' && !members.has(key)) members.set(key, person(m.data));
    }
    const items = [];
    for (const [key, p] of members) {
      const item = Demo.el('li');
      Object.assign(item.dataset, { key, name: p.name, color: p.color });
      const swatch = Demo.el('span', 'swatch');
      swatch.style.background = p.color;
      item.append(swatch, Demo.el('span', 'who', p.name));
      if (key === me.key) {
        item.classList.add('mine');
        item.append(Demo.el('span', 'you', 'you'));
      }
      items.push(item);
    }
    $('people').replaceChildren(...items);
    cursors.forEach(show);
  }

  // A cursor is shown only while its member is here. One that left is hidden at once but kept a
  // while: a long-polling member may leave and join again between two polls, and should not lose
  // its cursor for that.
  function moveCursor(d) {
    if (d.key === me.key) return;
    let c = cursors.get(d.key);
    if (!c) {
      const el = Demo.el('div', 'cursor');
      el.dataset.key = d.key;
      const label = Demo.el('span', 'who');
      el.append(label);
      $('cursors').append(el);
      c = { key: d.key, el, label };
      cursors.set(d.key, c);
    }
    Object.assign(c, { x: d.x, y: d.y, at: performance.now() });
    c.el.dataset.x = d.x;
    c.el.dataset.y = d.y;
    show(c);
    place(c);
  }

  function show(c) {
    const p = members.get(c.key);
    c.el.hidden = !p;
    if (!p) return;
    c.label.textContent = p.name;
    c.el.style.setProperty('--who', p.color);
  }

  function place(c) {
    c.el.style.transform = 'translate(' + c.x * surface.clientWidth + 'px, ' + c.y * surface.clientHeight + 'px)';
  }

  function forget(key) {
    const c = cursors.get(key);
    if (c) c.el.remove();
    cursors.delete(key);
  }

  // ---- connecting

  function connect(cursor) {
    if (h) h.close();
    h = Demo.connect({ first: 'websocket', forced: forced(), cursor, member: { key: me.key, name: me.name, color: me.color } });
    h.subscribe(board.channel, onMessage);
    if (typeof h.presence === 'function') h.presence(board.channel, onPresence);
    h.on('reset', onReset);
    h.on('open', () => pending.forEach((s) => s.retry && publish(s)));
    h.on('error', (e) => ($('error').textContent = e.message));
  }

  async function open(name) {
    $('error').textContent = '';
    try {
      const start = await Demo.json('/demo/board/start?board=' + encodeURIComponent(name));
      board = start;
      segments = [];
      shown = new Set();
      latest = 0;
      repaint = true;
      stroke = null;
      pending.clear();
      liveDirty = true;
      members = new Map();
      [...cursors.keys()].forEach(forget);
      $('people').replaceChildren();
      $('board-name').textContent = start.board;
      $('kept').textContent = start.kept.toLocaleString('en');
      document.title = start.board + ' · Whiteboard · Herald demo';
      connect(start.cursor);
    } catch (e) {
      $('error').textContent = e.message;
    }
  }

  $('board-form').addEventListener('submit', (e) => {
    e.preventDefault();
    open($('board').value.trim().toLowerCase());
  });

  // Presence data goes with the subscribe: a new name or colour needs a new connection, which
  // resumes from the cursor like a transport switch.
  $('name').addEventListener('change', () => {
    me.name = $('name').value.trim().slice(0, 24) || me.name;
    $('name').value = me.name;
    localStorage.setItem('herald.demo.nick', me.name);
    if (board) connect(h.cursor);
  });
  $('color').addEventListener('change', () => {
    if (!COLOR.test($('color').value)) return;
    me.color = $('color').value;
    localStorage.setItem('herald.demo.color', me.color);
    if (board) connect(h.cursor);
  });

  // Enter in the name field commits it (a change event), and opens nothing.
  $('me-form').addEventListener('submit', (e) => e.preventDefault());

  $('clear').addEventListener('click', () => {
    if (!h) return;
    h.publish(board.channel, 'clear', {}).catch((err) => ($('error').textContent = err.message));
  });

  // For the curious, and for the browser tests: the board's segments in order, as id/seq@offset.
  window.board = {
    get client() {
      return h;
    },
    get key() {
      return me.key;
    },
    strokes: () => segments.map((s) => s.id + '/' + s.seq + '@' + s.offset),
    pending: () => pending.size,
  };

  $('board').value = new URLSearchParams(location.search).get('board') || 'main';
  open($('board').value);
})();
