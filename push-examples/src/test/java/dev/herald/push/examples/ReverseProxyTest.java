package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Message;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.HeraldListener;
import dev.herald.push.client.Transport;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The demo behind a real nginx that terminates TLS, configured as docs/deployment.md says, reached
 * over {@code https} and {@code wss} with push-client and the JDK's HTTP client: every transport
 * delivers live through the proxy (long before a heartbeat could push a buffered message out),
 * accepts the page's own origin through the forwarded headers of a trusted proxy, refuses a foreign
 * one, and resumes by cursor, without loss or duplicate, after the proxy cut every connection.
 */
class ReverseProxyTest {
  /** Long enough that only unbuffered delivery can bring a message within {@link #PROMPTLY}. */
  private static final Duration HEARTBEAT = Duration.ofSeconds(30);

  private static final Duration PROMPTLY = Duration.ofSeconds(5);
  private static final AtomicInteger CHANNELS = new AtomicInteger();

  private static Nginx nginx;
  private static DemoServer demo;
  private static HttpClient https;

  @BeforeAll
  static void start() throws Exception {
    demo =
        DemoServer.start(
            new DemoOptions(0, null, false),
            hub -> hub.heartbeatInterval(HEARTBEAT).trustedProxies("127.0.0.1"),
            context -> {});
    try {
      nginx = Nginx.start(demo.port());
    } catch (Throwable e) {
      demo.close();
      throw e;
    }
    https =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(nginx.sslContext())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
      if (demo != null) {
        demo.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void liveDelivery_throughTheProxy_arrivesLongBeforeTheNextHeartbeat(Transport transport)
      throws Exception {
    String channel = "proxy/live" + CHANNELS.incrementAndGet();
    List<String> received = new CopyOnWriteArrayList<>();
    try (HeraldClient client = client(transport)) {
      client.subscribe(channel, message -> received.add(text(message)));
      awaitSubscribed(channel);

      demo.hub().channel(channel).publish("tick", Map.of("n", 1));

      await().atMost(PROMPTLY).until(() -> received.contains("1"));
      assertThat(client.transport()).isEqualTo(transport);
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void sameOrigin_isAccepted_throughTheForwardedHeaders(Transport transport) throws Exception {
    assertThat(status(transport, nginx.origin()))
        .isEqualTo(transport == Transport.WEBSOCKET ? 101 : 200);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void foreignOrigin_isRefusedWith403(Transport transport) throws Exception {
    assertThat(status(transport, "https://evil.example")).isEqualTo(403);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void resume_afterTheProxyCutEveryConnection_losesAndRepeatsNothing(Transport transport)
      throws Exception {
    String channel = "proxy/cut" + CHANNELS.incrementAndGet();
    List<String> received = new CopyOnWriteArrayList<>();
    AtomicInteger opens = new AtomicInteger();
    try (HeraldClient client =
        client(
            transport,
            new HeraldListener() {
              @Override
              public void onOpen(Transport t) {
                opens.incrementAndGet();
              }
            })) {
      client.subscribe(channel, message -> received.add(text(message)));
      awaitSubscribed(channel);
      publish(channel, 1, 3);
      await().atMost(PROMPTLY).until(() -> received.size() == 3);
      int opensBefore = opens.get();

      nginx.stop();
      publish(channel, 4, 6); // while the proxy is down: only the history has them
      nginx.start();

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> received.size() >= 6 && opens.get() > opensBefore);
      publish(channel, 7, 7);
      await().atMost(PROMPTLY).until(() -> received.size() >= 7);

      assertThat(received)
          .containsExactlyElementsOf(
              IntStream.rangeClosed(1, 7).mapToObj(String::valueOf).toList());
    }
  }

  // ---- helpers

  private static HeraldClient client(Transport transport) {
    return client(transport, new HeraldListener() {});
  }

  private static HeraldClient client(Transport transport, HeraldListener listener) {
    return HeraldClient.builder(URI.create(nginx.origin() + "/push"))
        .transports(transport)
        .httpClient(https)
        .listener(listener)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(500))
        .idleTimeout(HEARTBEAT.multipliedBy(3))
        .pollTimeout(Duration.ofSeconds(20))
        .build();
  }

  private static void awaitSubscribed(String channel) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> demo.hub().channel(channel).subscriberCount() == 1);
  }

  private static void publish(String channel, int from, int to) {
    for (int n = from; n <= to; n++) {
      demo.hub().channel(channel).publish("tick", Map.of("n", n)).toCompletableFuture().join();
    }
  }

  private static String text(Message message) {
    return message.data().replaceAll("\\D", "");
  }

  /** The status of a connect on one transport with this {@code Origin}, through the proxy. */
  private static int status(Transport transport, String origin) throws Exception {
    String channel = "proxy/origin" + CHANNELS.incrementAndGet();
    if (transport == Transport.WEBSOCKET) {
      try {
        WebSocket socket =
            https
                .newWebSocketBuilder()
                .header("Origin", origin)
                .buildAsync(
                    URI.create("wss://localhost:" + nginx.port() + "/push/ws"),
                    new WebSocket.Listener() {})
                .get(10, TimeUnit.SECONDS);
        socket.abort();
        return 101;
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof WebSocketHandshakeException refused) {
          return refused.getResponse().statusCode();
        }
        throw e;
      }
    }
    String path =
        switch (transport) {
          case SSE -> "/push/sse?channel=" + channel;
          case STREAM -> "/push/stream?channel=" + channel;
          case POLL -> "/push/poll?channel=" + channel + "&timeout=1";
          case WEBSOCKET -> throw new IllegalStateException();
        };
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(nginx.origin() + path))
            .header("Origin", origin)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    HttpResponse<InputStream> response =
        https.send(request, HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    return response.statusCode();
  }
}
