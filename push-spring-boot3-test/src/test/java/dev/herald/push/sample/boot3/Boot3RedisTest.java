package dev.herald.push.sample.boot3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.HealthStatus;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.Transport;
import dev.herald.push.redis.RedisBroker;
import dev.herald.push.redis.RedisServer;
import dev.herald.push.spi.Broker;
import io.lettuce.core.LettuceVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code herald.redis.url} in a Spring Boot 3.5 application, on the Lettuce that Spring Boot 3.5
 * manages, against a real {@code redis-server}: the broker is Redis and a signed-in user hears a
 * server publish through it.
 */
class Boot3RedisTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static RedisServer redis;

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
  void redisUrl_makesTheBrokerRedis_andMessagesReachTheUser() throws Exception {
    assertThat(LettuceVersion.getVersion()).startsWith("6.6.");
    try (ConfigurableApplicationContext app =
        new SpringApplicationBuilder(Boot3Application.class)
            .run(
                "--server.port=0",
                "--herald.redis.url=" + redis.uri(),
                "--herald.redis.key-prefix=boot3-test:")) {
      assertThat(app.getBean(Broker.class)).isInstanceOf(RedisBroker.class);
      PushHub hub = app.getBean(PushHub.class);
      assertThat(hub.health().broker().status()).isEqualTo(HealthStatus.UP);

      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      Boot3Session alice = Boot3Session.signIn(port, "alice");
      List<Message> mine = new CopyOnWriteArrayList<>();
      try (HeraldClient client = alice.client(Transport.SSE)) {
        client.subscribe("user/alice", mine::add);
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(300))
            .until(
                () -> {
                  hub.channel("user/alice").publish("probe", Map.of("text", "probe"));
                  return Boot3StarterContract.has(mine, "probe");
                });

        String text = "via redis " + UUID.randomUUID();
        hub.channel("user/alice").publish("order.placed", Map.of("text", text));
        await().atMost(WAIT).until(() -> Boot3StarterContract.has(mine, text));
      }
    }
  }
}
