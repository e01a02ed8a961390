package dev.herald.push.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reverse proxy on loopback in front of a real server, as hostile as some corporate networks: it
 * refuses every WebSocket upgrade with {@code 403}, and, depending on its {@link Mode}, holds back
 * streamed responses until they end or pass {@link #BUFFER_LIMIT} bytes. One request per connection
 * (it asks the server for {@code Connection: close}); one thread per direction. Closing it closes
 * every socket. Thread-safe.
 */
final class HostileProxy implements AutoCloseable {
  /** How much of a response a buffering mode holds before it lets the rest through. */
  static final int BUFFER_LIMIT = 1024 * 1024;

  /** What the proxy does besides refusing upgrades. */
  enum Mode {
    /** Passes every response through as it comes. */
    REFUSE_UPGRADES,
    /** Passes the status and headers at once but holds the body back, like a buffering nginx. */
    BUFFER_BODIES,
    /** Holds the whole response back, headers included, like a scanning proxy. */
    BUFFER_RESPONSES
  }

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final int backendPort;
  private final Mode mode;
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "hostile-proxy-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  /** Refused WebSocket upgrades, for the test to check the proxy was in the way. */
  final AtomicInteger refusedUpgrades = new AtomicInteger();

  HostileProxy(int backendPort, Mode mode) throws IOException {
    this.backendPort = backendPort;
    this.mode = mode;
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = readHead(in);
      if (head == null) {
        return;
      }
      if (head.toLowerCase(Locale.ROOT).contains("\nupgrade: websocket")) {
        refusedUpgrades.incrementAndGet();
        client
            .getOutputStream()
            .write(
                "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
        sockets.add(backend);
        backend.getOutputStream().write(closing(head).getBytes(StandardCharsets.ISO_8859_1));
        threads.execute(() -> pipe(in, backend));
        respond(backend.getInputStream(), client.getOutputStream());
      }
    } catch (IOException e) {
      // Either side went away: the connection ends.
    }
  }

  /** The request's head with {@code Connection: close} instead of its own connection headers. */
  private static String closing(String head) {
    StringBuilder out = new StringBuilder();
    for (String line : head.split("\r\n")) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (!line.isEmpty() && !lower.startsWith("connection:") && !lower.startsWith("keep-alive:")) {
        out.append(line).append("\r\n");
      }
    }
    return out.append("Connection: close\r\n\r\n").toString();
  }

  private void respond(InputStream from, OutputStream to) throws IOException {
    if (mode == Mode.BUFFER_BODIES) {
      String head = readHead(from);
      if (head == null) {
        return;
      }
      to.write(head.getBytes(StandardCharsets.ISO_8859_1));
      to.flush();
    }
    if (mode != Mode.REFUSE_UPGRADES) {
      ByteArrayOutputStream held = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      for (int n = from.read(buffer); n >= 0; n = from.read(buffer)) {
        held.write(buffer, 0, n);
        if (held.size() >= BUFFER_LIMIT) {
          break;
        }
      }
      held.writeTo(to);
      to.flush();
    }
    from.transferTo(new FlushingStream(to));
  }

  private static void pipe(InputStream from, Socket to) {
    try {
      from.transferTo(to.getOutputStream());
    } catch (IOException e) {
      // The exchange is over.
    }
  }

  /** Reads up to and including the blank line after the headers; null at end of stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched =
          (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
    threads.shutdownNow();
  }

  /** Passes every write on at once, as a streaming-friendly proxy does. */
  private static final class FlushingStream extends OutputStream {
    private final OutputStream out;

    FlushingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      out.flush();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      out.flush();
    }
  }
}
