package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
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

  /** Which way each write went: "response" or "endpoint". */
  private final List<String> via = new ArrayList<>();

  /** The response's headers, once committed. */
  private final HttpFields.Mutable headers = HttpFields.build();

  private boolean committed;

  private final Response response =
      (Response)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Response.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "isCommitted" -> committed;
                    case "getHeaders" -> headers;
                    case "write" -> {
                      assertThat((Boolean) args[0]).as("never the last write").isFalse();
                      // The first write commits the response.
                      committed = true;
                      yield take("response", (ByteBuffer) args[1], (Callback) args[2]);
                    }
                    default -> throw new AssertionError("unexpected call " + method.getName());
                  });

  private final EndPoint endPoint =
      (EndPoint)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {EndPoint.class},
              (proxy, method, args) -> {
                if (!method.getName().equals("write") || args.length != 2) {
                  throw new AssertionError("unexpected call " + method.getName());
                }
                ByteBuffer[] buffers = (ByteBuffer[]) args[1];
                assertThat(buffers).hasSize(1);
                return take("endpoint", buffers[0], (Callback) args[0]);
              });

  private JettyConnections.CoreWrite write =
      new JettyConnections.CoreWrite(response, null, null, PIECE);

  private Object take(String where, ByteBuffer buffer, Callback callback) {
    assertThat(pending).as("one write at a time").isNull();
    via.add(where);
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
  }

  /** A stream's write on an HTTP/1.x connection, whose body may go to the endpoint. */
  private void onConnection(HttpVersion version) {
    write = new JettyConnections.CoreWrite(response, endPoint, version, PIECE);
  }

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

  @Test
  void closingHttp11Response_afterItsFirstWrite_goesToTheEndPoint() {
    onConnection(HttpVersion.HTTP_1_1);
    headers.put(HttpHeader.CONNECTION, "close");
    write("");
    write("abc");
    write("abcdefghijklmnopqrst");

    assertThat(via).containsExactly("response", "endpoint", "endpoint", "endpoint", "endpoint");
    assertThat(sizes).containsExactly(0, 3, 8, 8, 4);
    assertThat(text()).isEqualTo("abcabcdefghijklmnopqrst");
    assertThat(done).containsExactly("written", "written", "written");
  }

  @Test
  void http10Response_afterItsFirstWrite_goesToTheEndPoint() {
    onConnection(HttpVersion.HTTP_1_0);
    write("ab");
    write("cd");
    assertThat(via).containsExactly("response", "endpoint");
  }

  @Test
  void persistentHttp11Response_staysWithTheResponse() {
    // Chunked by the container: its frames are not the connection's bytes as they are.
    onConnection(HttpVersion.HTTP_1_1);
    write("ab");
    write("cd");
    write("ef");
    assertThat(via).containsExactly("response", "response", "response");
  }

  @Test
  void responseWithALengthOrTransferCoding_staysWithTheResponse() {
    onConnection(HttpVersion.HTTP_1_0);
    headers.put(HttpHeader.CONTENT_LENGTH, "4");
    write("ab");
    write("cd");
    assertThat(via).containsExactly("response", "response");

    via.clear();
    headers.clear();
    committed = false;
    onConnection(HttpVersion.HTTP_1_1);
    headers.put(HttpHeader.CONNECTION, "close");
    headers.put(HttpHeader.TRANSFER_ENCODING, "chunked");
    write("ab");
    write("cd");
    assertThat(via).containsExactly("response", "response");
  }

  @Test
  void endPointWriteCompletedLater_nextGoesOnlyOnceItIsWritten() {
    onConnection(HttpVersion.HTTP_1_1);
    headers.put(HttpHeader.CONNECTION, "close");
    write("ab");
    atOnce = false;
    write("cd");
    assertThat(done).containsExactly("written");
    complete();
    assertThat(done).containsExactly("written", "written");
    write("ef");
    pending.failed(new IOException("broken pipe"));
    assertThat(via).containsExactly("response", "endpoint", "endpoint");
    assertThat(done).containsExactly("written", "written", "failed: broken pipe");
  }

  private void complete() {
    Callback callback = pending;
    pending = null;
    callback.succeeded();
  }
}
