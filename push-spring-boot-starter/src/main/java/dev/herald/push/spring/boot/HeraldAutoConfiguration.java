package dev.herald.push.spring.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Authenticator;
import dev.herald.push.Authorizer;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.PresenceListener;
import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.HubObserver;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.convert.converter.Converter;

/**
 * Herald in a Spring Boot servlet application: a {@link PushHub} bean built from {@code herald.*}
 * and the application's {@link Authorizer}, {@link Authenticator}, {@link PresenceListener}, {@link
 * HubObserver} and {@link HeraldCustomizer} beans; its broker (Redis when {@code herald.redis.url}
 * is set, else in memory); the four transports at {@code herald.path}; and a drain of open
 * connections on graceful shutdown. Each bean backs off when the application defines its own.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration", // Boot 4
      "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration" // Boot 3.5
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({PushHub.class, PushServlet.class})
@ConditionalOnProperty(name = "herald.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(HeraldProperties.class)
@Import({
  HeraldBrokerConfiguration.Redis.class,
  HeraldBrokerConfiguration.RedisMissing.class,
  HeraldBrokerConfiguration.InMemory.class,
  HeraldWebConfiguration.class,
  HeraldSecurityConfiguration.class,
  HeraldActuatorConfiguration.Health.class,
  HeraldActuatorConfiguration.Boot3Health.class,
  HeraldActuatorConfiguration.Metrics.class
})
public class HeraldAutoConfiguration {
  /** Created by Spring. */
  public HeraldAutoConfiguration() {}

  /**
   * The hub, closed when the application context closes (every connection still open is then ended
   * with {@code server_shutdown}).
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public PushHub heraldHub(
      HeraldProperties properties,
      Broker heraldBroker,
      ObjectProvider<Authorizer> authorizer,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<PresenceListener> presenceListeners,
      ObjectProvider<HubObserver> observer,
      ObjectProvider<ObjectMapper> objectMapper,
      ObjectProvider<HeraldCustomizer> customizers) {
    PushHub.Builder builder = PushHub.builder().broker(heraldBroker);
    HubSettingsFromProperties.apply(properties, builder);
    // getIfAvailable, not getIfUnique: two authorizers must fail loudly, not fall back to
    // allow-all.
    authorizer.ifAvailable(builder::authorizer);
    authenticator.ifAvailable(builder::authenticator);
    presenceListeners.orderedStream().forEach(builder::presenceListener);
    observer.ifAvailable(builder::observer);
    // A Jackson 2 mapper of the application's (spring-boot-jackson2 or its own bean); Herald
    // serializes payloads with a copy of it. Jackson 3's JsonMapper is another library.
    objectMapper.ifUnique(builder::objectMapper);
    for (String pattern : properties.getClientPublish()) {
      builder.acceptClientMessages(pattern, ClientMessageHandler.PASS_THROUGH);
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * Explains {@code herald.redis=...} (an environment variable {@code HERALD_REDIS} binds there),
   * which Spring Boot would otherwise refuse with a bare "no converter found".
   */
  @Bean
  @ConfigurationPropertiesBinding
  static RedisGroupValue heraldRedisGroupValue() {
    return new RedisGroupValue();
  }

  /** Refuses a single value where the {@code herald.redis} group of settings belongs. */
  static final class RedisGroupValue implements Converter<String, HeraldProperties.Redis> {
    @Override
    public HeraldProperties.Redis convert(String value) {
      throw new IllegalArgumentException(
          "herald.redis is a group of settings, not a value: set herald.redis.url (environment"
              + " variable HERALD_REDIS_URL) to the Redis URI");
    }
  }
}
