package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.PushHub;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hub's connection limits as the HTTP transports answer them: the node's cap with {@code 503},
 * the address's cap and open rate with {@code 429}, both with {@code Retry-After}; SSE with a
 * {@code 200} and a closing {@code error} event instead, as when draining.
 */
class ConnectionLimitsTest {

  static Stream<Arguments> containers() {
    return Stream.of(
        Arguments.of("jetty", (TestServer.Container) TestServer::startJetty),
        Arguments.of("tomcat", (TestServer.Container) TestServer::startTomcat));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void nodeCap_refusesEveryTransportWith503AndRetryAfter_aHeldPollCounts_andAClosePlacesTheNext(
      String name, TestServer.Container container) throws Exception {
    PushHub hub =
        PushHub.builder().heartbeatInterval(Duration.ofHours(1)).maxConnections(2).build();
    TestServer.Running running =
        container.start(
            (classes, context) -> PushServlet.builder(hub).build().register(context, "/push/*"));
    try {
      TestServer server = TestServer.at(running.port());
      String cursor =
          Http.json(Http.get(server, "/push/poll?channel=a&timeout=0").body())
              .get("cursor")
              .asText();
      try (SseClient sse = SseClient.open(server, "/push/sse?channel=a")) {
        sse.ready();
        // A long poll holds a connection while it waits.
        CompletableFuture<HttpResponse<String>> held =
            server.http.sendAsync(
                HttpRequest.newBuilder(
                        server.uri("/push/poll?channel=a&timeout=20&since=" + Http.enc(cursor)))
                    .timeout(SseClient.WAIT)
                    .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        await().until(() -> hub.connectionCount() == 2);

        HttpResponse<String> stream = Http.get(server, "/push/stream?channel=a");
        Http.assertError(stream, 503, "unavailable");
        assertThat(stream.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(stream.headers().firstValue("Access-Control-Expose-Headers"))
            .hasValue("Retry-After");
        HttpResponse<String> poll =
            Http.get(server, "/push/poll?channel=a&timeout=0&since=" + Http.enc(cursor));
        Http.assertError(poll, 503, "unavailable");
        assertThat(poll.headers().firstValue("Retry-After")).hasValue("2");
        // EventSource gives up for good on any status but 200: told to come back instead.
        try (SseClient late = SseClient.open(server, "/push/sse?channel=a")) {
          assertThat(late.response.statusCode()).isEqualTo(200);
          JsonNode refused = late.next("error").json();
          assertThat(refused.get("code").asText()).isEqualTo("unavailable");
          assertThat(refused.get("retry").asLong()).isEqualTo(2000);
          assertThat(late.retry()).isEqualTo("2000");
          await().until(late::ended);
        }
        assertThat(hub.stats().refused("node_full")).isEqualTo(3);
        assertThat(hub.connectionCount()).isEqualTo(2);

        // The held poll is answered by a message and gives its place back.
        Http.publish(hub, "a", "e", "1");
        assertThat(held.get().statusCode()).isEqualTo(200);
        await().until(() -> hub.connectionCount() == 1);
        try (NdjsonClient next = NdjsonClient.open(server, "/push/stream?channel=a")) {
          assertThat(next.nextFrame().get("type").asText()).isEqualTo("ready");
        }
      }
    } finally {
      running.stopper().close();
      hub.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void addressCap_refusesWith429_countsForwardedAddressesOnlyFromATrustedProxy_andFreesOnClose(
      String name, TestServer.Container container) throws Exception {
    // The tests' client connects from 127.0.0.1: a trusted proxy for one hub, not the other. A
    // stream the client closed is noticed on the next write: heartbeats make one soon.
    PushHub behindProxy =
        PushHub.builder()
            .heartbeatInterval(Duration.ofMillis(100))
            .trustedProxies("127.0.0.1")
            .maxConnectionsPerAddress(1)
            .build();
    PushHub direct =
        PushHub.builder()
            .heartbeatInterval(Duration.ofMillis(100))
            .maxConnectionsPerAddress(1)
            .build();
    TestServer.Running running =
        container.start(
            (classes, context) -> {
              PushServlet.builder(behindProxy).build().register(context, "/proxied/*");
              PushServlet.builder(direct).build().register(context, "/direct/*");
            });
    try {
      TestServer server = TestServer.at(running.port());
      try (NdjsonClient first =
              NdjsonClient.open(
                  server, "/proxied/stream?channel=a", "X-Forwarded-For", "203.0.113.5");
          NdjsonClient other =
              NdjsonClient.open(
                  server, "/proxied/stream?channel=a", "X-Forwarded-For", "203.0.113.6")) {
        first.nextFrame();
        other.nextFrame();
        HttpResponse<String> again =
            Http.get(server, "/proxied/stream?channel=a", "X-Forwarded-For", "203.0.113.5");
        Http.assertError(again, 429, "rate_limited");
        assertThat(again.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(again.headers().firstValue("Access-Control-Expose-Headers"))
            .hasValue("Retry-After");
        // A proxy appends: the client's own claim on the left does not count.
        Http.assertError(
            Http.get(
                server,
                "/proxied/poll?channel=a&timeout=0",
                "X-Forwarded-For",
                "198.51.100.1, 203.0.113.5"),
            429,
            "rate_limited");
        assertThat(behindProxy.stats().refused("address_full")).isEqualTo(2);
      }
      await().until(() -> behindProxy.connectionCount() == 0);
      assertThat(
              Http.get(
                      server, "/proxied/poll?channel=a&timeout=0", "X-Forwarded-For", "203.0.113.5")
                  .statusCode())
          .isEqualTo(200);

      // From an untrusted peer the header is ignored: both are 127.0.0.1.
      try (SseClient first =
          SseClient.open(server, "/direct/sse?channel=a", "X-Forwarded-For", "203.0.113.5")) {
        first.ready();
        try (SseClient second =
            SseClient.open(server, "/direct/sse?channel=a", "X-Forwarded-For", "203.0.113.6")) {
          assertThat(second.response.statusCode()).isEqualTo(200);
          JsonNode refused = second.next("error").json();
          assertThat(refused.get("code").asText()).isEqualTo("rate_limited");
          assertThat(refused.get("retry").asLong()).isEqualTo(2000);
          await().until(second::ended);
        }
        Http.assertError(
            Http.get(server, "/direct/stream?channel=a", "X-Forwarded-For", "203.0.113.7"),
            429,
            "rate_limited");
      }
      // Closing the stream frees the allowance.
      await().until(() -> direct.connectionCount() == 0);
      try (SseClient again = SseClient.open(server, "/direct/sse?channel=a")) {
        again.ready();
      }
    } finally {
      running.stopper().close();
      behindProxy.close();
      direct.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void openRate_refusesWith429AndRetryAfter_sparesPollsWithACursor_andAllowsAgainAfterRefill(
      String name, TestServer.Container container) throws Exception {
    PushHub hub = PushHub.builder().heartbeatInterval(Duration.ofHours(1)).openRate(1, 2).build();
    TestServer.Running running =
        container.start(
            (classes, context) -> PushServlet.builder(hub).build().register(context, "/push/*"));
    try {
      TestServer server = TestServer.at(running.port());
      HttpResponse<String> first = Http.get(server, "/push/poll?channel=a&timeout=0");
      assertThat(first.statusCode()).isEqualTo(200);
      String cursor = Http.json(first.body()).get("cursor").asText();
      try (NdjsonClient stream = NdjsonClient.open(server, "/push/stream?channel=a")) {
        stream.nextFrame();
      }
      HttpResponse<String> refused = Http.get(server, "/push/poll?channel=a&timeout=0");
      Http.assertError(refused, 429, "rate_limited");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      Http.assertError(Http.get(server, "/push/stream?channel=a"), 429, "rate_limited");

      // A poll loop is never refused for its pace.
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> loop =
            Http.get(server, "/push/poll?channel=a&timeout=0&since=" + Http.enc(cursor));
        assertThat(loop.statusCode()).as(loop.body()).isEqualTo(200);
        cursor = Http.json(loop.body()).get("cursor").asText();
      }
      assertThat(hub.stats().refused("open_rate")).isEqualTo(2);

      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> Http.get(server, "/push/poll?channel=a&timeout=0").statusCode() == 200);
    } finally {
      running.stopper().close();
      hub.close();
    }
  }
}
