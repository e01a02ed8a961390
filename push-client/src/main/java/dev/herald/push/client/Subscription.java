package dev.herald.push.client;

/**
 * One handler's subscription to a channel, as returned by {@link HeraldClient#subscribe}. Closing
 * it stops that handler; the client leaves the channel once its last handler is gone. Thread-safe.
 */
public interface Subscription extends AutoCloseable {
  /** The channel subscribed to. */
  String channel();

  /**
   * Whether the handler may still be called: {@code false} once {@link #close()} was called, the
   * client was closed, or the server refused the channel.
   */
  boolean isActive();

  /**
   * Stops this handler; idempotent. A message already being delivered may still reach it, none
   * after that call returns on the client's callback thread. Thread-safe.
   */
  @Override
  void close();
}
