/**
 * Types of herald.js, Herald's browser client. The same declarations serve the ES module
 * (`import Herald, { connect } from 'herald-push'`) and the classic script, which defines the
 * global `Herald` (`/// <reference types="herald-push" />` makes it known to TypeScript).
 *
 * The wire contract behind these types is docs/protocol.md of the Herald repository; the client's
 * behaviour is docs/client.md.
 */

/** The transports herald.js speaks, in its default order of preference. */
export type TransportName = 'websocket' | 'sse' | 'stream' | 'poll';

/**
 * Where the client stands: `idle` (no channel yet, so no connection), `connecting` (a first try or a
 * reconnect is under way or waiting out its backoff), `open` (the server's `ready` frame came),
 * `closed` (after `close()`, for good).
 */
export type ClientState = 'idle' | 'connecting' | 'open' | 'closed';

/**
 * A bearer token: a fixed string, or a function asked before every request that carries the token
 * (each connection attempt, so every reconnect; each long poll; each publish over HTTP). The
 * function may return the token or a promise of it; `null`, `undefined` or `''` means no token. A
 * function that throws or rejects fails that attempt (an `error` event with code `token_failed`,
 * then a reconnect with backoff) or that publish. It should hand out a cached token and fetch a new
 * one only when the old one nears its expiry.
 */
export type TokenSource =
  | string
  | null
  | (() => string | null | undefined | PromiseLike<string | null | undefined>);

/** The options of {@link connect}; every one has a default. */
export interface ConnectOptions {
  /** The transports to try, in order. Default: all four, `['websocket', 'sse', 'stream', 'poll']`. */
  transports?: readonly TransportName[];
  /** Milliseconds to wait for the `ready` frame before a try counts as failed. Default 5000. */
  connectTimeout?: number;
  /**
   * Milliseconds an SSE or NDJSON try that has not yet worked in this client may go without its
   * `ready` frame before the client takes it for a proxy that buffers streams and moves on to long
   * polling, skipping the other streaming transport. Default 2500.
   */
  bufferTimeout?: number;
  /** Failed tries in a row before moving to the next transport. Default 2. */
  maxFailuresPerTransport?: number;
  /**
   * Reconnect delay, every reconnect the first included: a random value between 0 and
   * `min(maxBackoff, minBackoff·2^attempt)` ms, or between 0 and the server's hint (`retry`,
   * `Retry-After`) when it gave one; after a `429` (`rate_limited`, the hub's connection limits)
   * that hint plus a random value between 0 and it. Default 500.
   */
  minBackoff?: number;
  /** The cap of the reconnect delay, in ms. Default 30000. */
  maxBackoff?: number;
  /** Seconds a long poll waits for messages. Default 25. */
  pollTimeout?: number;
  /** Milliseconds a publish over WebSocket waits for its `ack`. Default 10000. */
  publishTimeout?: number;
  /**
   * The bearer token, sent as `Authorization: Bearer` (NDJSON streaming, long polling, publish over
   * HTTP) or as the `access_token` query parameter (WebSocket, SSE: their browser APIs cannot set
   * headers). Default: none.
   */
  token?: TokenSource;
  /** A cursor saved earlier (`h.cursor`), to resume where a previous page left off. Default: none. */
  cursor?: string | null;
  /**
   * Remember the transport that worked, per base URL, in `localStorage` and start with it on the
   * next page load within `rememberFor`. Default true.
   */
  remember?: boolean;
  /** How long a remembered transport is used first, in ms. Default 3600000 (one hour). */
  rememberFor?: number;
  /**
   * This client's presence data (any JSON value, e.g. `{ name: 'Ann', color: '#e33' }`), sent with
   * every subscription; others see it as {@link Member.data}. Set here only: it cannot change later.
   * At most the hub's `maxMemberDataBytes` (default 1024) of compact JSON. Default: none.
   */
  member?: unknown;
  /**
   * Share one connection per base URL among the browser's tabs of this origin: one tab holds it
   * (the leader) and passes every frame to the others; when it closes, another takes over and
   * resumes from the cursor. Needs Web Locks and BroadcastChannel; without them the client has its
   * own connection, as without this option ({@link HeraldClient.shared} tells). The connection uses
   * the leading tab's options (transports, token, member). Default false.
   */
  shared?: boolean;
}

/** The options of {@link HeraldClient.publish}. */
export interface PublishOptions {
  /**
   * `true`: deliver the message live to whoever is subscribed now, never store it (no offset, no
   * replay); `false`: store it. Absent: the channel's default on the server (durable unless the hub
   * names the channel ephemeral). The server's message handler may still change it.
   */
  ephemeral?: boolean;
}

