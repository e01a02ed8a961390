package dev.herald.push.spring.boot;

import dev.herald.push.HubHealth;
import java.util.LinkedHashMap;
import java.util.Map;

/** The details of the {@code herald} health component, the same for both Spring Boot lines. */
final class HeraldHealthDetails {
  private HeraldHealthDetails() {}

  static Map<String, Object> of(HubHealth health) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("connections", health.connections());
    details.put("draining", health.draining());
    details.put("closed", health.closed());
    details.put("broker", health.broker().status().name());
    details.put("brokerDetail", health.broker().detail());
    return details;
  }
}
