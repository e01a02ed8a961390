package dev.herald.push.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP proxy on loopback in front of a real server (WebSocket upgrades pass as bytes like
 * everything else) that can cut every connection open through it at once, as a network failure
 * would, and keeps accepting new ones. A page loaded through it connects to Herald through it, so
 * {@link #dropAll()} drops that page's connection and no other. One thread per direction. Closing
 * it closes every socket. Thread-safe.
 */
final class DroppingProxy implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final int backendPort;
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "dropping-proxy-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  DroppingProxy(int backendPort) throws IOException {
    this.backendPort = backendPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Cuts every connection open now; returns how many sockets it closed. */
  int dropAll() {
    int n = 0;
    for (Socket s : sockets) {
      sockets.remove(s);
      closeQuietly(s);
      n++;
    }
    return n;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        threads.execute(() -> connect(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void connect(Socket client) {
    try {
      Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort);
      sockets.add(backend);
      threads.execute(() -> pipe(client, backend));
      pipe(backend, client);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /** Copies until either side ends, then closes both, so the other direction ends too. */
  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // dropped, or the other side closed
    } finally {
      sockets.remove(from);
      sockets.remove(to);
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    dropAll();
    threads.shutdownNow();
  }
}
