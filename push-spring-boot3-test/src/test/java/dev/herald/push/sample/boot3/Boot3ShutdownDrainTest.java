package dev.herald.push.sample.boot3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.HeraldListener;
import dev.herald.push.client.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What clients see when a Spring Boot 3.5 application stops: with graceful shutdown (Spring Boot
 * 3.5's default) the starter drains Herald before the web server stops, so open connections end
 * with {@code server_restart} and a reconnect hint; with {@code server.shutdown=immediate} the
 * hub's close ends them with {@code server_shutdown}.
 */
class Boot3ShutdownDrainTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @ParameterizedTest(name = "server.shutdown={0} over {1}")
  @CsvSource({
    "graceful, WEBSOCKET, server_restart",
    "graceful, SSE, server_restart",
    "immediate, WEBSOCKET, server_shutdown"
  })
  void stoppingTheApplication_endsConnectionsWithTheReasonItsShutdownModeGives(
      String shutdown, Transport transport, String reason) throws Exception {
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(Boot3Application.class)
            .run(
                "--server.port=0",
                "--server.shutdown=" + shutdown,
                "--herald.shutdown.drain-window=500ms");
    try {
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      PushHub hub = app.getBean(PushHub.class);
      List<String> closes = new CopyOnWriteArrayList<>();
      List<Message> mine = new CopyOnWriteArrayList<>();
      Boot3Session alice = Boot3Session.signIn(port, "alice");
      try (HeraldClient client =
          alice.client(
              transport,
              new HeraldListener() {
                @Override
                public void onClose(Transport t, String why) {
                  closes.add(why);
                }
              })) {
        client.subscribe("user/alice", mine::add);
        await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(300))
            .until(
                () -> {
                  hub.channel("user/alice").publish("probe", Map.of("text", "probe"));
                  return !mine.isEmpty();
                });

        app.close();

        await().atMost(WAIT).until(() -> !closes.isEmpty());
        assertThat(closes.get(0)).isEqualTo(reason);
      }
    } finally {
      app.close();
    }
  }
}
