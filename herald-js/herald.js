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
 *   h.publish('board/1', 'cursor', { x, y }, { ephemeral: true });   // delivered live, never stored
 *   h.presence('board/1', (members, change) => showWho(members));
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
 * With { shared: true } the tabs of a browser share one connection per base URL (SharedClient,
 * below): one tab holds it, the others receive through a BroadcastChannel.
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
  function callAll(fns, arg, more) {
    if (!fns) return;
    for (const fn of Array.from(fns)) {
      try {
        fn(arg, more);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
  }

  /** The frames that carry a channel's presence: a snapshot, then changes. */
  const PRESENCE = ['members', 'join', 'leave'];

  function connect(base, options) {
    const o = Object.assign({}, DEFAULTS, options || {});
    return o.shared && canShare() ? new SharedClient(base, o) : new Client(base, o);
  }

  /** Whether this browser has what shared mode needs: Web Locks (with query) and BroadcastChannel. */
  function canShare() {
    const locks = global.navigator && global.navigator.locks;
    return !!(
      locks &&
      typeof locks.request === 'function' &&
      typeof locks.query === 'function' &&
      typeof global.BroadcastChannel === 'function'
    );
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

  /** What a publish resolves with, from an ack frame or an HTTP answer: no position when ephemeral. */
  function ackOf(body) {
    if (body.ephemeral === true) return { channel: body.channel, ephemeral: true };
    return { channel: body.channel, offset: body.offset, epoch: body.epoch };
  }

  /** The wire's optional ephemeral field: sent only when the caller chose, else the channel decides. */
  function ephemeralOf(options) {
    return options && typeof options.ephemeral === 'boolean' ? options.ephemeral : undefined;
  }

  /** Members in the order listeners get them: oldest first, then by client id. */
  function sortedMembers(map) {
    return Array.from(map.values()).sort((a, b) => {
      const d = (Date.parse(a.since) || 0) - (Date.parse(b.since) || 0);
      return d || (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0);
    });
  }

  /**
   * What a page holds whatever carries its frames: its callbacks and presence listeners, what it
   * delivered (to drop repeats), the presence lists, its listeners, and the view of the connection
   * (state, transport, clientId, cursor). Client feeds it from its own connection; SharedClient from
   * the connection of the tab that leads.
   */
  class Receiver {
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
      this.shared = false;
      this.leader = true;
      this._channels = new Map(); // channel -> Set of callbacks
      this._presence = new Map(); // channel -> Set of presence listeners
      this._members = new Map(); // channel -> Map clientId -> member, once a snapshot came
      this._last = new Map(); // channel -> {epoch, offset} delivered
      this._listeners = {};
    }

    /** Listens for 'open', 'close', 'reset', 'error' or 'transport'. Returns a function that stops. */
    on(event, fn) {
      (this._listeners[event] = this._listeners[event] || new Set()).add(fn);
      return () => this._listeners[event].delete(fn);
    }

    /** Receives the channel's messages; returns a function that unsubscribes this callback. */
    subscribe(channel, onMessage) {
      if (typeof onMessage !== 'function') throw new Error('subscribe needs a callback');
      const wanted = this._wants(channel);
      let set = this._channels.get(channel);
      if (!set) this._channels.set(channel, (set = new Set()));
      set.add(onMessage);
      if (!wanted) this._channelsChanged({ add: channel });
      return () => {
        const s = this._channels.get(channel);
        if (!s || !s.delete(onMessage) || s.size) return;
        this._channels.delete(channel);
        if (!this._wants(channel)) this._channelsChanged({ remove: channel });
      };
    }

    /**
     * Receives the channel's members: listener(members, change) with the whole list after each
     * snapshot, join and leave. Holds a subscription to the channel as subscribe does.
     */
    presence(channel, listener) {
      if (typeof listener !== 'function') throw new Error('presence needs a listener');
      const wanted = this._wants(channel);
      let set = this._presence.get(channel);
      const added = !set;
      if (added) this._presence.set(channel, (set = new Set()));
      set.add(listener);
      if (!wanted) this._channelsChanged({ add: channel });
      else if (added && !this._hearsPresence(channel)) this._channelsChanged({ presence: channel });
      const known = this._members.get(channel);
      if (known) {
        // A later listener of a channel whose list is known starts from it, as the first did.
        setTimeout(() => {
          const now = this._members.get(channel);
          if (now && set.has(listener)) callAll([listener], sortedMembers(now), { type: 'members' });
        });
      }
      return () => {
        const s = this._presence.get(channel);
        if (!s || !s.delete(listener) || s.size) return;
        this._presence.delete(channel);
        // A connection keeps hearing the channel's presence until it is renewed: its list is kept
        // up to date meanwhile, so that a later listener starts from it.
        if (!this._hearsPresence(channel)) this._members.delete(channel);
        if (!this._wants(channel)) this._channelsChanged({ remove: channel });
      };
    }

    /**
     * Whether the connection already hears the channel's presence: a new listener then asks the
     * server for nothing, and the list is kept without listeners. Not in a tab that shares: the
     * leading tab answers each new wish with its list.
     */
    _hearsPresence() {
      return false;
    }

    /** Whether anything on this page holds the channel: a callback or a presence listener. */
    _wants(channel) {
      return this._channels.has(channel) || this._presence.has(channel);
    }

    /** The channels this page holds, each once. */
    _wanted() {
      const all = new Set(this._channels.keys());
      for (const c of this._presence.keys()) all.add(c);
      return Array.from(all);
    }

    /**
     * A frame about the channels: a message, a reset, or presence. Updates the cursor from any
     * frame that carries one; a message without an offset (ephemeral) never touches it nor `_last`.
     */
    _apply(frame) {
      if (frame.cursor) this.cursor = frame.cursor;
      switch (frame.type) {
        case 'message':
          this._deliver(frame);
          break;
        case 'reset':
          this._last.set(frame.channel, { epoch: frame.epoch, offset: frame.offset });
          this._emit('reset', frame);
          break;
        case 'members':
        case 'join':
        case 'leave':
          this._presenceFrame(frame);
          break;
        default:
          break; // subscribed, pong, heartbeat, cursor
      }
    }

    _deliver(msg) {
      if (typeof msg.offset !== 'number') {
        callAll(this._channels.get(msg.channel), msg); // ephemeral: no position to keep or compare
        return;
      }
      const last = this._last.get(msg.channel);
      if (last && last.epoch === msg.epoch && msg.offset <= last.offset) return; // already seen
      this._last.set(msg.channel, { epoch: msg.epoch, offset: msg.offset });
      callAll(this._channels.get(msg.channel), msg);
    }

    /** Keeps the channel's list, while it has listeners or the connection hears it, and tells the listeners. */
    _presenceFrame(frame) {
      const listeners = this._presence.get(frame.channel);
      if (!listeners && !this._hearsPresence(frame.channel)) return;
      let map = this._members.get(frame.channel);
      if (frame.type === 'members') {
        map = new Map();
        for (const m of frame.members || []) map.set(m.clientId, m);
        this._members.set(frame.channel, map);
      } else if (!map) {
        return; // a change before the first snapshot: the snapshot will include it
      } else if (frame.type === 'join') {
        map.set(frame.member.clientId, frame.member);
      } else {
        map.delete(frame.member.clientId);
      }
      if (!listeners) return;
      const change = frame.type === 'members' ? { type: 'members' } : { type: frame.type, member: frame.member };
      callAll(listeners, sortedMembers(map), change);
    }

    _emit(event, detail) {
      callAll(this._listeners[event], detail);
    }
  }

  /** A page's own connection: the client of every page that does not share, and the leading tab's. */
  class Client extends Receiver {
    constructor(base, options) {
      super(base, options);
      this._attempt = 0;
      this._failures = 0;
      this._worked = new Set(); // transports that reached ready in this client: never given up
      this._pending = new Map(); // ref -> {resolve, reject, timer}
      this._nextRef = 1;
      this._conn = null;
      this._timer = null;
      this._relay = null; // shared mode: the leading tab's SharedClient sees every frame here
      this._hearing = new Set(); // channels whose presence this connection asked for
      this._order = this._transportOrder();
      this._index = 0;
      this._open();
    }

    /**
     * Publishes; resolves with {channel, offset, epoch} once stored, or {channel, ephemeral: true}
     * for an ephemeral message; rejects with {code, message}.
     */
    publish(channel, event, data, options) {
      if (this.state === 'closed') return Promise.reject({ code: 'closed', message: 'the client is closed' });
      const ephemeral = ephemeralOf(options);
      if (this._conn && this._conn.name === 'websocket' && this._conn.ready) {
        const ref = String(this._nextRef++);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            this._pending.delete(ref);
            reject({ code: 'timeout', message: 'no answer to the publish' });
          }, this.options.publishTimeout);
          this._pending.set(ref, { resolve, reject, timer });
          this._conn.send({ type: 'publish', channel, event, data, ref, ephemeral });
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
          if (!body || (typeof body.offset !== 'number' && body.ephemeral !== true)) {
            throw { code: 'protocol', message: 'the publish answer is not JSON' };
          }
          return ackOf(body);
        });
      return this._token().then(
        (token) =>
          fetch(this._url('publish').toString(), {
            method: 'POST',
            headers: this._headers({ 'Content-Type': 'application/json' }, token),
            body: JSON.stringify({ channel, event, data, ephemeral }),
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
      if (!this._channels.size && !this._presence.size) {
        this.state = 'idle'; // nothing to receive: connect on the first subscribe
        return;
      }
      this._hearPresence();
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

    _hearsPresence(channel) {
      return this._hearing.has(channel);
    }

    /**
     * A new connection (or poll) asks for the presence of the channels that have listeners now: a
     * list that it will not renew, kept since its last listener went, would go stale.
     */
    _hearPresence() {
      this._hearing = new Set(this._presence.keys());
      for (const channel of Array.from(this._members.keys())) {
        if (!this._presence.has(channel)) this._members.delete(channel);
      }
    }

    /**
     * A channel was added or removed, or presence asked for on a channel already held
     * ({presence: channel}). Over WebSocket the latter is a second `subscribe` of the channel with
     * `presence: true`, which the server answers with `members` (the subscription stays as it is).
     * A WebSocket not yet ready subscribes to what the page holds once it is.
     */
    _channelsChanged(change) {
      if (change.remove) {
        this._last.delete(change.remove);
        this._members.delete(change.remove);
        this._hearing.delete(change.remove);
      }
      if (this.state === 'closed') return;
      if (this.state === 'idle') return this._open();
      const conn = this._conn;
      if (conn && conn.name === 'websocket' && !conn.closed) {
        if (!conn.ready) return;
        if (change.add) conn.send(this._subscribeFrame(change.add));
        if (change.remove) conn.send({ type: 'unsubscribe', channel: change.remove });
        if (change.presence) conn.send(this._subscribeFrame(change.presence));
        return;
      }
      // HTTP transports name their channels in the URL: reconnect at once with the cursor.
      if (conn) {
        conn.close();
        this._conn = null;
      }
      clearTimeout(this._timer);
      this._open();
    }

    /** A WebSocket subscribe: from the cursor, with this client's member data and presence wish. */
    _subscribeFrame(channel) {
      const member = this.options.member;
      const presence = this._presence.has(channel);
      if (presence) this._hearing.add(channel);
      else this._hearing.delete(channel);
      return {
        type: 'subscribe',
        channel,
        since: this.cursor || undefined,
        member: member === null ? undefined : member,
        presence: presence || undefined,
      };
    }

    // ---- frames

    _frame(frame) {
      if (frame.cursor) this.cursor = frame.cursor;
      if (this._relay) this._relay(frame);
      switch (frame.type) {
        case 'ready':
          this.clientId = frame.clientId;
          if (this._conn && !this._conn.ready) {
            this._conn.ready = true;
            this._conn.onReady();
          }
          break;
        case 'ack': {
          const p = this._pending.get(frame.ref);
          if (p) {
            clearTimeout(p.timer);
            this._pending.delete(frame.ref);
            p.resolve(ackOf(frame));
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
          this._apply(frame);
          break;
      }
    }

    _url(path, params) {
      // A base at the root has the path '/': never make '//path', a host name to the browser.
      const url = new URL(this.base.pathname.replace(/\/+$/, '') + '/' + path, this.base);
      if (params) {
        for (const [k, v] of params) if (v !== null && v !== undefined) url.searchParams.append(k, v);
      }
      return url;
    }

    /** The channels, presence wishes, member data and cursor; access_token only where headers cannot go. */
    _channelParams(accessToken, extra) {
      const params = this._wanted().map((c) => ['channel', c]);
      this._hearPresence();
      for (const c of this._presence.keys()) params.push(['presence', c]);
      const member = this.options.member;
      if (member !== undefined && member !== null) params.push(['member', JSON.stringify(member)]);
      if (this.cursor) params.push(['since', this.cursor]);
      if (accessToken) params.push(['access_token', accessToken]);
      return params.concat(extra || []);
    }

    _headers(h, token) {
      if (token) h.Authorization = 'Bearer ' + token;
      return h;
    }
  }

  /*
   * Shared mode: one connection per browser for a base URL, held by one tab (the leader) for all.
   *
   * Each SharedClient is a peer with a random id. It holds the Web Lock "<key>:peer:<id>" for its
   * whole life (released when it closes or its tab dies: the browser frees the locks of a gone
   * page), and waits for the lock "<key>:leader"; the browser grants that to one peer at a time.
   * Peers talk over the BroadcastChannel "<key>" (key: "herald:" + base URL; both are scoped to the
   * origin). Messages (t = kind; `to` names one peer, else all):
   *   hello {want}            a peer joined; every peer records what it wants
   *   want {want}             what a peer wants changed: {channels, presence}, the whole set
   *   bye                     a peer closed
   *   leader {peers, status}  a peer leads (to all), or the leader welcomes a newcomer (to it)
   *   frame {frame}           a frame of the connection: message, reset, members/join/leave, cursor
   *   event {event, detail, status}   the connection opened, closed, changed transport, failed
   *   status {status}         the connection's state, transport, clientId and cursor changed
   *   publish {ref, ...} / answer {ref, ack | error}   a follower's publish and its outcome
   * The leader runs an ordinary Client (the core) subscribed to the union of what live peers want
   * (a channel stays subscribed while any peer wants it), relays every frame to all peers and
   * applies it to itself. Every peer drops repeats by channel offset, as a Client does. The leader
   * waits on each peer's lock: when it is granted, that peer is gone, and its channels are released.
   * Followers wait on the leader's peer lock the same way. When the leader goes, the next waiting
   * peer is granted the leader lock: it keeps only the peers whose locks are held (locks.query),
   * announces itself, and opens the core from its own cursor, the newest one it was relayed. The
   * server replays what came after it; what a peer already had is dropped. Publishes a follower sent
   * to a leader that went reject with `disconnected` (they may or may not have been stored), as
   * over a dropped connection; those made while no leader was known wait for the next one.
   */
  class SharedClient extends Receiver {
    constructor(base, options) {
      super(base, options);
      this.shared = true;
      this.leader = false;
      this._id = Math.random().toString(36).slice(2) + Date.now().toString(36);
      this._key = 'herald:' + this.base.href;
      this._locks = global.navigator.locks;
      this._abort = new AbortController(); // ends the lock requests still waiting, on close
      this._leaderId = null; // the peer that holds the connection, once known
      this._peers = new Map(); // peer id -> {channels, presence}: what each wants, this one included
      this._watching = new Set(); // peers whose lock this one waits on
      this._pending = new Map(); // ref -> {resolve, reject, timer, request, sentTo}
      this._nextRef = 1;
      this._core = null; // the connection, while this peer leads
      this._coreHeld = new Map(); // channel -> {off, presenceOff}: what the core holds for the peers
      this._coreStops = [];
      this._posted = null; // the status last sent to the peers
      this._bc = new global.BroadcastChannel(this._key);
      this._bc.onmessage = (e) => this._receive(e.data);
      this._request(this._key + ':peer:' + this._id, () => {
        if (this.state === 'closed') return;
        this._join();
        return new Promise((resolve) => (this._releasePeer = resolve));
      });
    }

    /** Publishes through the leader's connection; the same promise as Client.publish. */
    publish(channel, event, data, options) {
      if (this.state === 'closed') return Promise.reject({ code: 'closed', message: 'the client is closed' });
      const ephemeral = ephemeralOf(options);
      if (this._core) return this._core.publish(channel, event, data, ephemeral === undefined ? undefined : { ephemeral });
      const ref = String(this._nextRef++);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this._pending.delete(ref);
          reject({ code: 'timeout', message: 'no answer to the publish' });
        }, this.options.publishTimeout);
        const p = { resolve, reject, timer, request: { channel, event, data, ephemeral }, sentTo: null };
        this._pending.set(ref, p);
        this._send(ref, p);
      });
    }

    /** Closes this tab's client; if it leads, the connection passes to another tab. */
    close() {
      if (this.state === 'closed') return;
      this.state = 'closed';
      this._stopCore();
      this._post({ t: 'bye' });
      this._abort.abort();
      if (this._releasePeer) this._releasePeer();
      if (this._releaseLeader) this._releaseLeader();
      this.leader = false;
      this._bc.close();
      this._rejectPending(() => true, 'closed', 'the client is closed');
      this._emit('close', { reason: 'closed' });
    }

    // ---- peers

    /** A Web Lock request that ends with close(); a lock request refused or aborted is no error. */
    _request(name, fn) {
      this._locks.request(name, { signal: this._abort.signal }, fn).catch(() => {});
    }

    _join() {
      this._peers.set(this._id, this._want());
      this._post({ t: 'hello', want: this._want() });
      this._request(this._key + ':leader', () => this._lead());
    }

    _want() {
      return { channels: this._wanted(), presence: Array.from(this._presence.keys()) };
    }

    _channelsChanged(change) {
      if (change.remove) this._last.delete(change.remove);
      if (this.state === 'closed') return;
      this._setWant(this._id, this._want());
      this._post({ t: 'want', want: this._want() });
    }

    _post(message) {
      if (this.state === 'closed' && message.t !== 'bye') return;
      message.from = this._id;
      try {
        this._bc.postMessage(message);
      } catch (e) {
        /* closed, or data that cannot be cloned: the publish's own timeout reports it */
      }
    }

    /** Waits on a peer's lock: granted once that peer has closed or its tab is gone. */
    _watch(id) {
      if (id === this._id || this._watching.has(id)) return;
      this._watching.add(id);
      this._request(this._key + ':peer:' + id, () => {
        this._watching.delete(id);
        this._gone(id);
      });
    }

    _gone(id) {
      if (id === this._leaderId) this._leaderGone();
      if (!this._peers.delete(id)) return;
      if (this._core) this._sync();
    }

    _receive(m) {
      if (this.state === 'closed' || !m || m.from === this._id || (m.to && m.to !== this._id)) return;
      switch (m.t) {
        case 'hello':
          this._setWant(m.from, m.want);
          if (this._core) {
            this._watch(m.from);
            this._post({ t: 'leader', to: m.from, peers: Array.from(this._peers), status: this._status() });
          }
          break;
        case 'want':
          this._setWant(m.from, m.want);
          if (this._core) this._watch(m.from);
          break;
        case 'bye':
          this._gone(m.from);
          break;
        case 'leader':
          for (const [id, want] of m.peers) if (!this._peers.has(id)) this._peers.set(id, want);
          this._follow(m.from, m.status);
          break;
        case 'frame':
          if (this._fromLeader(m)) this._apply(m.frame);
          break;
        case 'event':
          if (this._fromLeader(m)) this._applyEvent(m.event, m.detail, m.status);
          break;
        case 'status':
          if (this._fromLeader(m)) this._setStatus(m.status);
          break;
        case 'publish':
          if (this._core) this._publishFor(m);
          break;
        case 'answer': {
          const p = this._pending.get(m.ref);
          if (!p || p.sentTo !== m.from) break;
          clearTimeout(p.timer);
          this._pending.delete(m.ref);
          if (m.error) p.reject(m.error);
          else p.resolve(m.ack);
          break;
        }
        default:
          break;
      }
    }

    /** Frames count from the known leader only (a gone leader's last ones may still arrive). */
    _fromLeader(m) {
      return !this._leaderId || m.from === this._leaderId;
    }

    /** Another peer leads: watch it, show its connection, send it what waits. */
    _follow(id, status) {
      if (id !== this._leaderId) {
        this._leaderGone();
        this._leaderId = id;
        this._watch(id);
        this._post({ t: 'want', want: this._want() }); // the new leader may not know it yet
      }
      const was = this.state;
      this._setStatus(status);
      if (this.state === 'open' && was !== 'open') {
        this._emit('open', { transport: this.transport, clientId: this.clientId, cursor: this.cursor });
      }
      for (const [ref, p] of this._pending) if (!p.sentTo) this._send(ref, p);
    }

    /** The leader went (or this peer takes over): what was sent to it can no longer be answered. */
    _leaderGone() {
      const id = this._leaderId;
      if (!id) return;
      this._leaderId = null;
      this._rejectPending((p) => p.sentTo === id, 'disconnected', 'the leading tab went before the answer');
      if (id !== this._id && this.state !== 'closed' && this.state !== 'idle') {
        const was = this.state;
        this.state = 'connecting';
        if (was === 'open') this._emit('close', { reason: 'leader tab closed', transport: this.transport, delay: 0 });
      }
    }

    _rejectPending(which, code, message) {
      for (const [ref, p] of this._pending) {
        if (!which(p)) continue;
        clearTimeout(p.timer);
        this._pending.delete(ref);
        p.reject({ code, message });
      }
    }

    _send(ref, p) {
      const leader = this._leaderId;
      if (!leader) return; // waits for the next leader, within publishTimeout
      p.sentTo = leader;
      if (this._core) {
        const { channel, event, data, ephemeral } = p.request;
        this._core.publish(channel, event, data, ephemeral === undefined ? undefined : { ephemeral }).then(
          (ack) => this._settle(ref, p, ack, null),
          (error) => this._settle(ref, p, null, error)
        );
        return;
      }
      this._post(Object.assign({ t: 'publish', to: leader, ref }, p.request));
    }

    _settle(ref, p, ack, error) {
      if (this._pending.get(ref) !== p) return;
      clearTimeout(p.timer);
      this._pending.delete(ref);
      if (error) p.reject(error);
      else p.resolve(ack);
    }

    /** The connection as the leader sees it; transport and clientId stay the last known ones. */
    _setStatus(s) {
      if (!s) return;
      this.state = s.state;
      if (s.transport) this.transport = s.transport;
      if (s.clientId) this.clientId = s.clientId;
      if (s.cursor) this.cursor = s.cursor;
    }

    /** An event of the connection; a new leader's connection on the same transport is no change. */
    _applyEvent(event, detail, status) {
      const before = this.transport;
      this._setStatus(status);
      if (event === 'transport' && detail.transport === before) return;
      this._emit(event, detail);
    }

    // ---- leading

    /** Granted the leader lock: opens the connection for every live peer; holds the lock until close. */
    _lead() {
      if (this.state === 'closed') return;
      return this._locks.query().then((snapshot) => {
        if (this.state === 'closed') return;
        const prefix = this._key + ':peer:';
        const live = new Set((snapshot.held || []).filter((l) => l.name.startsWith(prefix)).map((l) => l.name.slice(prefix.length)));
        for (const id of Array.from(this._peers.keys())) if (id !== this._id && !live.has(id)) this._peers.delete(id);
        this._leaderGone();
        this._leaderId = this._id;
        this.leader = true;
        const core = new Client(this.base, Object.assign({}, this.options, { shared: false, cursor: this.cursor }));
        this._core = core;
        core._relay = (frame) => this._relayFrame(frame);
        for (const event of ['transport', 'open', 'close', 'error']) {
          this._coreStops.push(core.on(event, (detail) => this._relayEvent(event, detail)));
        }
        this._post({ t: 'leader', peers: Array.from(this._peers), status: this._status() });
        for (const id of this._peers.keys()) this._watch(id);
        this._sync();
        for (const [ref, p] of this._pending) if (!p.sentTo) this._send(ref, p);
        return new Promise((resolve) => (this._releaseLeader = resolve));
      });
    }

    _stopCore() {
      const core = this._core;
      if (!core) return;
      this._core = null;
      this._coreStops.forEach((stop) => stop());
      core._relay = null;
      core.close();
    }

    _status() {
      const c = this._core;
      return c ? { state: c.state, transport: c.transport, clientId: c.clientId, cursor: c.cursor } : null;
    }

    /** A peer's wish; the leader answers a new presence wish with the list it has, if any. */
    _setWant(id, want) {
      const before = this._peers.get(id);
      this._peers.set(id, want);
      if (!this._core) return;
      this._sync();
      for (const channel of want.presence) {
        if (before && before.presence.includes(channel)) continue;
        const known = this._core._members.get(channel);
        if (!known) continue; // the server's snapshot will come to every peer
        const frame = { type: 'members', channel, members: sortedMembers(known) };
        // To itself after presence() returned, before any later frame (those come in later tasks).
        if (id === this._id) Promise.resolve(frame).then((f) => this._apply(f));
        else this._post({ t: 'frame', to: id, frame });
      }
    }

    /** Makes the core hold the union of what the peers want: a channel while any peer wants it. */
    _sync() {
      const core = this._core;
      const channels = new Set();
      const presence = new Set();
      for (const want of this._peers.values()) {
        want.channels.forEach((c) => channels.add(c));
        want.presence.forEach((c) => presence.add(c));
      }
      for (const [channel, held] of Array.from(this._coreHeld)) {
        if (!channels.has(channel)) {
          if (held.presenceOff) held.presenceOff();
          held.off();
          this._coreHeld.delete(channel);
        } else if (held.presenceOff && !presence.has(channel)) {
          held.presenceOff();
          held.presenceOff = null;
        }
      }
      for (const channel of channels) {
        let held = this._coreHeld.get(channel);
        if (!held) this._coreHeld.set(channel, (held = { off: core.subscribe(channel, () => {}), presenceOff: null }));
        if (presence.has(channel) && !held.presenceOff) held.presenceOff = core.presence(channel, () => {});
      }
      this._postStatus();
    }

    _relayFrame(frame) {
      let out = frame;
      if (!['message', 'reset'].concat(PRESENCE).includes(frame.type)) {
        if (!frame.cursor) return; // ready, ack, error, subscribed, pong, heartbeat: the core's own
        out = { type: 'cursor', cursor: frame.cursor };
      }
      this._post({ t: 'frame', frame: out });
      this._apply(out);
    }

    _relayEvent(event, detail) {
      const status = this._status();
      this._posted = status;
      this._post({ t: 'event', event, detail, status });
      this._applyEvent(event, detail, status);
    }

    /** Tells the peers the connection's state when it changed without an event (idle, connecting). */
    _postStatus() {
      const s = this._status();
      const p = this._posted;
      if (p && p.state === s.state && p.transport === s.transport && p.clientId === s.clientId) return;
      this._posted = s;
      this._post({ t: 'status', status: s });
      this._setStatus(s);
    }

    _publishFor(m) {
      const answer = (fields) => this._post(Object.assign({ t: 'answer', to: m.from, ref: m.ref }, fields));
      const options = typeof m.ephemeral === 'boolean' ? { ephemeral: m.ephemeral } : undefined;
      this._core.publish(m.channel, m.event, m.data, options).then(
        (ack) => answer({ ack }),
        (error) => answer({ error })
      );
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
          for (const channel of c._wanted()) this.send(c._subscribeFrame(channel));
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
        // Ephemeral messages and presence events have no id: lastEventId is still the previous one.
        if (e.lastEventId && !f.ephemeral && !PRESENCE.includes(f.type)) f.cursor = e.lastEventId;
        c._frame(f);
        if (f.type === 'error' && !f.ref) {
          this.closing = f.code; // the server ends the stream after it
          if (isHint(f)) this._end(f.code);
        }
      };
      es.onmessage = frame;
      es.addEventListener('ready', frame);
      es.addEventListener('reset', frame);
      for (const name of PRESENCE) es.addEventListener(name, frame);
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
          if (body.cursor) c._frame({ type: 'cursor', cursor: body.cursor });
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