/** What every channel message has, as the server sent it. */
interface MessageBase<D> {
  readonly type: 'message';
  readonly channel: string;
  /** The application's event name (`message` unless the publisher named one). */
  readonly event: string;
  /** When the server took it, ISO-8601 in UTC. */
  readonly time: string;
  /** The JSON payload. */
  readonly data: D;
  /** The id of the client that published it; absent when the server did. */
  readonly publisher?: string;
}

/** A stored message: it has its place in the channel's history and is replayed on resume. */
export interface StoredMessage<D = unknown> extends MessageBase<D> {
  readonly ephemeral?: false;
  /** The message's place in the channel: 1, 2, 3, … within one epoch. */
  readonly offset: number;
  /** Names one unbroken history of the channel. */
  readonly epoch: string;
  /** The connection's whole cursor after this message. */
  readonly cursor?: string;
}

/**
 * An ephemeral message: delivered live to the subscriptions of that moment, never stored, never
 * replayed; it has no position, and herald.js keeps none from it.
 */
export interface EphemeralMessage<D = unknown> extends MessageBase<D> {
  readonly ephemeral: true;
  readonly offset?: undefined;
  readonly epoch?: undefined;
  readonly cursor?: undefined;
}

/**
 * A channel message; `ephemeral` tells the two kinds apart (`if (!msg.ephemeral) msg.offset`). The
 * same object goes to every callback: do not change it.
 */
export type Message<D = unknown> = StoredMessage<D> | EphemeralMessage<D>;

/** What a publish resolves with when the message was stored. */
export interface StoredAck {
  readonly channel: string;
  readonly ephemeral?: false;
  readonly offset: number;
  readonly epoch: string;
}

/** What a publish resolves with when the message was delivered without being stored. */
export interface EphemeralAck {
  readonly channel: string;
  readonly ephemeral: true;
  readonly offset?: undefined;
  readonly epoch?: undefined;
}

/** What a publish resolves with: the server decides (the channel's default, its handler). */
export type Ack = StoredAck | EphemeralAck;

/** A member of a channel's presence. */
export interface Member<M = unknown> {
  /** The id of the member's connection. */
  readonly clientId: string;
  /** The authenticated user; absent for an anonymous connection. */
  readonly user?: string;
  /** Since when it is a member, ISO-8601 in UTC. */
  readonly since: string;
  /** The member's data ({@link ConnectOptions.member}); absent when it gave none. */
  readonly data?: M;
}

/** What changed a presence list: a whole new list (first, and after every reconnect), a join or a leave. */
export type PresenceChange<M = unknown> =
  | { readonly type: 'members' }
  | { readonly type: 'join' | 'leave'; readonly member: Member<M> };

/**
 * The codes a publish can be refused with: the server's (docs/protocol.md, Errors) and the
 * client's own: `closed` (the client was closed), `timeout` (no `ack` within `publishTimeout`),
 * `disconnected` (the connection dropped or the request failed before an answer: it may or may not
 * have been stored), `token_failed` (the token function threw or rejected), `protocol` (an answer
 * that is not Herald's), `http_<status>` (an HTTP error without a Herald body).
 */
export type ErrorCode =
  | 'bad_channel'
  | 'bad_cursor'
  | 'bad_json'
  | 'bad_request'
  | 'too_many_channels'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rejected'
  | 'rate_limited'
  | 'unavailable'
  | 'server_restart'
  | 'closed'
  | 'timeout'
  | 'disconnected'
  | 'token_failed'
  | 'protocol'
  | `http_${number}`
  | (string & {});

/** Why a publish failed. A plain object, not an `Error`. */
export interface HeraldError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** The detail of an `open` event: the server's `ready` frame arrived. */
export interface OpenDetail {
  readonly transport: TransportName;
  /** The server's id for this connection; `null` over long polling. */
  readonly clientId: string | null;
  readonly cursor: string | null;
}

/** The detail of a `close` event: the connection ended; unless `reason` is `closed`, it reconnects. */
export interface CloseDetail {
  /**
   * `closed` after `close()`; `leader tab closed` in shared mode when the tab holding the connection
   * went (another takes over); otherwise why the connection ended or the try failed.
   */
  readonly reason: string;
  /** The transport that ended; absent after `close()`. */
  readonly transport?: TransportName;
  /** Milliseconds until the next try; absent after `close()`. */
  readonly delay?: number;
}

/**
 * The detail of a `reset` event: history could not cover the gap, so reload the channel's state.
 * The messages the history still holds (offsets above `offset`) follow through `subscribe`.
 */
