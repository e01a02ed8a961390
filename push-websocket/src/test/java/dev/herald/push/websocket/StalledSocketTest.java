package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.push.PushHub;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * WebSocket clients that subscribe over a real TCP socket with a small receive buffer and then
 * never read: once the hub closes one as a slow consumer, the server drops the connection within
 * the close timeout, so that neither its file descriptor nor the megabytes of unsent bytes in the
 * kernel outlive it, while a reading subscriber on the same channel misses nothing. Checked in the
 * kernel's own tables ({@code /proc/net/tcp}), on Jetty 12 and Tomcat 11.
 */
class StalledSocketTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * The close timeout, twice over (Tomcat spends it once on waiting for the write in flight and
   * once on its bounded close frame), and a generous margin for a loaded machine; no timing is
   * asserted.
   */
  private static final Duration RELEASED_WITHIN = CLOSE_TIMEOUT.multipliedBy(2).plusSeconds(8);

  private static final int RECEIVE_BUFFER = 4096;
  private static final String PAD = "x".repeat(8 * 1024);

  @BeforeAll
  static void requireProcNet() {
    if (!KernelSockets.available() && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("/proc/net/tcp is required under CI=true");
    }
    assumeTrue(
        KernelSockets.available(),
        "SKIPPED: /proc/net/tcp is not readable here (not Linux); these tests read the kernel's"
            + " socket tables");
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void slowConsumer_socketThatStopsReading_isAbortedAfterTheCloseTimeout_readerUndisturbed(
      TestServer.Kind kind) throws Exception {
    PushHub hub =
        PushHub.builder()
            .closeTimeout(CLOSE_TIMEOUT)
            .maxQueuedBytes(64 * 1024)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    String channel = "stall/ws";
    try (TestServer server =
            TestServer.start(kind, context -> PushWebSocket.register(context, hub, "/push/ws"));
        TestSocket reader =
            TestSocket.open(URI.create("ws://127.0.0.1:" + server.port() + "/push/ws"));
        RawSocket stalled = new RawSocket(server.port(), "/push/ws", RECEIVE_BUFFER)) {
      reader.next("ready");
      reader.subscribe(channel);
      stalled.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> hub.channel(channel).subscriberCount() == 2);
      int port = server.port();
      int clientPort = stalled.localPort();

      // One message at a time, each once the reader has it, until the stalled socket's outbox
      // overflows: the reader keeps up, the kernel's buffers and then the outbox fill up.
      boolean sawStall = false;
      int i = 0;
      while (hub.connectionCount() == 2 && i < 5000) {
        publish(hub, channel, i);
        assertThat(reader.next("message").path("data").path("i").asInt()).isEqualTo(i);
        sawStall |= KernelSockets.stalled(port, clientPort);
        i++;
      }
      long condemnedAt = System.nanoTime();
      assertThat(hub.connectionCount()).as("connections after the stall").isEqualTo(1);
      assertThat(sawStall).as("the kernel held unsent bytes for the stalled socket").isTrue();

      await()
          .atMost(RELEASED_WITHIN)
          .untilAsserted(
              () ->
                  assertThat(KernelSockets.serverSide(port, clientPort))
                      .as("server side of the stalled connection")
                      .noneMatch(KernelSockets.Entry::holds));
      System.out.printf(
          "[%s] WebSocket slow consumer: server socket released %d ms after the close began%n",
          kind, (System.nanoTime() - condemnedAt) / 1_000_000);

      for (int k = i; k < i + 5; k++) {
        publish(hub, channel, k);
        assertThat(reader.next("message").path("data").path("i").asInt()).isEqualTo(k);
      }
      reader.assertNothingElse();
    } finally {
      hub.close();
    }
  }

  private static void publish(PushHub hub, String channel, int i) {
    hub.channel(channel)
        .publishJson("m", "{\"i\":" + i + ",\"pad\":\"" + PAD + "\"}")
        .toCompletableFuture()
        .join();
  }
}
