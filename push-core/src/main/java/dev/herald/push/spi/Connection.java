package dev.herald.push.spi;

import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.Publication;
import dev.herald.push.PushException;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One client connection as a transport sees it, made by {@link TransportContext#connect}.
 * Thread-safe.
 *
 * <p>Everything the connection sends goes through its bounded outbox to the transport's {@link
 * FrameSink}, with one write in flight. Methods never block.
 */
public interface Connection {
  /** Who is connected; its id is the connection's id. */
  Client client();

  /** How this connection's frames are encoded. */
  WireFormat format();

  /**
   * Subscribes to a channel: replays what came after {@code since}, then goes live, with no gap and
   * no duplicate; sends {@code reset} first if history cannot cover the gap. On WebSocket a {@code
   * subscribed} frame goes out before the first replayed message.
   *
   * @param since where to resume, or {@code null} to start at the channel's current position
   * @return completes when the subscription is in place (its replay may still be running)
   * @throws PushException at once for a bad channel name, a refusal by the authorizer, too many
   *     channels, or a channel already subscribed
   */
  default CompletionStage<Void> subscribe(String channel, Position since) {
    return subscribe(channel, since, PresenceOptions.NONE);
  }

  /**
   * Subscribes as {@link #subscribe(String, Position)} does, showing in the channel's presence with
   * the given data and, if asked, sending the connection the channel's presence frames: a {@code
   * members} snapshot, then {@code join} and {@code leave} as members come and go on any node.
   *
   * @throws PushException also {@code too_large} for data over the hub's {@code
   *     maxMemberDataBytes}, {@code bad_json} for data that is not JSON, and {@code forbidden} when
   *     {@code Authorizer.canJoin} refuses the data
   */
  CompletionStage<Void> subscribe(String channel, Position since, PresenceOptions presence);

  /** Stops the channel's messages; returns whether it was subscribed. */
  boolean unsubscribe(String channel);

  /** The channels subscribed now. */
  Set<String> channels();

  /**
   * The cursor after the last frame queued. A transport that answers with a cursor of its own (long
   * polling) must take it from the last {@link Frame#cursor()} it wrote instead, since queued
   * frames may not have reached the client.
   */
  Cursor cursor();

  /**
   * Publishes a client message through the authorizer and the channel's handler.
   *
   * @return the stored message; fails with a {@link PushException} saying why it was refused
   */
  default CompletionStage<Message> publish(String channel, String event, String data) {
    return publish(channel, event, data, false).thenApply(Message.class::cast);
  }

  /**
   * Publishes as the client, stored or live only: {@code ephemeral} {@code true} or {@code false}
   * says which, {@code null} takes the channel's default ({@code PushHub.Builder
   * #ephemeralChannels}); the channel's handler may still change it. The stage yields the stored
   * {@link Message} or the {@link dev.herald.push.EphemeralMessage} that was sent.
   */
  CompletionStage<Publication> publish(
      String channel, String event, String data, Boolean ephemeral);

  /** Queues an {@code ack} frame for a client publish. */
  default void sendAck(String ref, Message message) {
    sendAck(ref, (Publication) message);
  }

  /**
   * Queues an {@code ack} for a client publish: with the offset and epoch of a stored message, or
   * {@code "ephemeral":true} for one that was only sent live.
   */
  void sendAck(String ref, Publication publication);

  /** Queues an {@code error} frame; {@code ref} may be {@code null}. */
  void sendError(PushException error, String ref);

  /** Queues a {@code pong} frame. */
  void sendPong();

  /** Closes the connection and releases its subscriptions. Idempotent. */
  void close(CloseReason reason);

  /** Whether the connection is still open. */
  boolean isOpen();

  /** How many frames wait in the outbox. */
  int queuedFrames();

  /** How many bytes wait in the outbox. */
  long queuedBytes();
}
