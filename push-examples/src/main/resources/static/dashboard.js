// Live dashboard: one chart per instrument, drawn on a plain canvas from the ticks the server's
// simulator publishes, plus the message rate and the publish-to-screen latency.
(function () {
  'use strict';
  const SYMBOLS = ['EURUSD', 'BTCUSD', 'XAUUSD'];
  const POINTS = 150;
  const series = {};
  const latencies = [];
  let received = 0;
  let lastSecond = 0;
  let h = null;
  const forced = Demo.picker('sse', () => connect(h && h.cursor));

  for (const symbol of SYMBOLS) {
    const card = Demo.el('article', 'card');
    card.dataset.symbol = symbol;
    const price = Demo.el('strong', 'price', '–');
    const change = Demo.el('span', 'change');
    const canvas = Demo.el('canvas');
    card.append(Demo.el('h2', null, symbol), price, change, canvas);
    document.getElementById('charts').appendChild(card);
    series[symbol] = { points: [], price, change, canvas, first: null, dirty: false };
  }

  function tick(m) {
    const s = series[m.data.symbol];
    if (!s) return;
    received++;
    latencies.push(Date.now() - m.data.ts);
    if (latencies.length > 50) latencies.shift();
    s.points.push(m.data.price);
    if (s.points.length > POINTS) s.points.shift();
    if (s.first === null) s.first = m.data.price;
    const digits = m.data.price < 10 ? 5 : 2;
    s.price.textContent = m.data.price.toFixed(digits);
    const pct = ((m.data.price - s.first) / s.first) * 100;
    s.change.textContent = (pct >= 0 ? '▲ ' : '▼ ') + Math.abs(pct).toFixed(3) + '%';
    s.change.className = 'change ' + (pct >= 0 ? 'up' : 'down');
    s.dirty = true;
  }

  function draw(s) {
    const c = s.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = c.clientWidth * ratio;
    const hgt = c.clientHeight * ratio;
    if (c.width !== w || c.height !== hgt) {
      c.width = w;
      c.height = hgt;
    }
    const g = c.getContext('2d');
    g.clearRect(0, 0, w, hgt);
    if (s.points.length < 2) return;
    const min = Math.min(...s.points);
    const max = Math.max(...s.points);
    const span = max - min || 1;
    const x = (i) => (i / (s.points.length - 1)) * w;
    const y = (v) => hgt - 6 * ratio - ((v - min) / span) * (hgt - 12 * ratio);
    g.beginPath();
    s.points.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v))));
    g.lineWidth = 2 * ratio;
    g.strokeStyle = '#2f6fed';
    g.stroke();
    g.lineTo(x(s.points.length - 1), hgt);
    g.lineTo(0, hgt);
    g.closePath();
    g.fillStyle = 'rgba(47, 111, 237, 0.08)';
    g.fill();
  }

  function frame() {
    for (const s of Object.values(series)) {
      if (s.dirty) {
        s.dirty = false;
        draw(s);
      }
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

  setInterval(() => {
    document.getElementById('rate').textContent = String(received - lastSecond);
    lastSecond = received;
    document.getElementById('count').textContent = String(received);
    if (latencies.length) {
      const sorted = latencies.slice().sort((a, b) => a - b);
      document.getElementById('latency').textContent = sorted[sorted.length >> 1] + ' ms';
    }
  }, 1000);

  function connect(cursor) {
    if (h) h.close();
    h = Demo.connect({ first: 'sse', forced: forced(), cursor });
    for (const symbol of SYMBOLS) h.subscribe('prices/' + symbol, tick);
    window.dashboard = h;
  }
  connect(null);
})();
