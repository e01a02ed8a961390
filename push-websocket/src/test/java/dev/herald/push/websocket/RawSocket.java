package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket peer on a bare TCP socket that does the handshake and then does nothing at all: it
 * neither reads nor answers pings until the test asks it to read what arrived, or to answer. It
 * plays a half-open connection, one whose other end is gone, or a reader held to its own pace. Not
 * thread-safe.
 */
final class RawSocket implements AutoCloseable {
  /**
   * One frame from the server: its opcode, whether its RSV1 bit is set (a message compressed by
   * {@code permessage-deflate}), its payload as sent, and whether it ends its message (a container
   * may send a long message as a first frame and continuation frames, opcode 0).
   */
  record ServerFrame(int opcode, boolean rsv1, byte[] payload, boolean fin) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame. */
    int closeCode() {
      return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    /** The reason phrase of a close frame. */
    String closeReason() {
      return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final String head;

  RawSocket(int port, String path) throws IOException {
    this(port, path, 0);
  }

  /**
   * Connects and does the handshake.
   *
   * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the default
   */
  RawSocket(int port, String path, int receiveBuffer) throws IOException {
    this(port, path, receiveBuffer, "");
  }

  /**
   * Connects and does the handshake, offering the given {@code Sec-WebSocket-Extensions} (none if
   * empty); {@link #head()} then tells what the server agreed to.
   */
  RawSocket(int port, String path, int receiveBuffer, String extensions) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\n"
            + "Host: 127.0.0.1:"
            + port
            + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + (extensions.isEmpty() ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
            + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    in = new DataInputStream(socket.getInputStream());
    head = readHead(in);
    assertThat(head).startsWith("HTTP/1.1 101");
  }

  /** The server's handshake response, status line and headers. */
  String head() {
    return head;
  }

  /** Reads the next frame the server sent, waiting up to 10 s. */
  ServerFrame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new ServerFrame(b0 & 0x0f, (b0 & 0x40) != 0, payload, (b0 & 0x80) != 0);
  }

  /** Sends a text frame, masked as a client's must be. */
  void sendText(String text) throws IOException {
    send(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Answers a ping: a pong frame with the ping's payload, masked. */
  void sendPong(byte[] payload) throws IOException {
    send(0xA, payload);
  }

  private void send(int opcode, byte[] payload) throws IOException {
    if (payload.length > 125) {
      throw new IllegalArgumentException("short frames only");
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) (0x80 | opcode);
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    socket.getOutputStream().write(frame);
    socket.getOutputStream().flush();
  }

  /** The client's side port of the connection, as the server sees it in {@code /proc/net/tcp}. */
  int localPort() {
    return socket.getLocalPort();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
