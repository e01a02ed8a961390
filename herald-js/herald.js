/*
 * herald.js: the browser client for Herald. Plain JavaScript, no dependencies, no build step.
 * One source, three ways in:
 *   - a classic script that defines globalThis.Herald, served by PushServlet as <base>/herald.js;
 *   - an ES module, herald.mjs beside it (`import Herald, { connect } from './herald.mjs'`), which
 *     imports this file and re-exports what it defined (served as <base>/herald.mjs);
 *   - the npm package herald-push, which holds these two files and their types (herald.d.ts).
 *
 *   const h = Herald.connect('push', { token: () => fetch('token').then((r) => r.text()) });
 *   const off = h.subscribe('chat/lobby', (msg) => console.log(msg.event, msg.data));
 *   await h.publish('chat/lobby', 'chat', { text: 'hi' });
 *   h.on('reset', ({ channel }) => reloadState(channel));
 *   off(); h.close();
 *
 * One connection carries every channel. The client tries WebSocket, then SSE, then NDJSON
 * streaming, then long polling; a stream that stays silent for bufferTimeout is taken for a
 * buffering proxy and sends it straight to long polling. It remembers per base URL what worked
 * (localStorage, for rememberFor ms), reconnects with exponential backoff and full jitter (every
 * reconnect, the first included), honours the server's drain hints (server_restart, 503 with
 * Retry-After) and its connection limits (429 with Retry-After: no sooner than that), and resumes
 * from its cursor so nothing is lost.
 * A relative base ('push', '../push') is resolved against the page's document.baseURI.
 */
