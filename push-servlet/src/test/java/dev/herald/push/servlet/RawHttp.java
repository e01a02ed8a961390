package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * A bare HTTP/1.0 client on a socket, for what the JDK client cannot do: stop reading while the
 * server writes (a slow consumer), or connect and drop in a tight loop. HTTP/1.0 makes the server
 * close the connection at the end of the body, so the body needs no de-chunking.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /**
   * Sends {@code GET target} over a new connection.
   *
   * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the default
   */
  static RawHttp get(int port, String target, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(20_000);
    String request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return new RawHttp(socket);
  }

  /** Sends {@code GET target} over HTTP/1.1 on a new connection. */
  static RawHttp get11(int port, String target) throws IOException {
    String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n";
    return send(port, request.getBytes(StandardCharsets.US_ASCII));
  }

  /** The head of a response read so far, up to its blank line, lower-cased. */
  static String head(String response) {
    return response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
  }

  /** What of a response's body was read so far. */
  static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  /** Sends raw request bytes over a new connection; HTTP/1.0 or {@code Connection: close}. */
  static RawHttp send(int port, byte[] request) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    return over(socket, request);
  }

  /** Sends raw request bytes over a connected socket (a TLS one, say). */
  static RawHttp over(Socket socket, byte[] request) throws IOException {
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(request);
    socket.getOutputStream().flush();
    return new RawHttp(socket);
  }

  /** Sends more bytes of the request. */
  void write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads until the text read so far contains {@code marker}; returns all of it. */
  String readUntil(String marker) throws IOException {
    byte[] buffer = new byte[8192];
    while (!seen.toString(StandardCharsets.UTF_8).contains(marker)) {
      int n;
      try {
        n = in.read(buffer);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no \"" + marker + "\" within 20 s", e);
      }
      if (n < 0) {
        fail(
            "the connection ended before \""
                + marker
                + "\": "
                + seen.toString(StandardCharsets.UTF_8));
      }
      seen.write(buffer, 0, n);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  /** Reads and drops {@code n} bytes, or fewer if the connection ends first; returns how many. */
  long skip(long n) throws IOException {
    byte[] buffer = new byte[8192];
    long left = n;
    while (left > 0) {
      int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  /** Reads until the server closes the connection; returns everything read. */
  String readToEnd() throws IOException {
    byte[] buffer = new byte[65536];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      seen.write(buffer, 0, n);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  /** The client's side port of the connection, as the server sees it in {@code /proc/net/tcp}. */
  int localPort() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    if (socket instanceof SSLSocket) {
      // Closing a TLS socket waits for the server's close_notify, which an open stream never sends.
      socket.setSoTimeout(100);
    }
    socket.close();
  }
}
