package dev.herald.push.spring.boot;

import dev.herald.push.HubHealth;
import dev.herald.push.PushHub;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * {@link HeraldHealthIndicator} for Spring Boot 3.5, whose health API is Actuator's {@code
 * org.springframework.boot.actuate.health} (Spring Boot 4 moved it to {@code
 * org.springframework.boot.health.contributor}): the same {@code herald} component with the same
 * statuses and details. Compiled against spring-boot-actuator 3.5 and loaded only when that package
 * is on the class path. Thread-safe.
 */
final class HeraldBoot3HealthIndicator implements HealthIndicator {
  /**
   * As {@link HeraldHealthIndicator#DEGRADED}, which is Spring Boot 4's type and not loaded here.
   */
  private static final Status DEGRADED = new Status("DEGRADED");

  private final PushHub hub;

  HeraldBoot3HealthIndicator(PushHub hub) {
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
