package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SocketSink} on real containers: Jetty takes the one-write-per-batch path, Tomcat the
 * portable one, and on both a batch arrives whole, in order and byte for byte.
 */
class SocketSinkContainerTest {
  private static final CompletableFuture<Session> SESSION = new CompletableFuture<>();
  private final ExecutorService closer = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    closer.shutdownNow();
  }

  /** Hands the test its server-side session. */
  public static final class Capture extends Endpoint {
    @Override
    public void onOpen(Session session, EndpointConfig config) {
      SESSION.obtrudeValue(session);
    }
  }

  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void batchArrivesWholeAndInOrder(TestServer.Kind kind) throws Exception {
    SESSION.obtrudeValue(null);
    try (TestServer server =
            TestServer.start(
                kind,
                context -> {
                  // Tomcat maps a request to a servlet before its upgrade filter runs.
                  context
                      .addServlet("sink", new jakarta.servlet.http.HttpServlet() {})
                      .addMapping("/sink");
                  try {
                    ((ServerContainer) context.getAttribute(ServerContainer.class.getName()))
                        .addEndpoint(
                            ServerEndpointConfig.Builder.create(Capture.class, "/sink").build());
                  } catch (jakarta.websocket.DeploymentException e) {
                    throw new IllegalStateException(e);
                  }
                });
        RawSocket client = new RawSocket(server.port(), "/sink")) {
      Session session = awaitSession();
      SocketSink sink = new SocketSink(session, closer);
      assertThat(sink.writesBatches()).isEqualTo(kind == TestServer.Kind.JETTY);

      List<Frame> batch = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // Non-ASCII text and a frame over 125 bytes check that the bytes go out unchanged.
        String text =
            "{\"n\":" + i + ",\"text\":\"héllo ☃ " + "x".repeat(i % 3 == 0 ? 200 : 1) + "\"}";
        texts.add(text);
        batch.add(
            new Frame(Frame.Type.MESSAGE, null, text.getBytes(StandardCharsets.UTF_8), null, null));
      }
      CompletableFuture<Void> written = new CompletableFuture<>();
      sink.write(
          batch,
          new FrameSink.WriteCallback() {
            @Override
            public void succeeded() {
              written.complete(null);
            }

            @Override
            public void failed(Throwable cause) {
              written.completeExceptionally(cause);
            }
          });
      written.get(10, TimeUnit.SECONDS);
      for (String text : texts) {
        RawSocket.ServerFrame frame = client.read();
        assertThat(frame.opcode()).isEqualTo(1);
        assertThat(frame.text()).isEqualTo(text);
      }
    }
  }

  private static Session awaitSession() {
    await().atMost(Duration.ofSeconds(10)).until(() -> SESSION.getNow(null) != null);
    return SESSION.getNow(null);
  }
}
