/*
 * What the five demo apps share: connecting with a preferred (or forced) transport, the header's
 * transport badge and picker, JSON calls to the demo's endpoints, and building DOM nodes whose
 * text is always set with textContent, so user text is never parsed as HTML.
 */
(function () {
  'use strict';
  const ALL = ['websocket', 'sse', 'stream', 'poll'];
  const LABEL = { websocket: 'WebSocket', sse: 'Server-Sent Events', stream: 'NDJSON streaming', poll: 'long polling' };

  /** An element with a class and text; never innerHTML. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /**
   * Herald.connect with the app's favourite transport first (then the usual fallbacks), or only the
   * forced one. A cursor, from the server's snapshot or from the previous connection, makes the
   * new connection resume exactly there: herald.js resumes from h.cursor. A member is this
   * page's presence data, sent with every subscribe.
   */
  function connect({ first, forced, cursor, token, member }) {
    const transports = forced ? [forced] : [first].concat(ALL.filter((t) => t !== first));
    const options = {
      transports,
      token: token || null,
      remember: false,
      minBackoff: 250,
      maxBackoff: 5000,
      pollTimeout: 20,
    };
    if (member !== undefined) options.member = member;
    const h = Herald.connect('/push', options);
    if (cursor) h.cursor = cursor;
    watch(h);
    return h;
  }

  /** Shows the client's transport and state in the header badge. */
  function watch(h) {
    const badge = document.getElementById('transport');
    const show = (state) => {
      if (window.currentClient !== h) return;
      badge.dataset.state = state;
      badge.dataset.transport = h.transport || '';
      badge.textContent = (h.transport ? LABEL[h.transport] : 'connecting') + (state === 'open' ? '' : ' · ' + state);
      badge.title = h.transport ? 'herald.js transport: ' + h.transport : '';
    };
    window.currentClient = h;
    show('connecting');
    h.on('open', () => show('open'));
    h.on('transport', () => show('open'));
    h.on('close', (e) => show(e.reason === 'closed' ? 'closed' : 'reconnecting'));
  }

  /** Fills the header's transport picker; onPick(transport or null for automatic) reconnects. */
  function picker(first, onPick) {
    const select = document.getElementById('transport-select');
    select.appendChild(el('option', null, 'auto (' + LABEL[first] + ' first)')).value = '';
    for (const t of ALL) select.appendChild(el('option', null, LABEL[t])).value = t;
    select.addEventListener('change', () => onPick(select.value || null));
    return () => select.value || null;
  }

  /** GET (no body) or POST JSON; resolves with the parsed answer, rejects with {code, message}. */
  async function json(url, body, token) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    const answer = await r.json().catch(() => ({ code: 'http_' + r.status, message: r.statusText }));
    if (!r.ok) throw { code: answer.code || 'http_' + r.status, message: answer.message || r.statusText };
    return answer;
  }

  /** A short local time, such as 15:04:05. */
  function clock(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  window.Demo = { connect, picker, json, el, clock, LABEL };
})();
