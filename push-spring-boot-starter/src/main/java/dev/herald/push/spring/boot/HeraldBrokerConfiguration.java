package dev.herald.push.spring.boot;

import dev.herald.push.InMemoryBroker;
import dev.herald.push.PushHub;
import dev.herald.push.redis.RedisBroker;
import dev.herald.push.spi.Broker;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hub's broker: Redis when {@code herald.redis.url} is set, else history in this node's memory.
 * Imported in this order by {@link HeraldAutoConfiguration}, so that the in-memory broker is only
 * the fallback. None is made when the application defines a broker or a hub of its own.
 */
final class HeraldBrokerConfiguration {
  private HeraldBrokerConfiguration() {}

  /** Redis, shared by every node that names the same Redis and key prefix. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.herald.push.redis.RedisBroker")
  @ConditionalOnProperty("herald.redis.url")
  @ConditionalOnMissingBean({Broker.class, PushHub.class})
  static class Redis {
    /** Connects at start-up; a Redis that cannot be reached fails the start. */
    @Bean(destroyMethod = "close")
    RedisBroker heraldBroker(HeraldProperties properties) {
      HeraldProperties.Redis redis = properties.getRedis();
      HeraldProperties.History history = properties.getHistory();
      return RedisBroker.builder()
          .redisUri(redis.getUrl())
          .keyPrefix(redis.getKeyPrefix())
          .commandTimeout(redis.getCommandTimeout())
          .presenceTimeout(redis.getPresenceTimeout())
          .historySize(history.getSize())
          .historyMaxAge(history.getMaxAge())
          .build();
    }
  }

  /** {@code herald.redis.url} without push-redis: a start that fails saying what to add. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("dev.herald.push.redis.RedisBroker")
  @ConditionalOnProperty("herald.redis.url")
  @ConditionalOnMissingBean({Broker.class, PushHub.class})
  static class RedisMissing {
    @Bean
    Broker heraldBroker() {
      throw new IllegalStateException(
          "herald.redis.url is set but the Redis broker is not on the class path: add the"
              + " dependency dev.herald:push-redis");
    }
  }

  /** The default: each node keeps its own history. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean({Broker.class, PushHub.class})
  static class InMemory {
    @Bean(destroyMethod = "close")
    Broker heraldBroker(HeraldProperties properties) {
      HeraldProperties.History history = properties.getHistory();
      return InMemoryBroker.builder()
          .historySize(history.getSize())
          .historyMaxAge(history.getMaxAge())
          .historyMaxBytes(history.getMaxSize().toBytes())
          .build();
    }
  }
}