export interface ResetDetail {
  readonly type: 'reset';
  readonly channel: string;
  /** The channel's epoch and offset from which messages continue. */
  readonly epoch: string;
  readonly offset: number;
  readonly cursor?: string;
}

/**
 * The detail of an `error` event: an `error` frame from the server that answers no publish (a
 * refused subscribe, a refused token, a stream the server ends), or the client's own `token_failed`.
 */
export interface ErrorDetail {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  /** The `ref` of the frame the server refused, when it had one. */
  readonly ref?: string;
}

/** The detail of a `transport` event: the client settled on another transport. */
export interface TransportDetail {
  readonly transport: TransportName;
}

/** The events of {@link HeraldClient.on} and what their listeners receive. */
export interface HeraldEvents {
  open: OpenDetail;
  close: CloseDetail;
  reset: ResetDetail;
  error: ErrorDetail;
  transport: TransportDetail;
}

/**
 * One connection to Herald carrying every channel. It connects on its first subscribe, falls back
 * from transport to transport, reconnects with backoff and resumes from its cursor. Callbacks and
 * listeners run on the page's event loop; one that throws does not stop the others.
 */
export interface HeraldClient {
  /** The base URL, resolved against the page's `document.baseURI`, without a trailing slash. */
  readonly base: URL;
  /** The cursor after the last frame that carried one: save it to resume later. `null` before any. */
  readonly cursor: string | null;
  /** The transport in use or last used; `null` before the first `open`. */
  readonly transport: TransportName | null;
  /** The server's id for the current connection, from its `ready` frame. */
  readonly clientId: string | null;
  readonly state: ClientState;
  /** Whether this client shares a connection with other tabs ({@link ConnectOptions.shared}, when supported). */
  readonly shared: boolean;
  /** Whether this tab holds the connection: always for a client that does not share. */
  readonly leader: boolean;

  /**
   * Calls `onMessage` for each message of the channel, exactly once and in order. Several
   * callbacks of one channel share one server subscription. `D` is the type the application
   * expects `data` to have; herald.js does not check it.
   *
   * @returns a function that unsubscribes this callback
   */
  subscribe<D = unknown>(channel: string, onMessage: (message: Message<D>) => void): () => void;

  /**
   * Publishes a message: a `publish` frame over WebSocket, answered by `ack`; `POST <base>/publish`
   * on the other transports. `data` is sent as JSON. In shared mode a follower tab's publish goes
   * through the leading tab's connection, and its answer comes back to that tab.
   *
   * @returns a promise of where the message was stored, or of `{channel, ephemeral: true}` when it
   *     was delivered without being stored; it rejects with a {@link HeraldError}
   */
  publish(channel: string, event: string, data?: unknown, options?: PublishOptions): Promise<Ack>;

  /**
   * Follows the channel's members: `listener(members, change)` gets the whole list (oldest first)
   * after the server's snapshot, then after each join and leave; after every reconnect a fresh
   * snapshot replaces it. Holds a subscription to the channel, as {@link subscribe} does. `M` is
   * the type the application expects member `data` to have; herald.js does not check it.
   *
   * @returns a function that stops this listener
   */
  presence<M = unknown>(
    channel: string,
    listener: (members: readonly Member<M>[], change: PresenceChange<M>) => void
  ): () => void;

  /**
   * Listens for an event.
   *
   * @returns a function that stops listening
   */
  on<E extends keyof HeraldEvents>(event: E, listener: (detail: HeraldEvents[E]) => void): () => void;

  /** Closes the connection for good; publishes still waiting reject with code `closed`. */
  close(): void;
}

/** What herald.js defines: the global `Herald` and the module's default export. */
export interface HeraldStatic {
  /**
   * Makes a client of the Herald endpoints below `base` (`'push'`, `'/app/push'`,
   * `'https://example.com/push'`); a relative base is resolved against the page's
   * `document.baseURI`. The client connects as soon as it has a channel.
   *
   * @throws TypeError for a bad base or token option, Error for an unknown or empty transport list
   */
  connect(base: string | URL, options?: ConnectOptions): HeraldClient;
  /** The transports herald.js speaks, in its default order. */
  readonly transports: readonly TransportName[];
  /** herald.js's version. */
  readonly version: string;
}

declare const Herald: HeraldStatic;
export default Herald;

/** {@link HeraldStatic.connect}. */
export declare const connect: HeraldStatic['connect'];
/** {@link HeraldStatic.transports}. */
export declare const transports: HeraldStatic['transports'];
/** {@link HeraldStatic.version}. */
export declare const version: string;

declare global {
  /** Defined by herald.js, whether loaded by `<script src>` or imported as a module. */
  var Herald: HeraldStatic;
}
