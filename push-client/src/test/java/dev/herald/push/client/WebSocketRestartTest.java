package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Cursor;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A draining node over WebSocket, scripted on Jetty: the first socket gets a message, then the
 * {@code server_restart} error frame with its {@code retry} hint, then close 1012; the next one a
 * second message. The client's own backoff is a minute, so only the hint brings it back in time;
 * the restart reaches the listener as a close, not as an error.
 */
class WebSocketRestartTest {
  private static final String EMPTY = Cursor.empty().encode();
  private static final AtomicInteger SOCKETS = new AtomicInteger();

  private Server server;
  private HeraldClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private static String message(long offset) {
    return "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":"
        + offset
        + ",\"epoch\":\"E1\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":"
        + offset
        + "}";
  }

  /** Answers each subscribe; the first socket then restarts, later ones stay. */
  public static final class DrainingEndpoint extends Endpoint {
    @Override
    public void onOpen(Session session, EndpointConfig config) {
      int n = SOCKETS.incrementAndGet();
      session.addMessageHandler(
          String.class,
          (MessageHandler.Whole<String>)
              text -> {
                if (!text.contains("\"subscribe\"")) {
                  return;
                }
                try {
                  session
                      .getBasicRemote()
                      .sendText(
                          "{\"type\":\"subscribed\",\"channel\":\"a\",\"epoch\":\"E1\",\"offset\":"
                              + (n - 1)
                              + "}");
                  session.getBasicRemote().sendText(message(n));
                  if (n == 1) {
                    session
                        .getBasicRemote()
                        .sendText(
                            "{\"type\":\"error\",\"code\":\"server_restart\","
                                + "\"message\":\"draining\",\"retry\":300}");
                    session.close(
                        new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "server_restart"));
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      try {
        session
            .getBasicRemote()
            .sendText(
                "{\"type\":\"ready\",\"clientId\":\"c" + n + "\",\"cursor\":\"" + EMPTY + "\"}");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private URI start() throws Exception {
    SOCKETS.set(0);
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) ->
            container.addEndpoint(
                ServerEndpointConfig.Builder.create(DrainingEndpoint.class, "/push/ws").build()));
    server.setHandler(context);
    server.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/push");
  }

  @Test
  void serverRestart_reconnectsWithinTheHint_resumes_andIsACloseNotAnError() throws Exception {
    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(start())
            .transports(Transport.WEBSOCKET, Transport.SSE)
            .listener(recorder)
            .reconnect(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .build();
    client.subscribe("a", recorder.handler());

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(recorder.offsets("a")).containsExactly(1L, 2L));

    assertThat(SOCKETS.get()).isEqualTo(2);
    assertThat(recorder.errors).isEmpty();
    assertThat(recorder.events)
        .containsExactly(
            "transport:WEBSOCKET",
            "open:WEBSOCKET",
            "close:WEBSOCKET:server_restart",
            "open:WEBSOCKET");
    assertThat(client.transport()).isEqualTo(Transport.WEBSOCKET);
  }
}
