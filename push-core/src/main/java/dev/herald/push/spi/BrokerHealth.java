package dev.herald.push.spi;

import dev.herald.push.HealthStatus;
import java.util.Objects;

/**
 * A broker's view of its own health. Immutable.
 *
 * @param status {@code UP}, {@code DEGRADED} when it serves with a part impaired (such as a live
 *     feed that is reconnecting), or {@code DOWN} when it cannot store or replay messages
 * @param detail a short human-readable explanation, such as {@code "connected to
 *     redis://10.0.0.5:6379"}
 */
public record BrokerHealth(HealthStatus status, String detail) {
  /** A broker that needs no connection, always up. */
  public static final BrokerHealth LOCAL = new BrokerHealth(HealthStatus.UP, "in this process");

  /** Requires both fields. */
  public BrokerHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
  }
}
