package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;
import dev.herald.push.micrometer.HeraldMeterBinder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What Actuator shows of Herald: the hub's health as the {@code herald} health component and its
 * counters as {@code herald.*} meters. Each part is there only when its library is.
 */
final class HeraldActuatorConfiguration {
  private HeraldActuatorConfiguration() {}

  /** The {@code herald} health component, when Spring Boot 4's health support is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Health {
    @Bean
    @ConditionalOnMissingBean(name = "heraldHealthIndicator")
    HeraldHealthIndicator heraldHealthIndicator(PushHub hub) {
      return new HeraldHealthIndicator(hub);
    }
  }

  /**
   * The {@code herald} health component on Spring Boot 3.5, whose health API is in Actuator's
   * {@code org.springframework.boot.actuate.health}; Spring Boot 4 has no such class, so only one
   * of the two health configurations applies.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  static class Boot3Health {
    @Bean
    @ConditionalOnMissingBean(name = "heraldHealthIndicator")
    HeraldBoot3HealthIndicator heraldHealthIndicator(PushHub hub) {
      return new HeraldBoot3HealthIndicator(hub);
    }
  }

  /**
   * Herald's meters, bound by Spring Boot to every {@code MeterRegistry} it configures (Actuator's
   * metrics support binds every {@code MeterBinder} bean).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class Metrics {
    @Bean
    @ConditionalOnMissingBean
    HeraldMeterBinder heraldMeterBinder(PushHub hub) {
      return new HeraldMeterBinder(hub);
    }
  }
}
