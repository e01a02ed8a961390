package dev.herald.push.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.HealthStatus;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import dev.herald.push.redis.RedisBroker;
import dev.herald.push.redis.RedisServer;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.Replay;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * {@code herald.redis.url} against a real {@code redis-server}: the hub's broker is Redis, and two
 * applications that name the same Redis share one history.
 */
class HeraldRedisAutoConfigurationTest {
  private static RedisServer redis;

  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(HeraldAutoConfiguration.class));

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void redisUrl_makesTheBrokerRedis_andNodesShareHistory() {
    String[] settings = {
      "herald.redis.url=" + redis.uri(),
      "herald.redis.key-prefix=boot-test:",
      "herald.history.size=50"
    };
    web.withPropertyValues(settings)
        .run(
            nodeA ->
                web.withPropertyValues(settings)
                    .run(
                        nodeB -> {
                          assertThat(nodeA).getBean(Broker.class).isInstanceOf(RedisBroker.class);
                          PushHub a = nodeA.getBean(PushHub.class);
                          assertThat(a.health().broker().status()).isEqualTo(HealthStatus.UP);
                          assertThat(a.health().broker().detail())
                              .endsWith(redis.host() + ":" + redis.port());

                          Message stored =
                              a.channel("orders")
                                  .publish("order.created", "tea")
                                  .toCompletableFuture()
                                  .get(5, TimeUnit.SECONDS);

                          // Node B replays what node A stored, from the start of the history.
                          Replay replay =
                              nodeB
                                  .getBean(Broker.class)
                                  .replay("orders", new Position(stored.epoch(), 0), 10)
                                  .toCompletableFuture()
                                  .get(5, TimeUnit.SECONDS);
                          assertThat(replay.messages())
                              .extracting(Message::data)
                              .containsExactly("\"tea\"");
                        }));
  }
}
