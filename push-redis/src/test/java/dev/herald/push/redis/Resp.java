package dev.herald.push.redis;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One Redis command over a fresh socket, outside Lettuce, so that a test can check or damage the
 * server's state behind the broker's back. Thread-safe (no state).
 */
final class Resp {
  private Resp() {}

  private interface Reader<T> {
    T read(InputStream in) throws IOException;
  }

  /** Sends one command and returns the raw reply's first line. */
  static String command(String host, int port, String... args) {
    return send(host, port, args, Resp::readLine);
  }

  /** Sends one command and parses the reply: strings, longs and lists of them. */
  static Object call(String host, int port, String... args) {
    return send(host, port, args, Resp::readReply);
  }

  private static <T> T send(String host, int port, String[] args, Reader<T> reader) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      socket.setSoTimeout(5000);
      StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        sb.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return reader.read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException("redis command " + List.of(args) + " failed", e);
    }
  }

  private static Object readReply(InputStream in) throws IOException {
    String line = readLine(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case ':':
        return Long.parseLong(rest);
      case '$':
        {
          int length = Integer.parseInt(rest);
          if (length < 0) {
            return null;
          }
          byte[] bytes = in.readNBytes(length + 2);
          return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(rest);
          List<Object> items = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            items.add(readReply(in));
          }
          return items;
        }
      default:
        return line;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }
}
