package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import jakarta.servlet.ServletContainerInitializer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients that connect and then never read, over real TCP sockets with a small receive buffer: once
 * the hub gives up on one (its outbox overflowed, the hub drains), the server drops the connection
 * within the close timeout, so that neither its file descriptor nor the unsent bytes in the kernel
 * outlive it; a reading subscriber on the same channel misses nothing. Checked in the kernel's own
 * tables ({@code /proc/net/tcp}), on Jetty 12 and Tomcat 11.
 *
 * <p>The servers' sockets get a fixed 64 KiB send buffer, so that a stalled connection fills up
 * after a few hundred kilobytes (and a poll answer of a megabyte stalls) rather than after the
 * several megabytes the kernel would grant on loopback.
 */
class StalledClientTest {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

  /** The close timeout and a generous margin for a loaded machine; no timing is asserted. */
  private static final Duration RELEASED_WITHIN = CLOSE_TIMEOUT.plusSeconds(9);

  private static final int SEND_BUFFER = 64 * 1024;
  private static final int RECEIVE_BUFFER = 4096;
  private static final String PAYLOAD = "\"" + "x".repeat(8 * 1024) + "\"";

  /** A container serving one hub on {@code /push/*}. */
  record Node(String name, PushHub hub, int port, AutoCloseable stopper) {
    TestServer server() {
      return TestServer.at(port);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static List<Node> nodes;

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

  static synchronized List<Node> nodes() throws Exception {
    if (nodes == null) {
      nodes =
          List.of(node("jetty", StalledClientTest::hub), node("tomcat", StalledClientTest::hub));
    }
    return nodes;
  }

  @AfterAll
  static synchronized void stop() throws Exception {
    if (nodes != null) {
      for (Node n : nodes) {
        n.stopper().close();
        n.hub().close();
      }
      nodes = null;
    }
  }

  static PushHub hub() {
    return PushHub.builder()
        .closeTimeout(CLOSE_TIMEOUT)
        .maxQueuedBytes(64 * 1024)
        .heartbeatInterval(Duration.ofHours(1))
        .build();
  }

  // ---- slow consumers

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodes")
  void sse_clientThatStopsReading_isCondemnedAndItsConnectionReset_readerUndisturbed(Node node)
      throws Exception {
    sseStall(node, TestServer.channel("stall-sse"), stalled -> {});
  }

  /**
   * A stalled client that reads 40 KiB once the hub gave up on it, then stops again: enough for the
   * socket to take the write that was waiting and the closing frame (about one message of 8 KiB),
   * not enough to empty the kernel's queue (64 KiB and more). The response is all written, yet its
   * client is still behind: it must be reset too, not closed, or the kernel keeps the orphaned
   * socket and its unsent bytes (seen: 39 and 64 KB in {@code FIN-WAIT-1} for over 10 s).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("nodes")
  void sse_clientThatReadsALittleOnceCondemned_isStillReset(Node node) throws Exception {
    sseStall(
        node,
        TestServer.channel("stall-sse-trickle"),
        stalled -> assertThat(stalled.skip(40 * 1024)).isEqualTo(40 * 1024));
  }

  /**
   * A reading SSE subscriber and a stalled one on the channel, the second condemned and released as
   * {@link #condemnAndExpectRelease} checks; {@code onceCondemned} is what it does meanwhile.
   */
  private static void sseStall(Node node, String channel, StalledStep onceCondemned)
      throws Exception {
    try (SseClient reader = SseClient.open(node.server(), "/push/sse?channel=" + channel);
        RawHttp stalled =
            RawHttp.get(node.port(), "/push/sse?channel=" + channel, RECEIVE_BUFFER)) {
      reader.ready();
      stalled.readUntil("event: ready");
      condemnAndExpectRelease(
          node,
          channel,
          stalled.localPort(),
          i -> assertThat(reader.next("message").json().get("data").get("i").asInt()).isEqualTo(i),
          () -> onceCondemned.run(stalled));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodes")
  void ndjson_clientThatStopsReading_isCondemnedAndItsConnectionReset_readerUndisturbed(Node node)
      throws Exception {
    String channel = TestServer.channel("stall-ndjson");
    try (NdjsonClient reader = NdjsonClient.open(node.server(), "/push/stream?channel=" + channel);
        RawHttp stalled =
            RawHttp.get(node.port(), "/push/stream?channel=" + channel, RECEIVE_BUFFER)) {
      assertThat(reader.nextFrame().get("type").asText()).isEqualTo("ready");
      stalled.readUntil("\"type\":\"ready\"");
      condemnAndExpectRelease(
          node,
          channel,
          stalled.localPort(),
          i -> {
            JsonNode frame = reader.nextFrame();
            assertThat(frame.get("type").asText()).isEqualTo("message");
            assertThat(frame.get("data").get("i").asInt()).isEqualTo(i);
          });
    }
  }

  // ---- a poll answer nobody reads

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodes")
  void poll_answerThatIsNeverRead_hasItsConnectionReset(Node node) throws Exception {
    String channel = TestServer.channel("stall-poll");
    Position start = node.hub().channel(channel).position().toCompletableFuture().join();
    for (int i = 0; i < 100; i++) {
      publish(node.hub(), channel, i);
    }
    // From before the first message: the answer holds the whole history, about 800 KiB, more than
    // the two sockets' buffers.
    String since = Cursor.empty().with(channel, start).encode();
    try (RawHttp stalled =
        RawHttp.get(
            node.port(),
            "/push/poll?channel=" + channel + "&since=" + since + "&timeout=1",
            RECEIVE_BUFFER)) {
      int clientPort = stalled.localPort();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> KernelSockets.stalled(node.port(), clientPort));
      long stalledAt = System.nanoTime();
      await().atMost(RELEASED_WITHIN).until(() -> !KernelSockets.held(node.port(), clientPort));
      report(node, "poll answer never read", stalledAt);
    }
  }

  // ---- draining

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void drain_clientThatStopsReading_hasItsConnectionResetAfterTheCloseTimeout(String container)
      throws Exception {
    PushHub hub =
        PushHub.builder()
            .closeTimeout(CLOSE_TIMEOUT)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    Node node = node(container, () -> hub);
    try {
      String channel = TestServer.channel("stall-drain");
      try (RawHttp stalled =
          RawHttp.get(node.port(), "/push/sse?channel=" + channel, RECEIVE_BUFFER)) {
        stalled.readUntil("event: ready");
        int clientPort = stalled.localPort();
        // The default 1 MiB outbox takes what the sockets cannot: stalled, but not condemned.
        for (int i = 0; i < 40; i++) {
          publish(hub, channel, i);
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> KernelSockets.stalled(node.port(), clientPort));
        assertThat(hub.connectionCount()).isEqualTo(1);

        assertThat(hub.drain(Duration.ofMillis(100)).toCompletableFuture().join()).isEqualTo(1);
        long drainedAt = System.nanoTime();
        await().atMost(RELEASED_WITHIN).until(() -> !KernelSockets.held(node.port(), clientPort));
        report(node, "drained, never read", drainedAt);
        assertThat(hub.connectionCount()).isZero();
      }
    } finally {
      node.stopper().close();
      hub.close();
    }
  }

  static List<String> containers() {
    return List.of("jetty", "tomcat");
  }

  // ----

  @FunctionalInterface
  interface Delivery {
    void expect(int i) throws Exception;
  }

  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  @FunctionalInterface
  interface StalledStep {
    void run(RawHttp stalled) throws Exception;
  }

  /**
   * Publishes, one message at a time and each only once the reader has it, until the hub closes the
   * stalled connection; then expects its socket released within the close timeout and the reader
   * still served.
   */
  private static void condemnAndExpectRelease(
      Node node, String channel, int clientPort, Delivery reader) throws Exception {
    condemnAndExpectRelease(node, channel, clientPort, reader, () -> {});
  }

  /** As above, with what the stalled client does once the hub has given up on it. */
  private static void condemnAndExpectRelease(
      Node node, String channel, int clientPort, Delivery reader, Step onceCondemned)
      throws Exception {
    int before = node.hub().connectionCount();
    boolean sawStall = false;
    int i = 0;
    while (node.hub().connectionCount() == before && i < 2000) {
      publish(node.hub(), channel, i);
      reader.expect(i);
      sawStall |= KernelSockets.stalled(node.port(), clientPort);
      i++;
    }
    long condemnedAt = System.nanoTime();
    assertThat(node.hub().connectionCount())
        .as("connections after the stall")
        .isEqualTo(before - 1);
    assertThat(sawStall).as("the kernel held unsent bytes for the stalled client").isTrue();
    onceCondemned.run();

    await()
        .atMost(RELEASED_WITHIN)
        .untilAsserted(
            () ->
                assertThat(KernelSockets.serverSide(node.port(), clientPort))
                    .as("server side of the stalled connection")
                    .noneMatch(KernelSockets.Entry::holds));
    report(node, "slow consumer on " + channel, condemnedAt);

    for (int k = i; k < i + 5; k++) {
      publish(node.hub(), channel, k);
      reader.expect(k);
    }
  }

  private static void report(Node node, String what, long sinceNanos) {
    System.out.printf(
        "[%s] %s: server socket released %d ms after the close began%n",
        node.name(), what, (System.nanoTime() - sinceNanos) / 1_000_000);
  }

  private static Message publish(PushHub hub, String channel, int i) {
    return hub.channel(channel)
        .publishJson("m", "{\"i\":" + i + ",\"pad\":" + PAYLOAD + "}")
        .toCompletableFuture()
        .join();
  }

  // ---- containers with a small, fixed send buffer

  private static Node node(String name, Supplier<PushHub> hubs) throws Exception {
    PushHub hub = hubs.get();
    ServletContainerInitializer setup =
        (classes, context) ->
            PushServlet.builder(hub)
                .pollTimeout(Duration.ofSeconds(5))
                .build()
                .register(context, "/push/*");
    TestServer.Running running = name.equals("jetty") ? startJetty(setup) : startTomcat(setup);
    return new Node(name, hub, running.port(), running.stopper());
  }

  private static TestServer.Running startJetty(ServletContainerInitializer setup) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setDaemon(true);
    threads.setName("jetty-stall");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptedSendBufferSize(SEND_BUFFER);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer(setup);
    server.setHandler(context);
    server.start();
    return new TestServer.Running(connector.getLocalPort(), server::stop);
  }

  private static TestServer.Running startTomcat(ServletContainerInitializer setup)
      throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("herald-tomcat-stall").toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("socket.txBufSize", String.valueOf(SEND_BUFFER));
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(setup, null);
    tomcat.start();
    return new TestServer.Running(
        connector.getLocalPort(),
        () -> {
          tomcat.stop();
          tomcat.destroy();
        });
  }
}
