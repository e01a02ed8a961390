// Typed use of the whole API through the package's ES module entry, as an application writes it.
// `tsc --noEmit` checks it against herald.d.ts; the @ts-expect-error lines must stay errors.
import Herald, {
  connect,
  transports,
  version,
  type Ack,
  type ClientState,
  type ConnectOptions,
  type ErrorCode,
  type HeraldClient,
  type HeraldError,
  type Message,
  type TokenSource,
  type TransportName,
} from 'herald-push';

interface Chat {
  text: string;
  from?: string;
}

const options: ConnectOptions = {
  transports: ['websocket', 'sse', 'stream', 'poll'],
  connectTimeout: 5000,
  bufferTimeout: 2500,
  maxFailuresPerTransport: 2,
  minBackoff: 500,
  maxBackoff: 30000,
  pollTimeout: 25,
  publishTimeout: 10000,
  token: 'a-fixed-token',
  cursor: localStorage.getItem('cursor'),
  remember: true,
  rememberFor: 3_600_000,
};

// Relative to the page, absolute, or a URL object.
const h: HeraldClient = connect('push', options);
const other = Herald.connect(new URL('https://example.com/push'));
const third = globalThis.Herald.connect('/app/push', { transports: ['sse'] });

// The token as a function, plain or async: asked for on every (re)connect.
let cached: { token: string; expires: number } | null = null;
const refreshing: TokenSource = async () => {
  if (!cached || cached.expires < Date.now() + 30_000) {
    const r = await fetch('token', { method: 'POST' });
    cached = (await r.json()) as { token: string; expires: number };
  }
  return cached.token;
};
const withToken = connect('push', { token: refreshing });
const plainFunction = connect('push', { token: () => sessionStorage.getItem('token') });
const thenable = connect('push', { token: () => Promise.resolve(undefined) });
const noToken = connect('push', { token: null });

const offChat = h.subscribe<Chat>('chat/lobby', (msg: Message<Chat>) => {
  const text: string = msg.data.text;
  const offset: number = msg.offset;
  const epoch: string = msg.epoch;
  const when: Date = new Date(msg.time);
  const publisher: string | undefined = msg.publisher;
  const cursor: string | undefined = msg.cursor;
  console.log(msg.channel, msg.event, text, offset, epoch, when, publisher, cursor, msg.type);
});
const offAny = h.subscribe('news', (msg) => {
  const data: unknown = msg.data;
  console.log(data);
});

h.publish('chat/lobby', 'chat', { text: 'hello' } satisfies Chat)
  .then((ack: Ack) => {
    const stored: number = ack.offset;
    console.log(ack.channel, ack.epoch, stored);
  })
  .catch((e: HeraldError) => {
    const code: ErrorCode = e.code;
    if (code === 'forbidden' || code === 'token_failed' || code === 'http_502') console.warn(e.message);
  });
void h.publish('chat/lobby', 'typing');

const stops: Array<() => void> = [
  h.on('open', ({ transport, clientId, cursor }) => {
    const t: TransportName = transport;
    const id: string | null = clientId;
    if (cursor !== null) localStorage.setItem('cursor', cursor);
    console.log(t, id);
  }),
  h.on('close', ({ reason, transport, delay }) => console.log(reason, transport ?? 'closed by the page', delay ?? 0)),
  h.on('reset', ({ channel, epoch, offset }) => console.log('reload', channel, epoch, offset)),
  h.on('error', (e) => console.warn(e.type, e.code, e.message, e.ref)),
  h.on('transport', ({ transport }) => console.log('now over', transport)),
];

const state: ClientState = h.state;
const cursor: string | null = h.cursor;
const current: TransportName | null = h.transport;
const clientId: string | null = h.clientId;
const base: string = h.base.href;
const all: readonly TransportName[] = transports;
const v: string = version;
console.log(state, cursor, current, clientId, base, all, v, Herald.transports, Herald.version);

offChat();
offAny();
stops.forEach((stop) => stop());
for (const c of [h, other, third, withToken, plainFunction, thenable, noToken]) c.close();

// What the types refuse.
// @ts-expect-error: not a transport
connect('push', { transports: ['carrier-pigeon'] });
// @ts-expect-error: a token is a string, null or a function
connect('push', { token: 42 });
// @ts-expect-error: the token function returns a string, not an object
connect('push', { token: () => ({ token: 't' }) });
// @ts-expect-error: no such event
h.on('opened', () => {});
// @ts-expect-error: subscribe needs a callback
h.subscribe('chat/lobby');
// @ts-expect-error: an offset is a number
const wrong: string = (await h.publish('chat/lobby', 'chat', {})).offset;
// @ts-expect-error: the state is read-only
h.state = 'open';
console.log(wrong);
