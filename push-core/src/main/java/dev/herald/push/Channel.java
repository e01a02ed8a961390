package dev.herald.push;

import dev.herald.push.spi.Replay;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A named topic of a {@link PushHub}. Cheap to get and to drop: it holds only its name and its hub.
 * Thread-safe.
 */
public final class Channel {
  private final String name;
  private final Hub hub;
  private final JsonCodec codec;

  Channel(String name, Hub hub, JsonCodec codec) {
    this.name = Names.checkChannel(name);
    this.hub = hub;
    this.codec = codec;
  }

  /** The channel's name. */
  public String name() {
    return name;
  }

  /**
   * Publishes a message on the server's behalf, from any thread; no authorizer or handler runs.
   * Never blocks on subscribers: delivery to slow clients happens later, through their outboxes.
   *
   * @param event the application's event name, for example {@code chat}
   * @param data serialised with the hub's {@code ObjectMapper}; a {@code String} becomes a JSON
   *     string (use {@link #publishJson} for JSON text)
   * @return the stored message with its offset; fails with a {@link PushException} of code {@code
   *     UNAVAILABLE} when the broker cannot store it
   * @throws PushException at once for a bad event name or a payload over the size limit
   */
  public CompletionStage<Message> publish(String event, Object data) {
    return publishJson(event, codec.toJson(data));
  }

  /**
   * Publishes JSON text as it is, after checking it parses within the hub's limits.
   *
   * @throws PushException at once for a bad event name, malformed JSON or a payload over the size
   *     limit
   */
  public CompletionStage<Message> publishJson(String event, String json) {
    Names.checkEvent(event);
    return hub.publish(name, event, codec.normalize(json));
  }

  /**
   * Publishes an ephemeral message on the server's behalf, from any thread: delivered live to the
   * connections subscribed at that moment (on every node), never stored, without an offset, so a
   * resume neither replays it nor counts it as a gap. For updates that are worth nothing a moment
   * later. No authorizer or handler runs.
   *
   * @param data serialised with the hub's {@code ObjectMapper}, as for {@link #publish}
   * @return completes once the message is on its way to every node; fails with a {@link
   *     PushException} of code {@code UNAVAILABLE} when the broker cannot send it
   * @throws PushException at once for a bad event name or a payload over the size limit
   */
  public CompletionStage<Void> publishEphemeral(String event, Object data) {
    return publishEphemeralJson(event, codec.toJson(data));
  }

  /**
   * Publishes JSON text as an ephemeral message, after checking it parses within the hub's limits.
   *
   * @throws PushException at once for a bad event name, malformed JSON or a payload over the size
   *     limit
   */
  public CompletionStage<Void> publishEphemeralJson(String event, String json) {
    Names.checkEvent(event);
    return hub.publishEphemeral(name, event, codec.normalize(json));
  }

  /**
   * The messages after {@code since}, oldest first, at most {@code limit}; or a reset if the
   * history no longer covers {@code since}, whose {@link Replay#start() start} is where the history
   * now begins (ask again from there for what it holds).
   */
  public CompletionStage<Replay> history(Position since, int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be > 0, was " + limit);
    }
    return hub.broker().replay(name, since, limit);
  }

  /** The channel's current epoch and newest offset. */
  public CompletionStage<Position> position() {
    return hub.broker().position(name);
  }

  /** How many connections of this node receive the channel live now. */
  public int subscriberCount() {
    return hub.subscriberCount(name);
  }

  /** The channel's members on every node the broker knows of. */
  public CompletionStage<List<Member>> members() {
    return hub.broker().members(name);
  }

  @Override
  public String toString() {
    return "Channel[" + name + "]";
  }
}