(function (global) {
  'use strict';

  const ALL = ['websocket', 'sse', 'stream', 'poll'];
  const DEFAULTS = {
    transports: ALL,
    connectTimeout: 5000,
    minBackoff: 500,
    maxBackoff: 30000,
    pollTimeout: 25,
    publishTimeout: 10000,
    token: null,
    cursor: null,
    remember: true,
    rememberFor: 3600000,
    maxFailuresPerTransport: 2,
    bufferTimeout: 2500,
  };
  const STORAGE_PREFIX = 'herald.transport:';
  const STREAMING = ['sse', 'stream'];
  /** Server codes that mean "come back soon": not the transport's fault. */
  const TRANSIENT = ['server_restart', 'unavailable'];
  /** The code of a connection refused for the hub's limits: its window is the least wait. */
  const RATE_LIMITED = 'rate_limited';

  /**
   * Whether an error frame without a ref ends the connection with a "come back later": a code of
   * TRANSIENT, or rate_limited with its retry (a rate_limited without one refuses a frame, not the
   * connection).
   */
  function isHint(frame) {
    return TRANSIENT.includes(frame.code) || (frame.code === RATE_LIMITED && typeof frame.retry === 'number');
  }

  /** Calls every function of a set; one that throws is reported without stopping the others. */
  function callAll(fns, arg) {
    if (!fns) return;
    for (const fn of Array.from(fns)) {
      try {
        fn(arg);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  function connect(base, options) {
    return new Client(base, Object.assign({}, DEFAULTS, options || {}));
  }

  /** The base URL, with a relative one resolved against the page (its <base href>, if any). */
  function resolveBase(base) {
    if (typeof base !== 'string' && !(typeof URL !== 'undefined' && base instanceof URL)) {
      throw new TypeError('Herald.connect needs the base URL of the push endpoints, was ' + base);
    }
    const doc = global.document;
    const page = doc && doc.baseURI ? doc.baseURI : global.location ? global.location.href : undefined;
    const url = new URL(String(base), page);
    url.pathname = url.pathname.replace(/\/+$/, '');
    url.search = '';
    url.hash = '';
    return url;
  }

  /** Milliseconds from a Retry-After header (seconds or an HTTP date), or undefined. */
  function retryAfter(header) {
    if (!header) return undefined;
    const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
    return isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
  }

  /** {code, message} from whatever a promise was rejected or a function threw with. */
  function failure(code, e) {
    return { code, message: e && e.message ? e.message : String(e) };
  }

  class Client {
    constructor(base, options) {
      for (const t of options.transports) {
        if (!ALL.includes(t)) throw new Error('unknown transport "' + t + '"; use ' + ALL.join(', '));
      }
      if (!options.transports.length) throw new Error('options.transports is empty');
      const token = options.token;
      if (token !== null && token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
        throw new TypeError('options.token must be a string or a function, was ' + typeof token);
      }
      this.base = resolveBase(base);
      this.options = options;
      this.cursor = options.cursor || null; // resume from a cursor saved earlier
      this.clientId = null;
      this.transport = null;
      this.state = 'connecting';
      this._channels = new Map(); // channel -> Set of callbacks
      this._last = new Map(); // channel -> {epoch, offset} delivered
      this._listeners = {};
      this._attempt = 0;
      this._failures = 0;
      this._worked = new Set(); // transports that reached ready in this client: never given up
      this._pending = new Map(); // ref -> {resolve, reject, timer}
      this._nextRef = 1;
      this._conn = null;
      this._timer = null;
      this._order = this._transportOrder();
      this._index = 0;
      this._open();
    }

    /** Listens for 'open', 'close', 'reset', 'error' or 'transport'. Returns a function that stops. */
    on(event, fn) {
      (this._listeners[event] = this._listeners[event] || new Set()).add(fn);
      return () => this._listeners[event].delete(fn);
    }

    /** Receives the channel's messages; returns a function that unsubscribes this callback. */
    subscribe(channel, onMessage) {
      if (typeof onMessage !== 'function') throw new Error('subscribe needs a callback');
      let set = this._channels.get(channel);
      const added = !set;
      if (!set) this._channels.set(channel, (set = new Set()));
      set.add(onMessage);
      if (added) this._channelsChanged({ add: channel });
      return () => {
        const s = this._channels.get(channel);
        if (!s || !s.delete(onMessage) || s.size) return;
        this._channels.delete(channel);
        this._channelsChanged({ remove: channel });
      };
    }

    /** Publishes; resolves with {channel, offset, epoch} once stored, rejects with {code, message}. */
    publish(channel, event, data) {
      if (this.state === 'closed') return Promise.reject({ code: 'closed', message: 'the client is closed' });
      if (this._conn && this._conn.name === 'websocket' && this._conn.ready) {
        const ref = String(this._nextRef++);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            this._pending.delete(ref);
            reject({ code: 'timeout', message: 'no answer to the publish' });
          }, this.options.publishTimeout);
          this._pending.set(ref, { resolve, reject, timer });
          this._conn.send({ type: 'publish', channel, event, data, ref });
        });
      }
      const answer = (r) =>
        r.text().then((text) => {
          let body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            /* not a Herald answer: a proxy's page, say */
          }
          if (!r.ok) {
            throw {
              code: (body && body.code) || 'http_' + r.status,
              message: (body && body.message) || r.statusText || 'HTTP ' + r.status,
            };
          }
          if (!body || typeof body.offset !== 'number') throw { code: 'protocol', message: 'the publish answer is not JSON' };
          return { channel: body.channel, offset: body.offset, epoch: body.epoch };
        });
      return this._token().then(
        (token) =>
          fetch(this._url('publish').toString(), {
            method: 'POST',
            headers: this._headers({ 'Content-Type': 'application/json' }, token),
            body: JSON.stringify({ channel, event, data }),
            credentials: 'same-origin',
          }).then(answer, (e) => {
            throw failure('disconnected', e);
          }),
        (e) => {
          throw failure('token_failed', e);
        }
      );
    }

    /** Closes the connection for good. */
    close() {
      if (this.state === 'closed') return;
      this.state = 'closed';
      clearTimeout(this._timer);
      if (this._conn) this._conn.close();
      this._conn = null;
      for (const p of this._pending.values()) {
        clearTimeout(p.timer);
        p.reject({ code: 'closed', message: 'the client is closed' });
      }
      this._pending.clear();
      this._emit('close', { reason: 'closed' });
    }

    // ---- connection management

    _transportOrder() {
      let order = this.options.transports.slice();
      if (this.options.remember) {
        try {
          const saved = JSON.parse(global.localStorage.getItem(STORAGE_PREFIX + this.base.href) || 'null');
          const name = saved && saved.transport;
          if (name && saved.until > Date.now() && order.includes(name)) {
            order = [name].concat(order.filter((t) => t !== name));
          }
        } catch (e) {
          /* storage may be disabled, or hold something else */
        }
      }
      return order;
    }

    /** Remembers, for this base URL and rememberFor ms, the transport that worked. */
    _remember(name) {
      if (!this.options.remember) return;
      try {
        const value = JSON.stringify({ transport: name, until: Date.now() + this.options.rememberFor });
        global.localStorage.setItem(STORAGE_PREFIX + this.base.href, value);
      } catch (e) {
        /* storage may be disabled or full */
      }
    }

    _open() {
      if (this.state === 'closed') return;
      if (!this._channels.size) {
        this.state = 'idle'; // nothing to receive: connect on the first subscribe
        return;
      }
      const name = this._order[this._index % this._order.length];
      const conn = new TRANSPORTS[name](this, name);
      this._conn = conn;
      this.state = 'connecting';
      const timer = setTimeout(() => {
        if (this._conn !== conn || conn.ready) return;
        const what = conn.started ? 'no ready frame' : 'no token from options.token';
        this._failed(conn, what + ' within ' + this.options.connectTimeout + ' ms');
      }, this.options.connectTimeout);
      conn.onReady = () => {
        clearTimeout(timer);
        clearTimeout(conn.bufferTimer);
        this._attempt = 0;
        this._failures = 0;
        this._worked.add(name);
        this.state = 'open';
        if (this.transport !== name) {
          this.transport = name;
          this._emit('transport', { transport: name });
        }
        this._remember(name);
        this._emit('open', { transport: name, clientId: this.clientId, cursor: this.cursor });
      };
      conn.onClosed = (reason) => {
        clearTimeout(timer);
        clearTimeout(conn.bufferTimer);
        this._failed(conn, reason);
      };
      // The token is asked for on every attempt, so a function can hand out a fresh one.
      this._token().then(
        (token) => {
          if (this._conn !== conn || conn.closed) return;
          conn.token = token;
          conn.started = true;
          conn.start();
          // A stream's ready frame is its first bytes, sent at once: if it does not come soon, a
          // proxy holds the response back. A transport that worked here is given connectTimeout.
          if (STREAMING.includes(name) && !this._worked.has(name)) {
            conn.bufferTimer = setTimeout(() => {
              if (this._conn !== conn || conn.ready || conn.closed) return;
              conn.buffered = true;
              this._failed(conn, 'no ready frame within ' + this.options.bufferTimeout + ' ms: a proxy may buffer the stream');
            }, this.options.bufferTimeout);
          }
        },
        (e) => {
          if (this._conn !== conn || conn.closed) return;
          const error = failure('token_failed', e);
          this._emit('error', Object.assign({ type: 'error' }, error));
          conn.onClosed('options.token failed: ' + error.message);
        }
      );
    }

    /** A promise of the bearer token for the next request: options.token, or what its function gives. */
    _token() {
      const token = this.options.token;
      if (typeof token !== 'function') return Promise.resolve(token || null);
      return new Promise((resolve) => resolve(token())).then((t) =>
        t === null || t === undefined || t === '' ? null : String(t)
      );
    }

    _failed(conn, reason) {
      if (this._conn !== conn) return;
      const wasReady = conn.ready;
      conn.close();
      this._conn = null;
      for (const [ref, p] of this._pending) {
        clearTimeout(p.timer);
        p.reject({ code: 'disconnected', message: 'the connection dropped before the answer' });
        this._pending.delete(ref);
      }
      if (this.state === 'closed') return;
      this.state = 'connecting';
      // A drain hint (server_restart, a 503 or unavailable) says the server is going or busy, and a
      // 429 (rate_limited) that this address is over the hub's connection limits, not that the
      // transport is blocked; a try that never started (its token did not come) says
      // nothing either; and a transport that worked in this client is never given up.
      const hint = conn.hint;
      if (!wasReady && conn.started && !hint && !this._worked.has(conn.name)) {
        if (conn.buffered) {
          this._skipStreaming(); // the other streaming transport would be buffered as well
        } else if (++this._failures >= this.options.maxFailuresPerTransport) {
          this._failures = 0;
          this._index++; // this transport does not work here: try the next one
        }
      }
      // Full jitter, every time: a uniform delay in [0, window]. The window is the server's hint
      // (retry, Retry-After) when it gave one, else min(maxBackoff, minBackoff * 2^attempt). A
      // 429's window is the soonest a retry can succeed: the jitter comes on top of it.
      const backoff = Math.min(this.options.maxBackoff, this.options.minBackoff * Math.pow(2, this._attempt++));
      const window = hint && hint.retry >= 0 ? hint.retry : backoff;
      const floor = hint && hint.code === RATE_LIMITED && hint.retry >= 0 ? hint.retry : 0;
      const delay = floor + Math.floor(Math.random() * window);
      this._emit('close', { reason: reason || 'connection lost', transport: conn.name, delay });
      this._timer = setTimeout(() => this._open(), delay);
    }

    /** After a buffered stream: on to the next transport that is not a stream, if there is one. */
    _skipStreaming() {
      this._failures = 0;
      const n = this._order.length;
      for (let step = 1; step <= n; step++) {
        if (!STREAMING.includes(this._order[(this._index + step) % n])) {
          this._index += step;
          return;
        }
      }
      this._index++;
    }

    _channelsChanged(change) {
      if (this.state === 'closed') return;
      if (this.state === 'idle') return this._open();
      const conn = this._conn;
      if (conn && conn.name === 'websocket' && conn.ready) {
        if (change.add) conn.send({ type: 'subscribe', channel: change.add, since: this.cursor || undefined });
        if (change.remove) {
          conn.send({ type: 'unsubscribe', channel: change.remove });
          this._last.delete(change.remove);
        }
        return;
      }
      // HTTP transports name their channels in the URL: reconnect at once with the cursor.
      if (change.remove) this._last.delete(change.remove);
      if (conn) {
        conn.close();
        this._conn = null;
      }
      clearTimeout(this._timer);
      this._open();
    }

    // ---- frames

    _frame(frame) {
      if (frame.cursor) this.cursor = frame.cursor;
      switch (frame.type) {
        case 'ready':
          this.clientId = frame.clientId;
          if (this._conn && !this._conn.ready) {
            this._conn.ready = true;
            this._conn.onReady();
          }
          break;
        case 'message':
          this._deliver(frame);
          break;
        case 'reset':
          this._last.set(frame.channel, { epoch: frame.epoch, offset: frame.offset });
          this._emit('reset', frame);
          break;
        case 'ack': {
          const p = this._pending.get(frame.ref);
          if (p) {
            clearTimeout(p.timer);
            this._pending.delete(frame.ref);
            p.resolve({ channel: frame.channel, offset: frame.offset, epoch: frame.epoch });
          }
          break;
        }
        case 'error': {
          const p = frame.ref && this._pending.get(frame.ref);
          if (p) {
            clearTimeout(p.timer);
            this._pending.delete(frame.ref);
            p.reject({ code: frame.code, message: frame.message });
            break;
          }
          // The server ends the connection with a hint: reconnect after a random part of it (after
          // all of it and a random part more, for rate_limited).
          if (this._conn && isHint(frame)) this._conn.noteHint(frame.code, frame.retry);
          if (frame.code !== 'server_restart') this._emit('error', frame);
          break;
        }
        default:
          break; // subscribed, pong, heartbeat
      }
    }

    _deliver(msg) {
      const last = this._last.get(msg.channel);
      if (last && last.epoch === msg.epoch && msg.offset <= last.offset) return; // already seen
      this._last.set(msg.channel, { epoch: msg.epoch, offset: msg.offset });
      callAll(this._channels.get(msg.channel), msg);
    }

    _emit(event, detail) {
      callAll(this._listeners[event], detail);
    }

    _url(path, params) {
      // A base at the root has the path '/': never make '//path', a host name to the browser.
      const url = new URL(this.base.pathname.replace(/\/+$/, '') + '/' + path, this.base);
      if (params) {
        for (const [k, v] of params) if (v !== null && v !== undefined) url.searchParams.append(k, v);
      }
      return url;
    }

    /** The channels and cursor; access_token only for the APIs that cannot set headers. */
    _channelParams(accessToken, extra) {
      const params = Array.from(this._channels.keys()).map((c) => ['channel', c]);
      if (this.cursor) params.push(['since', this.cursor]);
      if (accessToken) params.push(['access_token', accessToken]);
      return params.concat(extra || []);
    }

    _headers(h, token) {
      if (token) h.Authorization = 'Bearer ' + token;
      return h;
    }
  }

  // ---- transports: each calls client._frame(frame) and onClosed(reason) once.

  /** What every transport shares: it reports its end once, through onClosed(reason). */
  class Transport {
    constructor(client, name) {
      this.client = client;
      this.name = name;
      this.ready = false;
      this.closed = false;
      this.started = false;
      this.token = null; // the bearer token this attempt was started with
      this.hint = null; // {code, retry}: the server said to come back later, within retry ms
    }
    /** Notes the server's "come back later": a code of TRANSIENT or rate_limited, and the window in ms, if given. */
    noteHint(code, retry) {
      const ms = typeof retry === 'number' && retry >= 0 ? Math.min(retry, 3600000) : undefined;
      if (!this.hint || ms !== undefined) this.hint = { code, retry: ms };
    }
    _end(reason) {
      if (this.closed) return;
      this.closed = true;
      this._stop();
      this.onClosed(reason);
    }
    close() {
      this.closed = true;
      this._stop();
    }
  }

  /** The fetch-based transports: closing aborts the request. */
  class FetchTransport extends Transport {
    constructor(client, name) {
      super(client, name);
      this.abort = new AbortController();
    }
    _stop() {
      this.abort.abort();
    }
    /**
     * An answer that is not 200: reads Herald's error body if it is one, notes a 503 or a
     * transient code as a hint (Retry-After bounds the wait) and a 429 as one too (Retry-After is
     * the least wait), and rejects with the reason. Other statuses count against the transport.
     */
    _refused(r) {
      const what = this.name + ' answered ' + r.status;
      return r.text().then(
        (text) => {
          let body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            /* not a Herald answer: a proxy's page, say */
          }
          const code = body && body.type === 'error' ? body.code : null;
          if (r.status === 503 || r.status === 429 || (code && isHint(body))) {
            const retry = body && typeof body.retry === 'number' ? body.retry : retryAfter(r.headers.get('Retry-After'));
            this.noteHint(r.status === 429 ? RATE_LIMITED : code || 'unavailable', retry);
          }
          if (code) this.client._frame(body);
          throw new Error(what + (code ? ' ' + code : ''));
        },
        () => {
          throw new Error(what);
        }
      );
    }
  }

  class WebSocketTransport extends Transport {
    start() {
      const c = this.client;
      const url = c._url('ws', this.token ? [['access_token', this.token]] : null);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      let ws;
      try {
        ws = this.ws = new WebSocket(url.toString());
      } catch (e) {
        return setTimeout(() => this.onClosed('websocket refused: ' + e.message));
      }
      ws.onmessage = (e) => {
        let frame;
        try {
          frame = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        if (frame.type === 'ready') {
          for (const channel of c._channels.keys()) this.send({ type: 'subscribe', channel, since: c.cursor || undefined });
        }
        c._frame(frame);
      };
      ws.onclose = (e) => {
        if (e.code === 1012) this.noteHint('server_restart'); // Service Restart: come back soon
        this._end(e.reason || (this.hint && this.hint.code) || 'websocket closed (' + e.code + ')');
      };
      ws.onerror = () => this._end('websocket error');
    }
    send(frame) {
      if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
    }
    _stop() {
      if (this.ws) {
        this.ws.onclose = this.ws.onmessage = this.ws.onerror = null;
        try {
          this.ws.close(1000);
        } catch (e) {
          /* already closed */
        }
      }
    }
  }

  class SseTransport extends Transport {
    start() {
      const c = this.client;
      const es = (this.es = new EventSource(c._url('sse', c._channelParams(this.token)).toString(), { withCredentials: false }));
      const frame = (e) => {
        let f;
        try {
          f = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        if (e.lastEventId) f.cursor = e.lastEventId;
        c._frame(f);
        if (f.type === 'error' && !f.ref) {
          this.closing = f.code; // the server ends the stream after it
          if (isHint(f)) this._end(f.code);
        }
      };
      es.onmessage = frame;
      es.addEventListener('ready', frame);
      es.addEventListener('reset', frame);
      es.addEventListener('error', (e) => {
        if (e.data) frame(e); // an error frame from the server, not a network error
      });
      // EventSource would reconnect by itself, but only with the cursor of its last id and its
      // own fixed delay: close it and let the client reconnect with backoff and the cursor.
      es.onerror = (e) => {
        if (!e.data) this._end(this.closing || 'event stream closed');
      };
    }
    _stop() {
      if (this.es) this.es.close();
    }
  }

  class StreamTransport extends FetchTransport {
    start() {
      const c = this.client;
      fetch(c._url('stream', c._channelParams(null)).toString(), {
        headers: c._headers({ Accept: 'application/x-ndjson' }, this.token),
        signal: this.abort.signal,
        credentials: 'same-origin',
        cache: 'no-store',
      })
        .then((r) => {
          if (!r.ok) return this._refused(r);
          if (!r.body) throw new Error('stream has no body');
          const reader = r.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          const pump = () =>
            reader.read().then(({ done, value }) => {
              if (done) return this._end(this.closing || 'stream ended');
              buffer += decoder.decode(value, { stream: true });
              let nl;
              while ((nl = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, nl).trim();
                buffer = buffer.slice(nl + 1);
                if (!line) continue;
                let f;
                try {
                  f = JSON.parse(line);
                } catch (err) {
                  continue;
                }
                if (f.type === 'error' && !f.ref) this.closing = f.code; // the server ends the stream
                c._frame(f);
              }
              return pump();
            });
          return pump();
        })
        .catch((e) => this._end(e && e.message ? e.message : 'stream failed'));
    }
  }

  class PollTransport extends FetchTransport {
    start() {
      this._poll(this.client.cursor ? this.client.options.pollTimeout : 0, this.token);
    }
    /** One poll; each later one asks for the token again, as a reconnect would. */
    _poll(timeout, token) {
      const c = this.client;
      if (this.closed) return;
      fetch(c._url('poll', c._channelParams(null, [['timeout', String(timeout)]])).toString(), {
        headers: c._headers({ Accept: 'application/json' }, token),
        signal: this.abort.signal,
        credentials: 'same-origin',
        cache: 'no-store',
      })
        .then((r) => (r.ok ? r.json() : this._refused(r)))
        .then((body) => {
          if (this.closed) return;
          if (body && body.type === 'error') {
            c._frame(body); // a poll the server ends, as a draining node does, with its reason
            throw new Error(body.code || 'poll ended');
          }
          if (!this.ready) c._frame({ type: 'ready', clientId: c.clientId, cursor: body.cursor });
          for (const f of body.messages || []) c._frame(f);
          if (body.cursor) c.cursor = body.cursor;
          return c._token().then(
            (next) => this._poll(c.options.pollTimeout, next),
            (e) => {
              throw new Error('options.token failed: ' + failure('token_failed', e).message);
            }
          );
        })
        .catch((e) => this._end(e && e.message ? e.message : 'poll failed'));
    }
  }

  const TRANSPORTS = { websocket: WebSocketTransport, sse: SseTransport, stream: StreamTransport, poll: PollTransport };

  const Herald = { connect, transports: ALL.slice(), version: '0.1.0' };
  global.Herald = Herald;
})(typeof globalThis !== 'undefined' ? globalThis : this);
