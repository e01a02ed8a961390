package dev.herald.push.spi;

import dev.herald.push.Authenticator;
import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.JsonCodec;
import dev.herald.push.Message;
import dev.herald.push.Publication;
import dev.herald.push.PushException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletionStage;

/**
 * What a transport needs from a hub beyond the application API: opening connections, publishing on
 * a client's behalf, and the settings that shape the wire. A transport module gets it once from
 * {@link dev.herald.push.PushHub#transportContext()} while it starts and keeps it; applications
 * have no use for it. Thread-safe.
 *
 * <pre>{@code
 * TransportContext transport = hub.transportContext();
 * Client client = transport.newClient(user, request.getRemoteAddr());
 * Connection connection = transport.connect(client, WireFormat.SSE, sink, channels, since);
 * }</pre>
 */
public interface TransportContext {
  /**
   * Opens a connection that subscribes to {@code channels}, resuming each from {@code since} where
   * it has a position. The {@code ready} frame goes out once every start position is known,
   * followed by replayed and then live messages. Never blocks.
   *
   * @param since the client's cursor, or {@code null}
   * @throws PushException at once, before anything is written, for a bad channel, a refused
   *     subscribe, too many channels, a closed or draining hub, or a hub at its connection limits
   *     (then with a {@link PushException#retryAfter() retry}; see {@link #admit})
   */
  default Connection connect(
      Client client, WireFormat format, FrameSink sink, Collection<String> channels, Cursor since) {
    return connect(client, format, sink, channels, since, null, java.util.List.of());
  }

  /**
   * Opens a connection as {@link #connect(Client, WireFormat, FrameSink, Collection, Cursor)} does,
   * with presence: every channel shows the member with {@code memberData}, and the channels in
   * {@code presenceChannels} (each also in {@code channels}) send it their presence frames.
   *
   * @param memberData compact JSON text, or {@code null}
   * @throws PushException also for member data over the limit or refused, or a presence channel
   *     that is not among the channels
   */
  Connection connect(
      Client client,
      WireFormat format,
      FrameSink sink,
      Collection<String> channels,
      Cursor since,
      String memberData,
      Collection<String> presenceChannels);

  /**
   * Checks the hub's connection limits for a client about to open a connection, before the
   * transport does any work for it (for a WebSocket, before the upgrade), and counts the open
   * against the client's address's open rate: the node's and the address's caps as they stand, then
   * one open from the address's allowance. {@link #connect} then takes the connection's slot under
   * both caps; a transport that opens without calling this first escapes the open rate only. A long
   * poll that carries a cursor continues its client's loop: it is checked against the caps but not
   * counted as an open. Never blocks.
   *
   * @param since the client's cursor, or {@code null}
   * @throws PushException with a {@link PushException#retryAfter() retry} for the client: {@code
   *     unavailable} (503) when the node is at its cap, {@code rate_limited} (429) when the address
   *     is at its cap or opens too fast
   */
  void admit(Client client, WireFormat format, Cursor since);

  /**
   * Publishes a client's message through the channel's rule, the authorizer and the channel's
   * handler, for transports without a connection such as an HTTP publish.
   *
   * @param data compact JSON text, as parsed by the {@link #codec()}
   * @throws PushException at once if the channel takes no client messages or the authorizer
   *     refuses; the stage fails if the handler rejects the message or the broker is unavailable
   */
  default CompletionStage<Message> publishAs(
      Client client, String channel, String event, String data) {
    return publishAs(client, channel, event, data, false).thenApply(Message.class::cast);
  }

  /**
   * Publishes a client's message as {@link #publishAs(Client, String, String, String)} does, stored
   * or live only: {@code ephemeral} {@code null} takes the channel's default.
   */
  CompletionStage<Publication> publishAs(
      Client client, String channel, String event, String data, Boolean ephemeral);

  /** A client with a new random id; its id becomes the connection's id. */
  Client newClient(String user, String remoteAddress);

  /** Turns bearer tokens into users, for clients without a container principal. */
  Authenticator authenticator();

  /**
   * The hub's one origin and identity policy, which every transport applies to every request or
   * handshake before serving it.
   */
  AccessPolicy accessPolicy();

  /** The hub's JSON codec, with its size and nesting limits for what clients send. */
  JsonCodec codec();

  /** How often the hub sends heartbeats on idle streaming connections. */
  Duration heartbeatInterval();

  /**
   * How long a connection the server closes may take to close gracefully (its last frame and close
   * notice written); once it is over, the transport aborts the connection, dropping it without
   * waiting for the peer, so that a client that stopped reading holds nothing on the server. The
   * transport starts the clock when the hub closes the connection ({@link FrameSink#close}) and
   * stops it when the container reports the connection closed.
   */
  Duration closeTimeout();

  /** The most channels one connection may hold. */
  int maxChannelsPerConnection();

  /** Whether the hub was closed; a closed hub refuses new connections. */
  boolean isClosed();

  /**
   * Whether the hub is draining ({@code PushHub.drain}): it refuses new connections, which
   * transports answer with {@code 503} and a {@code Retry-After} of {@link #retryAfter()}, so that
   * the client goes to another node.
   */
  boolean isDraining();

  /** How long a client refused by a draining or closed hub should wait before it tries again. */
  Duration retryAfter();

  /**
   * Where transports report what only they see, such as a client frame refused for its rate; the
   * hub counts it in its stats and passes it on to the application's observer.
   */
  HubObserver observer();
}
