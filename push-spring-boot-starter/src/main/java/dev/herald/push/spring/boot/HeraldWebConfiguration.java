package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Mounts the transports on the embedded container (or on the container a Spring Boot WAR is
 * deployed to) and ends their connections before the web server stops.
 */
@Configuration(proxyBeanMethods = false)
class HeraldWebConfiguration {
  /** The HTTP transports at {@code <path>/*} and the WebSocket at {@code <path>/ws}. */
  @Bean
  HeraldEndpoints heraldEndpoints(PushHub hub, HeraldProperties properties) {
    return new HeraldEndpoints(hub, properties);
  }

  /**
   * Drains the hub over {@code herald.shutdown.drain-window} with {@code server.shutdown=graceful}
   * (Spring Boot's default), closes it at once with {@code immediate}.
   */
  @Bean
  HeraldShutdown heraldShutdown(
      PushHub hub, HeraldEndpoints endpoints, HeraldProperties properties, Environment env) {
    boolean graceful =
        !"immediate".equalsIgnoreCase(env.getProperty("server.shutdown", "graceful").strip());
    return new HeraldShutdown(
        hub,
        graceful ? properties.getShutdown().getDrainWindow() : null,
        properties.getCloseTimeout(),
        endpoints::openSockets);
  }
}
