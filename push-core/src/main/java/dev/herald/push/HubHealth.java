package dev.herald.push;

import dev.herald.push.spi.BrokerHealth;
import java.util.Objects;

/**
 * Whether a hub is ready for new clients, for load balancers' readiness checks. Immutable.
 *
 * @param status {@code DOWN} when the hub is closed or draining or its broker is down; {@code
 *     DEGRADED} when the broker is; else {@code UP}
 * @param broker what the broker says of itself
 * @param draining whether {@link PushHub#drain} was called
 * @param closed whether {@link PushHub#close} was called
 * @param connections open connections
 */
public record HubHealth(
    HealthStatus status, BrokerHealth broker, boolean draining, boolean closed, int connections) {

  /** Requires the status and the broker's health. */
  public HubHealth {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(broker, "broker");
  }

  /** Whether the hub takes new clients: its status is not {@code DOWN}. */
  public boolean ready() {
    return status != HealthStatus.DOWN;
  }
}
