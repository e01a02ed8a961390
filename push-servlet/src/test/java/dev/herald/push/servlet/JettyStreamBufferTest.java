package dev.herald.push.servlet;

import static dev.herald.push.servlet.Http.publish;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.PushHub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On Jetty, SSE and NDJSON streams write their frames unbuffered: an open stream holds no buffer
 * from the server's pool, however many frames it wrote, and frames larger than Jetty's response
 * buffer still arrive whole. Its own server, so that the pool's count is this test's alone.
 */
class JettyStreamBufferTest {
  private static final int STREAMS = 40;

  private static Server server;
  private static ArrayByteBufferPool.Tracking pool;
  private static PushHub hub;
  private static TestServer at;

  @BeforeAll
  static void start() throws Exception {
    hub = PushHub.builder().noConnectionLimits().heartbeatInterval(Duration.ofSeconds(30)).build();
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setDaemon(true);
    threads.setName("jetty-buffers");
    // Tracks every buffer taken and not given back, with the stack that took it.
    pool = new ArrayByteBufferPool.Tracking();
    server = new Server(threads, null, pool);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer(
        (classes, servletContext) ->
            PushServlet.builder(hub).build().register(servletContext, "/push/*"));
    server.setHandler(context);
    server.start();
    at = TestServer.at(connector.getLocalPort());
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    hub.close();
  }

  /**
   * Buffers that a response's output took from the pool and has not given back. (Each open request
   * also holds its request buffer; that is the connection's, raw Jetty's as much as Herald's.)
   */
  private static long heldByResponseOutput() {
    return pool.getLeaks().stream()
        .filter(
            buffer ->
                Arrays.stream(buffer.getAcquireStack().getStackTrace())
                    .anyMatch(frame -> frame.getClassName().endsWith(".HttpOutput")))
        .count();
  }

  /** The next NDJSON frame of this type, skipping heartbeats. */
  private static JsonNode next(NdjsonClient ndjson, String type) throws InterruptedException {
    JsonNode frame = ndjson.nextFrame();
    assertThat(frame.get("type").asText()).isEqualTo(type);
    return frame;
  }

  @Test
  void openStreams_afterWritingFrames_holdNoPooledBuffer() throws Exception {
    String channel = "buffers/held";
    List<AutoCloseable> open = new ArrayList<>();
    try {
      for (int i = 0; i < STREAMS; i++) {
        SseClient sse = SseClient.open(at, "/push/sse?channel=" + channel);
        open.add(sse);
        sse.ready();
        NdjsonClient ndjson = NdjsonClient.open(at, "/push/stream?channel=" + channel);
        open.add(ndjson);
        next(ndjson, "ready");
      }
      for (int n = 0; n < 3; n++) {
        publish(hub, channel, "tick", "{\"n\":" + n + "}");
      }
      for (AutoCloseable client : open) {
        for (int n = 0; n < 3; n++) {
          if (client instanceof SseClient sse) {
            assertThat(sse.next("message").json().get("data").get("n").asInt()).isEqualTo(n);
          } else {
            NdjsonClient ndjson = (NdjsonClient) client;
            assertThat(next(ndjson, "message").get("data").get("n").asInt()).isEqualTo(n);
          }
        }
      }
      // Before, each stream kept the response buffer its first frame was copied into: 80 here.
      assertThat(heldByResponseOutput())
          .as("pooled buffers held by the output of %d open streams", 2 * STREAMS)
          .isZero();
    } finally {
      for (AutoCloseable client : open) {
        client.close();
      }
    }
  }

  @Test
  void frameLargerThanTheResponseBuffer_arrivesWhole() throws Exception {
    String channel = "buffers/large";
    // 60,000 characters: larger than Jetty's 32 KiB response buffer, so written in pieces.
    String text = "0123456789".repeat(6_000);
    try (SseClient sse = SseClient.open(at, "/push/sse?channel=" + channel);
        NdjsonClient ndjson = NdjsonClient.open(at, "/push/stream?channel=" + channel)) {
      sse.ready();
      next(ndjson, "ready");
      publish(hub, channel, "big", "{\"text\":\"" + text + "\"}");
      publish(hub, channel, "after", "{\"n\":1}");

      assertThat(sse.next("message").json().get("data").get("text").asText()).isEqualTo(text);
      assertThat(sse.next("message").json().get("event").asText()).isEqualTo("after");
      assertThat(next(ndjson, "message").get("data").get("text").asText()).isEqualTo(text);
      assertThat(next(ndjson, "message").get("event").asText()).isEqualTo("after");
    }
  }
}
