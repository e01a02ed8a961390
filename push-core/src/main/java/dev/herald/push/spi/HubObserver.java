package dev.herald.push.spi;

import java.time.Duration;

/**
 * Hears what a hub does, for metrics, tracing or logs; register one with {@code
 * PushHub.Builder.observer}. Every method has an empty default, so an observer implements only what
 * it needs, and a hub without one pays nothing for it: the hub's own counters ({@code
 * PushHub.stats()}) are always kept.
 *
 * <p>Methods are called on the hub's and the transports' threads, some on the delivery path, never
 * under a lock of the hub's. They must be quick, must not block and must not throw; an observer
 * that needs to do I/O hands the event to a thread of its own.
 *
 * <pre>{@code
 * PushHub hub = PushHub.builder()
 *     .observer(new HubObserver() {
 *       public void connectionClosed(WireFormat format, CloseReason reason) {
 *         if (reason.equals(CloseReason.SLOW_CONSUMER)) slowClients.increment();
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public interface HubObserver {
  /** An observer that hears nothing. */
  HubObserver NONE = new HubObserver() {};

  /** A connection opened. */
  default void connectionOpened(WireFormat format) {}

  /**
   * The hub refused to open a connection because of its connection limits ({@code
   * PushHub.Builder.maxConnections}, {@code maxConnectionsPerAddress}, {@code openRate}).
   *
   * @param reason {@code node_full}, {@code address_full}, {@code open_rate} or {@code
   *     too_many_addresses}
   */
  default void connectionRefused(WireFormat format, String reason) {}

  /** A connection closed, for the reason. */
  default void connectionClosed(WireFormat format, CloseReason reason) {}

  /** A connection subscribed to the channel. */
  default void subscribed(String channel) {}

  /**
   * A publish completed: stored by the broker, or failed.
   *
   * @param nanos from the call to the broker to its answer
   */
  default void published(String channel, boolean stored, long nanos) {}

  /**
   * The transport took a batch of frames of one connection and handed them to the network.
   *
   * @param bytes their encoded size
   */
  default void delivered(WireFormat format, int frames, long bytes) {}

  /**
   * The hub fetched messages of the channel from history, to catch a subscriber up or to fill a
   * gap.
   */
  default void replayed(String channel, int messages) {}

  /**
   * A subscriber that came back with a position got where it was: {@code recovered} if history
   * covered the gap, or {@code false} if it got a {@code reset}.
   */
  default void resumed(String channel, boolean recovered) {}

  /** A transport refused a client frame because the client sent too fast. */
  default void rateLimited(WireFormat format) {}

  /** The broker's health changed. */
  default void brokerHealthChanged(BrokerHealth previous, BrokerHealth current) {}

  /**
   * A live message reached this node from the broker, {@code millis} after the broker stored it (by
   * the clocks of the two machines involved; {@code 0} when one is ahead of the other).
   */
  default void brokerLag(String channel, long millis) {}

  /** The hub started to drain its connections over the window. */
  default void drainStarted(int connections, Duration window) {}

  /** The drain closed its last connection. */
  default void drainFinished(int closed, Duration took) {}
}
