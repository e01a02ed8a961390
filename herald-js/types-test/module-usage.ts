// Typed use of the whole API through the package's ES module entry, as an application writes it.
// `tsc --noEmit` checks it against herald.d.ts; the @ts-expect-error lines must stay errors.
import Herald, {
  connect,
  transports,
  version,
  type Ack,
  type ClientState,
  type ConnectOptions,
  type EphemeralAck,
  type ErrorCode,
  type HeraldClient,
  type HeraldError,
  type Member,
  type Message,
  type PresenceChange,
  type PublishOptions,
  type StoredAck,
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
  member: { name: 'Ann', color: '#e33' },
  shared: true,
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
  const when: Date = new Date(msg.time);
  const publisher: string | undefined = msg.publisher;
  const maybe: number | undefined = msg.offset;
  if (!msg.ephemeral) {
    // A stored message has its place; an ephemeral one has none.
    const offset: number = msg.offset;
    const epoch: string = msg.epoch;
    const cursor: string | undefined = msg.cursor;
    console.log(offset, epoch, cursor);
  } else {
    const none: undefined = msg.offset;
    console.log(none);
  }
  console.log(msg.channel, msg.event, text, when, publisher, maybe, msg.type);
});
const offAny = h.subscribe('news', (msg) => {
  const data: unknown = msg.data;
  console.log(data);
});

h.publish('chat/lobby', 'chat', { text: 'hello' } satisfies Chat)
  .then((ack: Ack) => {
    if (ack.ephemeral) {
      const live: EphemeralAck = ack;
      console.log(live.channel, 'delivered, not stored');
    } else {
      const kept: StoredAck = ack;
      const stored: number = ack.offset;
      console.log(kept.channel, ack.epoch, stored);
    }
  })
  .catch((e: HeraldError) => {
    const code: ErrorCode = e.code;
    if (code === 'forbidden' || code === 'token_failed' || code === 'http_502') console.warn(e.message);
  });
void h.publish('chat/lobby', 'typing');
const live: PublishOptions = { ephemeral: true };
void h.publish('board/1', 'cursor', { x: 1, y: 2 }, live).then((ack) => console.log(ack.offset ?? 'no offset'));
void h.publish('board/1', 'stroke', { points: [] }, { ephemeral: false });

interface Who {
  name: string;
  color: string;
}
const offWho = h.presence<Who>('board/1', (members: readonly Member<Who>[], change: PresenceChange<Who>) => {
  for (const m of members) console.log(m.clientId, m.user ?? 'anonymous', new Date(m.since), m.data?.name, m.data?.color);
  if (change.type === 'join' || change.type === 'leave') console.log(change.type, change.member.clientId);
  else console.log('a new list of', members.length);
});
const offAnyone = h.presence('board/1', (members) => console.log(members.map((m) => m.data)));
const sharing: boolean = h.shared;
const leading: boolean = h.leader;
console.log(sharing, leading);

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
offWho();
offAnyone();
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
// @ts-expect-error: a stored message's offset needs the check: an ephemeral one has none
const unchecked: number = ({} as Message).offset;
// @ts-expect-error: ephemeral is a boolean
void h.publish('board/1', 'cursor', {}, { ephemeral: 'yes' });
// @ts-expect-error: presence needs a listener
h.presence('board/1');
// @ts-expect-error: whether the client shares is read-only
h.shared = false;
console.log(unchecked);
console.log(wrong);
