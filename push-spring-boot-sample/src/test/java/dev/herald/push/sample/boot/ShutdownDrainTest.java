package dev.herald.push.sample.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Message;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.HeraldListener;
import dev.herald.push.client.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What clients see when the application stops: with Spring Boot's graceful shutdown (its default)
 * the starter drains Herald first, so open connections end with {@code server_restart} and a
 * reconnect hint, and the stop does not wait out the server's shutdown timeout on streams that
 * never end; with {@code server.shutdown=immediate} the hub's close ends them with {@code
 * server_shutdown}.
 */
class ShutdownDrainTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @ParameterizedTest(name = "{0}: server.shutdown={1} over {2}")
  @CsvSource({
    "TOMCAT, graceful, WEBSOCKET, server_restart",
    "TOMCAT, graceful, SSE, server_restart",
    "TOMCAT, immediate, WEBSOCKET, server_shutdown",
    "TOMCAT, immediate, SSE, server_shutdown",
    "JETTY, graceful, WEBSOCKET, server_restart",
    "JETTY, graceful, SSE, server_restart",
    "JETTY, immediate, WEBSOCKET, server_shutdown",
    "JETTY, immediate, SSE, server_shutdown"
  })
  void stoppingTheApplication_endsConnectionsWithTheReasonItsShutdownModeGives(
      Containers container, String shutdown, Transport transport, String reason) throws Exception {
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(OrderBoardApplication.class)
            .run(
                "--" + container.exclusion,
                "--server.port=0",
                "--server.shutdown=" + shutdown,
                "--herald.shutdown.drain-window=500ms");
    var server = ((WebServerApplicationContext) app).getWebServer();
    assertThat(server.getClass().getSimpleName()).startsWith(container.server);
    int port = server.getPort();
    List<String> closes = new CopyOnWriteArrayList<>();
    List<Message> board = new CopyOnWriteArrayList<>();
    List<Message> mine = new CopyOnWriteArrayList<>();
    BoardSession alice = BoardSession.signIn(port, "alice", "alice");
    try (HeraldClient client =
        HeraldClient.builder(alice.base.resolve("push"))
            .transports(transport)
            .httpClient(alice.http)
            .reconnect(Duration.ofSeconds(5), Duration.ofSeconds(10))
            .listener(
                new HeraldListener() {
                  @Override
                  public void onClose(Transport t, String why) {
                    closes.add(why);
                  }
                })
            .build()) {
      client.subscribe("orders", board::add);
      client.subscribe("user/alice", mine::add);
      alice.awaitLive(board, mine);

      app.close();

      await().atMost(WAIT).until(() -> !closes.isEmpty());
      assertThat(closes.get(0)).isEqualTo(reason);
    } finally {
      app.close();
    }
  }
}
