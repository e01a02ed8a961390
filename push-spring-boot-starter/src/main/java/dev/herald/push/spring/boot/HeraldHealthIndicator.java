package dev.herald.push.spring.boot;

import dev.herald.push.HubHealth;
import dev.herald.push.PushHub;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The hub's health as an Actuator health component, named {@code herald}: {@code UP}, {@code
 * DEGRADED} (the broker serves with a part impaired, such as a Redis live feed that is
 * reconnecting) or {@code DOWN} (the hub is draining or closed, or its broker cannot store
 * messages), with the connection count and the broker's own words as details. Cheap: it reads the
 * hub's state, sends nothing to the broker. Thread-safe.
 */
public final class HeraldHealthIndicator implements HealthIndicator {
  /**
   * Reported while the broker is impaired but serving. Spring Boot leaves a status that is not in
   * {@code management.endpoint.health.status.order} out of the overall status, so by default a
   * degraded Herald does not change it; add {@code DEGRADED} to that order to count it.
   */
  public static final Status DEGRADED = new Status("DEGRADED");

  private final PushHub hub;

  /** Reports {@code hub}'s health. */
  public HeraldHealthIndicator(PushHub hub) {
    this.hub = hub;
  }

  @Override
  public Health health() {
    HubHealth health = hub.health();
    Health.Builder builder =
        switch (health.status()) {
          case UP -> Health.up();
          case DEGRADED -> Health.status(DEGRADED);
          case DOWN -> Health.down();
        };
    return builder.withDetails(HeraldHealthDetails.of(health)).build();
  }
}
