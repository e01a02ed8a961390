package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client refused for the hub's connection limits, on each transport, against the real servlet and
 * WebSocket transports on embedded Jetty: a hub that takes one connection per address answers the
 * second with {@code 429 rate_limited} and {@code Retry-After} (on {@code /sse}, a closing {@code
 * error} event with {@code retry}). The client's own backoff is a minute, so only the server's
 * {@code Retry-After} brings it back within seconds once the first connection goes, and it never
 * leaves its transport for the next one in its list.
 */
class RateLimitedReconnectTest {
  private static TestServer server;
  private HeraldClient holder;
  private HeraldClient client;

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestServer();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @AfterEach
  void closeClients() {
    if (client != null) {
      client.close();
    }
    if (holder != null) {
      holder.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.limited.stats().openConnections() == 0);
  }

  private static Transport next(Transport t) {
    List<Transport> all = List.of(Transport.values());
    return all.get((all.indexOf(t) + 1) % all.size());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void rateLimited_waitsForRetryAfter_andStaysOnItsTransport(Transport transport) {
    Recorder held = new Recorder();
    holder =
        HeraldClient.builder(server.base("limited"))
            .transports(Transport.WEBSOCKET)
            .listener(held)
            .build();
    await().until(holder::isOpen);

    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(server.base("limited"))
            .transports(transport, next(transport))
            .listener(recorder)
            .reconnect(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .build();
    client.subscribe(TestServer.channel("limited"), recorder.handler());
    await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.errors.isEmpty());
    holder.close();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(recorder.events).contains("open:" + transport));
    assertThat(recorder.errors)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.code()).isEqualTo("rate_limited"));
    assertThat(recorder.events)
        .filteredOn(e -> !e.startsWith("error:"))
        .containsExactly("transport:" + transport, "open:" + transport);
  }
}
