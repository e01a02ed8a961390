package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** Jetty's direct write for a stream against a scripted core response, one write at a time. */
class JettyCoreWriteTest {
  private static final int PIECE = 8;

  /** What the core response was asked to write, and the callback of the write in flight. */
  private final List<Integer> sizes = new ArrayList<>();

  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final List<String> done = new ArrayList<>();
  private boolean atOnce = true;
  private Callback pending;

  private final Response response =
      (Response)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Response.class},
              (proxy, method, args) -> {
                if (!method.getName().equals("write")) {
                  throw new AssertionError("unexpected call " + method.getName());
                }
                assertThat((Boolean) args[0]).as("never the last write").isFalse();
                assertThat(pending).as("one write at a time").isNull();
                ByteBuffer buffer = (ByteBuffer) args[1];
                Callback callback = (Callback) args[2];
                sizes.add(buffer.remaining());
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                written.writeBytes(bytes);
                if (atOnce) {
                  callback.succeeded();
                } else {
                  pending = callback;
                }
                return null;
              });

  private final JettyConnections.CoreWrite write = new JettyConnections.CoreWrite(response, PIECE);

  private void write(String text) {
    write.write(
        text.getBytes(StandardCharsets.UTF_8),
        failure -> done.add(failure == null ? "written" : "failed: " + failure.getMessage()));
  }

  private String text() {
    return written.toString(StandardCharsets.UTF_8);
  }

  @Test
  void bytesWithinTheBuffer_goInOneWrite() {
    write("12345678");
    assertThat(sizes).containsExactly(8);
    assertThat(done).containsExactly("written");
  }

  @Test
  void bytesOverTheBuffer_goInPiecesOfItsSize_inOrder_andAreToldOnce() {
    write("abcdefghijklmnopqrstu");
    assertThat(sizes).containsExactly(8, 8, 5);
    assertThat(text()).isEqualTo("abcdefghijklmnopqrstu");
    assertThat(done).containsExactly("written");
  }

  @Test
  void piecesCompletedLater_nextPieceGoesOnlyOnceTheLastIsWritten() {
    atOnce = false;
    write("abcdefghijklmnopq");
    assertThat(sizes).containsExactly(8);

    complete();
    assertThat(sizes).containsExactly(8, 8);
    assertThat(done).isEmpty();
    complete();
    complete();
    assertThat(sizes).containsExactly(8, 8, 1);
    assertThat(text()).isEqualTo("abcdefghijklmnopq");
    assertThat(done).containsExactly("written");
  }

  @Test
  void aPieceFailing_stopsTheRestAndTellsTheFailureOnce() {
    atOnce = false;
    write("abcdefghijklmnopqrstu");
    complete();
    Callback second = pending;
    pending = null;
    second.failed(new IOException("reset by peer"));

    assertThat(sizes).containsExactly(8, 8);
    assertThat(done).containsExactly("failed: reset by peer");
  }

  private void complete() {
    Callback callback = pending;
    pending = null;
    callback.succeeded();
  }
}
