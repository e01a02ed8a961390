package dev.herald.push.spi;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.ErrorCode;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Stores each channel's history, assigns offsets, and carries messages to every node. Herald's hub
 * talks to exactly one broker; {@code InMemoryBroker} serves one process and a Redis broker serves
 * a cluster. Implementations must be thread-safe, and no method may block: slow work completes the
 * returned stage later.
 *
 * <p>The hub does not need the live feed to be perfect. Offsets are dense, so the hub drops a
 * message whose offset it has already delivered and fills any gap it sees with {@link #replay}. A
 * broker that knows its feed may have missed messages (a dropped connection, say) tells the hub
 * through {@link BrokerListener#onResync()}.
 */
public interface Broker extends AutoCloseable {
  /**
   * Appends a message to the channel's history with the next offset and sends it to every node's
   * live feed. The stage fails with a {@code PushException} of code {@code UNAVAILABLE} when the
   * broker cannot store it; it never completes successfully for a message that was not stored.
   *
   * @param data compact JSON text
   * @param publisherId the publishing client's id, or {@code null}
   */
  CompletionStage<Message> publish(String channel, String event, String data, String publisherId);

  /**
   * Sends a message to every node's live feed ({@link BrokerListener#onEphemeral}) without storing
   * it or giving it an offset. The stage completes once the message is on its way, and fails with a
   * {@code PushException} of code {@code UNAVAILABLE} when it cannot be sent. Delivery is best
   * effort: a node whose feed is down at that moment misses it. The default, for brokers that do
   * not carry such messages, fails.
   */
  default CompletionStage<Void> publishEphemeral(EphemeralMessage message) {
    return CompletableFuture.failedFuture(
        new PushException(
            ErrorCode.UNAVAILABLE,
            getClass().getSimpleName() + " does not carry ephemeral messages"));
  }

  /**
   * The messages after {@code since}, oldest first, at most {@code limit} of them; or a reset if
   * {@code since} is of another epoch, older than the history holds, or beyond the channel's head.
   *
   * <p>A reset's {@link Replay#start() start} is the position just before the oldest message the
   * history holds in its current epoch (the head when it holds none), so that a client moved there
   * is then handed every message the history holds; only a position beyond the head in the current
   * epoch resets to the head. Messages too old to keep count as not held.
   */
  CompletionStage<Replay> replay(String channel, Position since, int limit);

  /**
   * The channel's current position: its epoch and the offset of its newest message ({@code 0} for a
   * channel without messages). A channel gets its epoch the first time it is named, so the same
   * epoch is returned until its history is lost.
   */
  CompletionStage<Position> position(String channel);

  /**
   * Starts this node's live feed of the channel. The stage completes once every message published
   * after that point will reach the listener. The listener is called from the broker's threads, for
   * one channel one call at a time; it must not block.
   */
  CompletionStage<BrokerSubscription> subscribe(String channel, BrokerListener listener);

  /**
   * Records that a member joined a channel, for every node's presence queries, and tells every
   * node's live feed of the channel ({@link BrokerListener#onPresence}).
   */
  CompletionStage<Void> join(String channel, Member member);

  /** Records that a member left a channel, and tells every node's live feed of the channel. */
  CompletionStage<Void> leave(String channel, Member member);

  /** The members of the channel across all nodes, the longest present first. */
  CompletionStage<List<Member>> members(String channel);

  /**
   * The broker's health now: whether it can store, replay and deliver. A broker in this process is
   * always up, which is the default.
   */
  default BrokerHealth health() {
    return BrokerHealth.LOCAL;
  }

  /**
   * Asks to hear of every change of {@link #health()}, from any thread; the hub calls it once as it
   * starts. Changes must reach the listener one at a time and in order, so that the last one it
   * heard is the health now: the hub reports what it heard. The default, for brokers whose health
   * never changes, does nothing.
   */
  default void watchHealth(Consumer<BrokerHealth> listener) {}

  /** Releases the broker's resources; later calls fail. */
  @Override
  void close();
}
