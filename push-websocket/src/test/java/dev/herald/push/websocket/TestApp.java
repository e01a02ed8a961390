package dev.herald.push.websocket;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import dev.herald.push.PushHub;
import dev.herald.push.RejectedMessageException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

/**
 * The webapp the contract suites talk to: a few hubs, each mounted at one or more paths with the
 * options a test needs, on one running container. Thread-safe once started.
 *
 * <ul>
 *   <li>{@code /push/ws}: the main hub, default options. Tokens {@code t-alice} and {@code t-bob}
 *       name users ({@code t-øbb +/€} is {@code obb}); {@code private/NAME} channels admit only
 *       that user; {@code chat/*} takes client messages, refusing any whose data holds {@code
 *       "reject":true}.
 *   <li>{@code /origins/ws}: the main hub, also allowing {@code https://app.example.com}.
 *   <li>{@code /limited/ws}: the main hub, a burst of 5 frames and then almost nothing.
 *   <li>{@code /idle/ws}: the main hub, pinging every 100 ms, closing after 2 s of silence.
 *   <li>{@code /slow/ws}: a hub whose outboxes hold 256 KiB.
 *   <li>{@code /shutdown/ws}: a hub a test may close.
 *   <li>{@code /stall/ws}: a hub with 64 MiB outboxes; a write may wait 500 ms.
 *   <li>{@code /busy/ws}: the same hub, pinging every 100 ms, closing after 3 s of silence; a write
 *       may wait 20 s.
 * </ul>
 *
 * A request with an {@code X-Test-User} header arrives with that container principal.
 */
final class TestApp implements AutoCloseable {
  static final int LIMITED_BURST = 5;
  static final int LIMITED_REFUSALS = 4;

  final PushHub hub;
  final PushHub slowHub;
  final PushHub shutdownHub;
  final PushHub drainHub;
  final PushHub stallHub;
  volatile PushWebSocket main;
  volatile PushWebSocket slow;
  private final TestServer server;

  TestApp(TestServer.Kind kind) throws Exception {
    hub =
        PushHub.builder()
            // The suites open their sockets from 127.0.0.1, some a thousand in a row: the limits
            // have tests of their own (ConnectionLimitsTest).
            .noConnectionLimits()
            .authenticator(
                token ->
                    Map.of("t-alice", "alice", "t-bob", "bob", "t-\u00f8bb +/\u20ac", "obb")
                        .get(token))
            .authorizer(new PrivateChannels())
            .acceptClientMessages(
                "chat/*",
                message -> {
                  if (message.data().contains("\"reject\":true")) {
                    throw new RejectedMessageException("no rejects here");
                  }
                  return message;
                })
            .build();
    slowHub =
        PushHub.builder()
            .maxQueuedBytes(256 * 1024)
            .maxQueuedFrames(100_000)
            .acceptClientMessages("chat/*", m -> m)
            .build();
    shutdownHub = PushHub.builder().build();
    drainHub = PushHub.builder().build();
    stallHub = PushHub.builder().maxQueuedBytes(64 << 20).maxQueuedFrames(100_000).build();
    server = TestServer.start(kind, this::setUp);
  }

  private void setUp(ServletContext context) {
    Filter principals =
        (request, response, chain) -> {
          HttpServletRequest http = (HttpServletRequest) request;
          String user = http.getHeader("X-Test-User");
          chain.doFilter(user == null ? request : withPrincipal(http, user), response);
        };
    context
        .addFilter("test-principal", principals)
        .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");

    main = PushWebSocket.register(context, hub, "/push/ws");
    PushWebSocket.register(
        context,
        hub,
        "/origins/ws",
        PushWebSocketOptions.builder().allowedOrigins("https://app.example.com").build());
    PushWebSocket.register(
        context,
        hub,
        "/limited/ws",
        PushWebSocketOptions.builder()
            .frameBurst(LIMITED_BURST)
            .maxFrameRate(0.001)
            .maxRateLimitedFrames(LIMITED_REFUSALS)
            .build());
    PushWebSocket.register(
        context,
        hub,
        "/idle/ws",
        PushWebSocketOptions.builder()
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofSeconds(2))
            .build());
    slow = PushWebSocket.register(context, slowHub, "/slow/ws");
    PushWebSocket.register(context, shutdownHub, "/shutdown/ws");
    PushWebSocket.register(context, drainHub, "/drain/ws");
    PushWebSocket.register(
        context,
        stallHub,
        "/stall/ws",
        PushWebSocketOptions.builder()
            .sendTimeout(Duration.ofMillis(500))
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofSeconds(30))
            .build());
    PushWebSocket.register(
        context,
        stallHub,
        "/busy/ws",
        PushWebSocketOptions.builder()
            .sendTimeout(Duration.ofSeconds(20))
            .pingInterval(Duration.ofMillis(100))
            .idleTimeout(Duration.ofSeconds(3))
            .build());
  }

  private static HttpServletRequest withPrincipal(HttpServletRequest request, String user) {
    return new HttpServletRequestWrapper(request) {
      @Override
      public Principal getUserPrincipal() {
        return () -> user;
      }
    };
  }

  int port() {
    return server.port();
  }

  /** The WebSocket URI of a path on this server. */
  URI ws(String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
  }

  /** The server's own origin, as a browser page loaded from it would send. */
  String sameOrigin() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    // As an application would: its hubs close first (every socket gets server_shutdown), then the
    // container stops.
    try {
      hub.close();
      slowHub.close();
      shutdownHub.close();
      drainHub.close();
      stallHub.close();
    } finally {
      server.close();
    }
  }

  /** {@code private/NAME} admits only the user NAME; everything else is open. */
  private static final class PrivateChannels implements Authorizer {
    @Override
    public boolean canSubscribe(Client client, String channel) {
      return !channel.startsWith("private/") || channel.equals("private/" + client.user());
    }

    @Override
    public boolean canPublish(Client client, String channel) {
      return true;
    }
  }
}
