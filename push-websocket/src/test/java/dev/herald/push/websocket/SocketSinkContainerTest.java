package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SocketSink} on real containers: Jetty takes the one-write-per-batch path (straight to the
 * connection's frame queue unless an extension was negotiated), Tomcat the portable one, and on
 * both a batch arrives whole, in order and byte for byte.
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
    try (TestServer server = startCapture(kind);
        RawSocket client = new RawSocket(server.port(), "/sink")) {
      Session session = awaitSession();
      SocketSink sink = new SocketSink(session, closer);
      assertThat(sink.writesBatches()).isEqualTo(kind == TestServer.Kind.JETTY);
      assertThat(sink.writesToConnection()).isEqualTo(kind == TestServer.Kind.JETTY);

      List<Frame> batch = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // Non-ASCII text and a frame over 125 bytes check that the bytes go out unchanged.
        String text =
            "{\"n\":" + i + ",\"text\":\"héllo ☃ " + "x".repeat(i % 3 == 0 ? 200 : 1) + "\"}";
        texts.add(text);
        batch.add(message(text));
      }
      CompletableFuture<Void> written = write(sink, batch);
      written.get(10, TimeUnit.SECONDS);
      for (String text : texts) {
        RawSocket.ServerFrame frame = client.read();
        assertThat(frame.opcode()).isEqualTo(1);
        assertThat(frame.text()).isEqualTo(text);
      }
    }
  }

  /**
   * A client that asked for {@code permessage-deflate} gets it: on Jetty its frames keep the
   * session's path, through the extension, and arrive compressed (RSV1) and whole.
   */
  @ParameterizedTest
  @EnumSource(TestServer.Kind.class)
  void compressedSessionKeepsItsExtension(TestServer.Kind kind) throws Exception {
    SESSION.obtrudeValue(null);
    try (TestServer server = startCapture(kind);
        RawSocket client = new RawSocket(server.port(), "/sink", 0, "permessage-deflate")) {
      assertThat(client.head()).containsIgnoringCase("permessage-deflate");
      SocketSink sink = new SocketSink(awaitSession(), closer);
      assertThat(sink.writesBatches()).isEqualTo(kind == TestServer.Kind.JETTY);
      assertThat(sink.writesToConnection()).isFalse();

      List<Frame> batch = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        String text = "{\"n\":" + i + ",\"text\":\"héllo ☃ " + "x".repeat(i * 7) + "\"}";
        texts.add(text);
        batch.add(message(text));
      }
      write(sink, batch).get(10, TimeUnit.SECONDS);
      Inflater inflater = new Inflater(true);
      for (String text : texts) {
        RawSocket.ServerFrame frame = client.read();
        assertThat(frame.opcode()).isEqualTo(1);
        assertThat(frame.rsv1()).isTrue();
        assertThat(inflate(inflater, frame.payload())).isEqualTo(text);
      }
    }
  }

  /**
   * On Jetty a ping goes into the frame queue the data frames use. Written to the connection, the
   * opening ping overtakes the data frames still waiting there: it arrives whole, between whole
   * data frames, while a batch far larger than the socket's buffers is still being written. Through
   * the session's extension (compressed), it waits behind them, as the session's queue keeps its
   * order. The ping interval's next ping, no write in flight by then, follows on both.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void pingsTakeTheDataFramesQueueOnJetty(boolean deflate) throws Exception {
    SESSION.obtrudeValue(null);
    try (TestServer server = startCapture(TestServer.Kind.JETTY);
        RawSocket client =
            deflate
                ? new RawSocket(server.port(), "/sink", 0, "permessage-deflate")
                : new RawSocket(server.port(), "/sink")) {
      SocketSink sink = new SocketSink(awaitSession(), closer);
      assertThat(sink.writesToConnection()).isEqualTo(!deflate);

      // 16 MB of random text over 64 letters: deflated, still about 12 MB, well past what the
      // socket's buffers take (a few MB on loopback) while the client does not read.
      String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      Random random = new Random(16);
      List<Frame> batch = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        StringBuilder text = new StringBuilder("{\"n\":" + i + ",\"text\":\"");
        for (int c = 0; c < 8_000; c++) {
          text.append(letters.charAt(random.nextInt(letters.length())));
        }
        texts.add(text.append("\"}").toString());
        batch.add(message(texts.get(i)));
      }
      // The client does not read yet: the write is still in flight when it returns.
      CompletableFuture<Void> written = write(sink, batch);
      assertThat(written).isNotDone();

      Inflater inflater = new Inflater(true);
      List<Integer> pingsAfter = new ArrayList<>();
      int next = 0;
      while (next < texts.size()) {
        RawSocket.ServerFrame frame = client.read();
        if (frame.opcode() == 0x9) {
          assertPing(frame);
          pingsAfter.add(next);
          continue;
        }
        assertThat(frame.opcode()).isEqualTo(1);
        String text =
            deflate
                ? inflate(inflater, frame.payload())
                : new String(frame.payload(), StandardCharsets.UTF_8);
        assertThat(text).isEqualTo(texts.get(next++));
      }
      written.get(10, TimeUnit.SECONDS);
      if (deflate) {
        assertThat(pingsAfter).isEmpty();
        assertPing(client.read());
      } else {
        assertThat(pingsAfter).hasSize(1);
        assertThat(pingsAfter.get(0)).isBetween(1, texts.size() - 1);
      }

      sink.ping();
      assertPing(client.read());
    }
  }

  /**
   * On Jetty, a write after the session's close frame fails at once: the connection's frame queue,
   * which now takes the data frames without the session's checks, sends nothing after a close
   * (Jetty closes a session by itself on a client's close, an idle timeout or a protocol error).
   */
  @Test
  void writeAfterCloseFailsOnJetty() throws Exception {
    SESSION.obtrudeValue(null);
    try (TestServer server = startCapture(TestServer.Kind.JETTY);
        RawSocket client = new RawSocket(server.port(), "/sink")) {
      Session session = awaitSession();
      SocketSink sink = new SocketSink(session, closer);
      assertThat(sink.writesToConnection()).isTrue();
      closer.execute(
          () -> {
            try {
              session.close(
                  new jakarta.websocket.CloseReason(
                      jakarta.websocket.CloseReason.CloseCodes.NORMAL_CLOSURE, "bye"));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      RawSocket.ServerFrame close = client.read();
      assertThat(close.opcode()).isEqualTo(8);
      assertThat(close.closeCode()).isEqualTo(1000);

      CompletableFuture<Void> written = write(sink, List.of(message("{\"late\":true}")));
      assertThatThrownBy(() -> written.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);
    }
  }

  /** A message frame of the text, as the hub hands it to a sink. */
  private static Frame message(String text) {
    return new Frame(Frame.Type.MESSAGE, null, text.getBytes(StandardCharsets.UTF_8), null, null);
  }

  private static void assertPing(RawSocket.ServerFrame frame) {
    assertThat(frame.opcode()).isEqualTo(0x9);
    assertThat(new String(frame.payload(), StandardCharsets.US_ASCII)).isEqualTo("hb");
  }

  private static TestServer startCapture(TestServer.Kind kind) throws Exception {
    return TestServer.start(
        kind,
        context -> {
          // Tomcat maps a request to a servlet before its upgrade filter runs.
          context.addServlet("sink", new jakarta.servlet.http.HttpServlet() {}).addMapping("/sink");
          try {
            ((ServerContainer) context.getAttribute(ServerContainer.class.getName()))
                .addEndpoint(ServerEndpointConfig.Builder.create(Capture.class, "/sink").build());
          } catch (jakarta.websocket.DeploymentException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** Writes the frames; the future ends with the sink's callback. */
  private static CompletableFuture<Void> write(SocketSink sink, List<Frame> frames) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    sink.write(
        frames,
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
    return written;
  }

  /**
   * One message of a {@code permessage-deflate} stream (RFC 7692): the payload with the empty
   * block's tail put back, inflated with the connection's one inflater (context takeover).
   */
  private static String inflate(Inflater inflater, byte[] payload) throws DataFormatException {
    byte[] input = Arrays.copyOf(payload, payload.length + 4);
    input[payload.length + 2] = (byte) 0xff;
    input[payload.length + 3] = (byte) 0xff;
    inflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    int n;
    do {
      n = inflater.inflate(buffer);
      out.write(buffer, 0, n);
    } while (n > 0);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Session awaitSession() {
    await().atMost(Duration.ofSeconds(10)).until(() -> SESSION.getNow(null) != null);
    return SESSION.getNow(null);
  }
}
