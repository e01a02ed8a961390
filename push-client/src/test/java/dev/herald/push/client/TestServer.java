package dev.herald.push.client;

import static org.awaitility.Awaitility.await;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocket;
import dev.herald.push.websocket.PushWebSocketOptions;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 ee10 on 127.0.0.1 and a free port, with Herald mounted as an application would
 * mount it:
 *
 * <ul>
 *   <li>{@code /push/*} and {@code /push/ws}: the main hub, keeping {@value #MAIN_HISTORY} messages
 *       per channel. Clients may publish to {@code chat/*}; token {@value #TOKEN} is user {@code
 *       alice}, and only she may subscribe to {@code private/*}. Messages to {@code chat/live/*}
 *       are ephemeral unless the publish says otherwise.
 *   <li>{@code /small/*} and {@code /small/ws}: a hub whose history keeps {@value #SMALL_HISTORY}
 *       messages per channel, to provoke resets.
 *   <li>{@code /nows/*}: the main hub's HTTP transports without a WebSocket endpoint, to make a
 *       client fall back.
 *   <li>{@code /limited/*} and {@code /limited/ws}: a hub that takes one connection per client
 *       address, to have connections refused with {@code 429 rate_limited}.
 * </ul>
 *
 * {@link #dropConnections()} stops the connector, which closes every connection from the server's
 * side and refuses new ones until {@link #restoreConnections()}.
 */
final class TestServer {
  static final String TOKEN = "alice-token";
  static final int SMALL_HISTORY = 5;
  static final int MAIN_HISTORY = 10_000;

  private static final AtomicInteger CHANNELS = new AtomicInteger();

  final PushHub hub;
  final PushHub small;
  final PushHub limited;
  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);
  private final int port;

  TestServer() throws Exception {
    hub =
        PushHub.builder()
            .broker(InMemoryBroker.builder().historySize(MAIN_HISTORY).build())
            .heartbeatInterval(Duration.ofMillis(500))
            .authenticator(token -> TOKEN.equals(token) ? "alice" : null)
            .authorizer(
                new Authorizer() {
                  @Override
                  public boolean canSubscribe(Client client, String channel) {
                    return !channel.startsWith("private/") || "alice".equals(client.user());
                  }

                  @Override
                  public boolean canPublish(Client client, String channel) {
                    return true;
                  }
                })
            .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
            .ephemeralChannels("chat/live/*")
            .build();
    small =
        PushHub.builder()
            .broker(InMemoryBroker.builder().historySize(SMALL_HISTORY).build())
            .heartbeatInterval(Duration.ofMillis(500))
            .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
            .build();
    limited =
        PushHub.builder()
            .heartbeatInterval(Duration.ofMillis(500))
            .maxConnectionsPerAddress(1)
            .build();
    connector.setHost("127.0.0.1");
    connector.setPort(portBelowEphemeralRange());
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    JakartaWebSocketServletContainerInitializer.configure(
        context, (servletContext, container) -> mount(servletContext));
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  private void mount(ServletContext context) {
    PushWebSocketOptions ws = PushWebSocketOptions.builder().build();
    PushServlet.builder(hub)
        .pollTimeout(Duration.ofSeconds(5))
        .build()
        .register(context, "/push/*");
    PushWebSocket.register(context, hub, "/push/ws", ws);
    PushServlet.builder(small)
        .pollTimeout(Duration.ofSeconds(5))
        .build()
        .register(context, "/small/*");
    PushWebSocket.register(context, small, "/small/ws", ws);
    PushServlet.builder(hub).build().register(context, "/nows/*");
    PushServlet.builder(limited)
        .pollTimeout(Duration.ofSeconds(1))
        .build()
        .register(context, "/limited/*");
    PushWebSocket.register(context, limited, "/limited/ws", ws);
  }

  /**
   * A free port below the kernel's ephemeral range. On a port inside it, a client that keeps
   * reconnecting while the connector is stopped can connect to itself (TCP simultaneous open from
   * source port = destination port), which then holds the port and makes the restart fail.
   */
  private static int portBelowEphemeralRange() throws IOException {
    int low = 32768;
    try {
      String range =
          Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      low = Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      // Not Linux: assume the IANA range starts at 49152, Linux's default at 32768.
    }
    int span = Math.max(1, low - 10_000);
    int start = 10_000 + ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = 10_000 + (start - 10_000 + i) % span;
      try (ServerSocket probe = new ServerSocket()) {
        probe.setReuseAddress(true);
        probe.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // Try the next one.
      }
    }
    throw new IOException("no free port between 10000 and " + low);
  }

  /** The base URI of a mount: {@code push}, {@code small}, {@code nows} or {@code limited}. */
  URI base(String mount) {
    return URI.create("http://127.0.0.1:" + port + "/" + mount);
  }

  /** A channel name no other test uses. */
  static String channel(String prefix) {
    return prefix + "/c" + CHANNELS.incrementAndGet();
  }

  /** Publishes from the server side and waits until the message is stored. */
  static Message publish(PushHub hub, String channel, String event, String json) {
    return hub.channel(channel).publishJson(event, json).toCompletableFuture().join();
  }

  /** Closes every connection from the server's side and refuses new ones. */
  void dropConnections() throws Exception {
    connector.stop();
    for (EndPoint endPoint : connector.getConnectedEndPoints()) {
      endPoint.close();
    }
  }

  /** Accepts connections again, on the same port. */
  void restoreConnections() {
    connector.setPort(port);
    // The stopped listener can hold the port for a moment after stop() returns.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(
            () -> {
              connector.start();
              return true;
            });
  }

  /** Stops the server and the hubs. */
  void close() throws Exception {
    try {
      server.stop();
    } finally {
      hub.close();
      small.close();
      limited.close();
    }
  }
}
