package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

/** Clients that go away release everything, on both containers. */
class DisconnectTest {

  /**
   * A thousand clients each connect, get their first frame and drop the connection, over SSE,
   * NDJSON streaming and long polling in turn, on one shared and one own channel each. Afterwards
   * the hub holds no connection and no channel.
   */
  @OnBothContainers
  void disconnect_1000ConnectDropCycles_leaveNoConnectionOrSubscription(TestServer server)
      throws Exception {
    String shared = TestServer.channel("leak");
    for (int i = 0; i < 1000; i++) {
      String own = TestServer.channel("leak");
      String query = "?channel=" + shared + "&channel=" + own;
      switch (i % 3) {
        case 0 -> {
          try (RawHttp sse = RawHttp.get(server.port(), "/push/sse" + query, 0)) {
            sse.readUntil("event: ready");
          }
        }
        case 1 -> {
          try (RawHttp stream = RawHttp.get(server.port(), "/push/stream" + query, 0)) {
            stream.readUntil("\"type\":\"ready\"");
          }
        }
        default -> {
          try (RawHttp poll = RawHttp.get(server.port(), "/push/poll" + query + "&timeout=1", 0)) {
            // Dropped before the answer.
          }
        }
      }
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(server.hub.connectionCount()).isZero();
              assertThat(server.hub.activeChannelCount()).isZero();
            });
    assertThat(server.hub.channel(shared).subscriberCount()).isZero();
  }
}
