package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the client finds dead peers and blocked transports, against {@link SilentServer}. */
class LivenessTest {
  private SilentServer server;
  private HeraldClient client;

  @BeforeEach
  void start() throws Exception {
    server = new SilentServer();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  @Test
  void silentStream_isDroppedAfterTheIdleTimeout_andReconnected() {
    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(server.base())
            .transports(Transport.SSE)
            .listener(recorder)
            .idleTimeout(Duration.ofMillis(300))
            .reconnect(Duration.ofMillis(10), Duration.ofMillis(20))
            .build();
    client.subscribe("quiet", recorder.handler());

    await().until(() -> recorder.count("open:") >= 2);

    assertThat(recorder.events)
        .containsSubsequence("open:SSE", "close:SSE:idle_timeout", "open:SSE");
    assertThat(server.requests)
        .hasSizeGreaterThanOrEqualTo(2)
        .allMatch(r -> r.startsWith("GET /push/sse?channel=quiet"));
  }

  @Test
  void noReadyInTime_fallsBackToTheNextTransport_andRemembersIt() {
    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(server.base())
            .transports(Transport.WEBSOCKET, Transport.STREAM, Transport.POLL)
            .listener(recorder)
            .connectTimeout(Duration.ofMillis(300))
            .reconnect(Duration.ofMillis(10), Duration.ofMillis(20))
            .build();
    client.subscribe("quiet", recorder.handler());

    await().until(client::isOpen);

    // The handshake never answered, the stream sent no ready frame: long polling is what works.
    assertThat(client.transport()).isEqualTo(Transport.POLL);
    assertThat(recorder.errors)
        .extracting(HeraldException::code)
        .containsExactly("timeout", "timeout");
    assertThat(recorder.events).endsWith("transport:POLL", "open:POLL");
    assertThat(server.requests)
        .anyMatch(r -> r.startsWith("GET /push/ws"))
        .anyMatch(r -> r.startsWith("GET /push/stream?channel=quiet"))
        .anyMatch(r -> r.startsWith("GET /push/poll?channel=quiet&timeout=0"));
  }

  @Test
  void unreachableServer_isRetriedOnTheSameTransport_withBackoff() throws Exception {
    Recorder recorder = new Recorder();
    server.close();
    client =
        HeraldClient.builder(server.base())
            .transports(Transport.WEBSOCKET, Transport.SSE)
            .listener(recorder)
            .reconnect(Duration.ofMillis(5), Duration.ofMillis(20))
            .build();

    await().until(() -> recorder.errors.size() >= 3);

    assertThat(recorder.errors).allSatisfy(e -> assertThat(e.code()).isEqualTo("connect_failed"));
    assertThat(client.transport()).isEqualTo(Transport.WEBSOCKET);
    assertThat(recorder.count("transport:")).isZero();
  }

  @Test
  void tokenSupplierThatThrows_isReportedAsAFailedAttempt_andRetried() {
    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(server.base())
            .transports(Transport.SSE)
            .listener(recorder)
            .bearerToken(
                () -> {
                  throw new IllegalStateException("the token vault is down");
                })
            .reconnect(Duration.ofMillis(5), Duration.ofMillis(20))
            .build();
    client.subscribe("quiet", recorder.handler());

    await().until(() -> recorder.errors.size() >= 2);

    assertThat(recorder.errors)
        .allSatisfy(
            e -> {
              assertThat(e.code()).isEqualTo("connect_failed");
              assertThat(e).hasMessageContaining("the token vault is down");
            });
    assertThat(server.requests).isEmpty();
  }
}
