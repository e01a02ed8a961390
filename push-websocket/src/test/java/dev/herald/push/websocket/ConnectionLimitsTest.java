package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hub's connection limits at the WebSocket handshake, on Jetty 12 and Tomcat 11: refused before
 * the upgrade with the status and {@code Retry-After} the HTTP transports answer, the node's cap
 * shared with them, the address the one a trusted proxy forwards.
 */
class ConnectionLimitsTest {
  private final List<PushHub> hubs = new ArrayList<>();
  private final List<AutoCloseable> open = new ArrayList<>();
  private TestServer server;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
    hubs.forEach(PushHub::close);
  }

  private PushHub hub(PushHub.Builder builder) {
    // A stream the client closed is noticed on the next write: heartbeats make one soon.
    PushHub hub = builder.heartbeatInterval(Duration.ofMillis(100)).build();
    hubs.add(hub);
    return hub;
  }

  private URI ws(String path) {
    return URI.create("ws://127.0.0.1:" + server.port() + path);
  }

  private TestSocket socket(String path, Map<String, String> headers) {
    TestSocket socket = TestSocket.open(ws(path), headers);
    open.add(socket);
    socket.next("ready");
    return socket;
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void nodeCap_isSharedWithTheHttpTransports_refusesTheHandshakeWith503_andAClosePlacesTheNext(
      TestServer.Kind kind) throws Exception {
    PushHub hub = hub(PushHub.builder().maxConnections(2));
    server =
        TestServer.start(
            kind,
            context -> {
              PushServlet.builder(hub).build().register(context, "/push/*");
              PushWebSocket.register(context, hub, "/push-ws");
            });
    TestSocket first = socket("/push-ws", Map.of());
    HttpResponse<InputStream> stream =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/push/stream?channel=a"))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    open.add(stream.body());
    assertThat(stream.statusCode()).isEqualTo(200);
    await().until(() -> hub.connectionCount() == 2);

    HttpResponse<?> refused = TestSocket.refused(ws("/push-ws"), Map.of());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(hub.stats().refused("node_full")).isEqualTo(1);

    first.close();
    await().until(() -> hub.connectionCount() == 1);
    socket("/push-ws", Map.of());
    assertThat(hub.connectionCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void addressCap_refusesTheHandshakeWith429_perForwardedAddressOnlyFromATrustedProxy(
      TestServer.Kind kind) throws Exception {
    // The tests' client connects from 127.0.0.1: a trusted proxy for one hub, not the other.
    PushHub proxied =
        hub(PushHub.builder().trustedProxies("127.0.0.1").maxConnectionsPerAddress(1));
    PushHub direct = hub(PushHub.builder().maxConnectionsPerAddress(1));
    server =
        TestServer.start(
            kind,
            context -> {
              PushWebSocket.register(context, proxied, "/proxied-ws");
              PushWebSocket.register(context, direct, "/direct-ws");
            });
    Map<String, String> five = Map.of("X-Forwarded-For", "203.0.113.5");
    Map<String, String> six = Map.of("X-Forwarded-For", "203.0.113.6");

    TestSocket first = socket("/proxied-ws", five);
    socket("/proxied-ws", six);
    HttpResponse<?> refused = TestSocket.refused(ws("/proxied-ws"), five);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(proxied.stats().refused("address_full")).isEqualTo(1);
    first.close();
    await().until(() -> proxied.connectionCount() == 1);
    socket("/proxied-ws", five);

    // From an untrusted peer the header is ignored: both are 127.0.0.1.
    TestSocket mine = socket("/direct-ws", five);
    assertThat(TestSocket.refusedStatus(ws("/direct-ws"), six)).isEqualTo(429);
    mine.close();
    await().until(() -> direct.connectionCount() == 0);
    socket("/direct-ws", six);
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void openRate_refusesHandshakesWith429AndRetryAfter_andAllowsAgainAfterRefill(
      TestServer.Kind kind) throws Exception {
    PushHub hub = hub(PushHub.builder().openRate(1, 2));
    server = TestServer.start(kind, context -> PushWebSocket.register(context, hub, "/push-ws"));
    socket("/push-ws", Map.of()).close();
    socket("/push-ws", Map.of()).close();

    HttpResponse<?> refused = TestSocket.refused(ws("/push-ws"), Map.of());
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(hub.stats().refused("open_rate")).isEqualTo(1);
    assertThat(hub.stats().transports().get("websocket").opened()).isEqualTo(2);

    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> opens(ws("/push-ws")));
  }

  /** Whether a handshake succeeds; the socket is closed at once. */
  private static boolean opens(URI uri) {
    try {
      TestSocket.open(uri).close();
      return true;
    } catch (AssertionError refused) {
      return false;
    }
  }
}
