package dev.herald.push.examples;

import static dev.herald.push.examples.DemoEndpointsTest.call;
import static dev.herald.push.examples.DemoEndpointsTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.redis.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --redis}: demo nodes that share their channels through a real redis-server. */
@Timeout(90)
class DemoClusterTest {
  @Test
  void twoNodesOnOneRedis_aMessagePublishedOnOneReachesAClientOfTheOther() throws Exception {
    try (RedisServer redis = RedisServer.start();
        DemoServer a = DemoServer.start(new DemoOptions(0, redis.uri(), false));
        DemoServer b = DemoServer.start(new DemoOptions(0, redis.uri(), false))) {
      // A client of node B starts listening: its cursor marks where it began.
      String cursor =
          call(b.port(), "/push/poll?channel=chat/cluster&timeout=0", null, null)
              .getValue()
              .get("cursor")
              .asText();

      // A browser on node A chats through node A's HTTP publish and the room's handler.
      Map<String, Object> chat =
          Map.of(
              "channel",
              "chat/cluster",
              "event",
              "chat",
              "data",
              Map.of("nick", "ann", "text", "  hello from A  "));
      assertThat(call(a.port(), "/push/publish", chat, null).getKey()).isEqualTo(202);

      JsonNode polled =
          call(
                  b.port(),
                  "/push/poll?channel=chat/cluster&timeout=10&since=" + enc(cursor),
                  null,
                  null)
              .getValue();
      assertThat(polled.get("messages")).hasSize(1);
      assertThat(polled.get("messages").get(0).get("data").get("text").asText())
          .isEqualTo("hello from A");

      // History is shared too: node B's history endpoint shows what node A stored.
      JsonNode history = call(b.port(), "/demo/chat/history?room=cluster", null, null).getValue();
      assertThat(history.get("messages")).hasSize(1);

      // And live over SSE on node B while node A's server side publishes.
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<Stream<String>> sse =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + b.port() + "/push/sse?channel=news/cluster"))
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      try (Stream<String> lines = sse.body()) {
        var it = lines.iterator();
        while (!it.next().startsWith("event: ready")) {
          // skip the retry line
        }
        a.hub()
            .channel("news/cluster")
            .publish("news", Map.of("n", 1))
            .toCompletableFuture()
            .join();
        String data = null;
        while (data == null) {
          String line = it.next();
          if (line.startsWith("data:") && line.contains("\"type\":\"message\"")) {
            data = line;
          }
        }
        assertThat(data).contains("\"channel\":\"news/cluster\"").contains("\"n\":1");
      }
    }
  }

  @Test
  void unreachableRedis_exitsWithCode2AndSaysWhy() throws Exception {
    int port = RedisServer.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                DemoServer.class.getName(),
                "--port",
                "0",
                "--redis",
                "redis://127.0.0.1:" + port)
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(output).isEqualTo(2);
      assertThat(output)
          .contains("push-examples: cannot reach Redis at redis://127.0.0.1:" + port)
          .contains("run without --redis")
          .doesNotContain("running at");
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void unreachableRedis_startFailsWithAClearMessageAndLeavesNothingRunning() throws IOException {
    int port = RedisServer.freePort();
    List<Thread> before = List.copyOf(Thread.getAllStackTraces().keySet());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DemoServer.start(new DemoOptions(0, "redis://127.0.0.1:" + port, false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot reach Redis at redis://127.0.0.1:" + port);
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> t.getName().startsWith("herald-demo"))
        .filteredOn(t -> !before.contains(t))
        .isEmpty();
  }
}
