package dev.herald.push.spi;

/** A running live feed; closing it stops the calls to its listener. Thread-safe. */
@FunctionalInterface
public interface BrokerSubscription extends AutoCloseable {
  /** Stops the feed. Idempotent. */
  @Override
  void close();
}
