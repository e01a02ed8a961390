package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.PushHub;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code GET …/health} and what the HTTP transports do while the hub drains. */
class DrainAndHealthTest {

  static Stream<Arguments> containers() {
    return Stream.of(
        Arguments.of("jetty", (TestServer.Container) TestServer::startJetty),
        Arguments.of("tomcat", (TestServer.Container) TestServer::startTomcat));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void drain_endsStreamsWithARestartHint_refusesNewOnesWith503_andHealthTurnsDown(
      String name, TestServer.Container container) throws Exception {
    PushHub hub =
        PushHub.builder()
            .heartbeatInterval(Duration.ofHours(1))
            .acceptClientMessages("a", message -> message)
            .build();
    TestServer.Running running =
        container.start(
            (classes, context) -> {
              PushServlet.builder(hub).healthEndpoint(true).build().register(context, "/push/*");
              PushServlet.builder(hub).build().register(context, "/quiet/*");
            });
    try {
      TestServer server = TestServer.at(running.port());
      HttpResponse<String> up = Http.get(server, "/push/health");
      assertThat(up.statusCode()).isEqualTo(200);
      JsonNode health = Http.json(up.body());
      assertThat(health.get("status").asText()).isEqualTo("UP");
      assertThat(health.get("ready").asBoolean()).isTrue();
      assertThat(health.get("broker").get("status").asText()).isEqualTo("UP");
      assertThat(up.headers().firstValue("Cache-Control")).hasValue("no-store");
      // Off unless asked for.
      Http.assertError(Http.get(server, "/quiet/health"), 404, "not_found");

      try (SseClient sse = SseClient.open(server, "/push/sse?channel=a");
          NdjsonClient stream = NdjsonClient.open(server, "/push/stream?channel=a")) {
        sse.ready();
        stream.nextFrame();
        await().until(() -> hub.connectionCount() == 2);
        assertThat(Http.json(Http.get(server, "/push/health").body()).get("connections").asInt())
            .isEqualTo(2);

        assertThat(hub.drain(Duration.ofMillis(200)).toCompletableFuture().join()).isEqualTo(2);

        SseClient.Event error = sse.next("error");
        assertThat(error.json().get("code").asText()).isEqualTo("server_restart");
        assertThat(error.json().get("retry").asLong()).isBetween(100L, 1000L);
        assertThat(sse.retry()).isEqualTo(error.json().get("retry").asText());
        await().until(sse::ended);
        JsonNode last = stream.nextFrame();
        assertThat(last.get("code").asText()).isEqualTo("server_restart");
        assertThat(last.get("retry").asLong()).isPositive();
      }

      HttpResponse<String> down = Http.get(server, "/push/health");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(Http.json(down.body()).get("status").asText()).isEqualTo("DOWN");
      assertThat(Http.json(down.body()).get("draining").asBoolean()).isTrue();

      HttpResponse<String> stream = Http.get(server, "/push/stream?channel=a");
      Http.assertError(stream, 503, "unavailable");
      assertThat(stream.headers().firstValue("Retry-After")).hasValue("2");
      HttpResponse<String> poll = Http.get(server, "/push/poll?channel=a");
      Http.assertError(poll, 503, "unavailable");
      assertThat(poll.headers().firstValue("Retry-After")).hasValue("2");
      // EventSource gives up for good on any status but 200: told to come back instead.
      try (SseClient late = SseClient.open(server, "/push/sse?channel=a")) {
        assertThat(late.response.statusCode()).isEqualTo(200);
        JsonNode refused = late.next("error").json();
        assertThat(refused.get("code").asText()).isEqualTo("server_restart");
        assertThat(late.retry()).isEqualTo("2000");
        await().until(late::ended);
      }
      // Publishing still works while draining.
      HttpResponse<String> published =
          Http.post(
              server,
              "/push/publish",
              "application/json",
              "{\"channel\":\"a\",\"event\":\"e\",\"data\":1}");
      assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
    } finally {
      running.stopper().close();
      hub.close();
    }
  }
}
