package dev.herald.push.spi;

import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
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
  CompletionStage<Void> subscribe(String channel, Position since);

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
  CompletionStage<Message> publish(String channel, String event, String data);

  /** Queues an {@code ack} frame for a client publish. */
  void sendAck(String ref, Message message);

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
