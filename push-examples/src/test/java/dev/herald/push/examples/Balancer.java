package dev.herald.push.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A TCP load balancer for tests, as a cloud one works: each new connection goes to the port the
 * chooser names at that moment (a node that is not draining), and stays there. Asynchronous
 * channels on a small pool, so thousands of connections need no thread each. Thread-safe.
 */
final class Balancer implements AutoCloseable {
  private static final int BUFFER = 16 * 1024;

  private final AsynchronousChannelGroup group;
  private final AsynchronousServerSocketChannel server;
  private final IntSupplier chooser;

  Balancer(IntSupplier chooser) throws IOException {
    this.chooser = chooser;
    this.group = AsynchronousChannelGroup.withFixedThreadPool(2, Executors.defaultThreadFactory());
    this.server =
        AsynchronousServerSocketChannel.open(group)
            .bind(new InetSocketAddress("127.0.0.1", 0), 4096);
    accept();
  }

  int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  private void accept() {
    server.accept(
        null,
        new CompletionHandler<AsynchronousSocketChannel, Void>() {
          @Override
          public void completed(AsynchronousSocketChannel client, Void unused) {
            accept();
            connect(client);
          }

          @Override
          public void failed(Throwable error, Void unused) {
            // Closed.
          }
        });
  }

  private void connect(AsynchronousSocketChannel client) {
    AsynchronousSocketChannel backend;
    try {
      backend = AsynchronousSocketChannel.open(group);
    } catch (IOException e) {
      close(client, null);
      return;
    }
    backend.connect(
        new InetSocketAddress("127.0.0.1", chooser.getAsInt()),
        null,
        new CompletionHandler<Void, Void>() {
          @Override
          public void completed(Void result, Void unused) {
            pipe(client, backend, ByteBuffer.allocate(BUFFER));
            pipe(backend, client, ByteBuffer.allocate(BUFFER));
          }

          @Override
          public void failed(Throwable error, Void unused) {
            close(client, backend);
          }
        });
  }

  /** Copies from one side to the other until either ends, then closes both. */
  private void pipe(AsynchronousSocketChannel from, AsynchronousSocketChannel to, ByteBuffer buf) {
    buf.clear();
    from.read(
        buf,
        null,
        new CompletionHandler<Integer, Void>() {
          @Override
          public void completed(Integer n, Void unused) {
            if (n < 0) {
              close(from, to);
              return;
            }
            buf.flip();
            write(from, to, buf);
          }

          @Override
          public void failed(Throwable error, Void unused) {
            close(from, to);
          }
        });
  }

  private void write(AsynchronousSocketChannel from, AsynchronousSocketChannel to, ByteBuffer buf) {
    to.write(
        buf,
        null,
        new CompletionHandler<Integer, Void>() {
          @Override
          public void completed(Integer n, Void unused) {
            if (buf.hasRemaining()) {
              write(from, to, buf);
            } else {
              pipe(from, to, buf);
            }
          }

          @Override
          public void failed(Throwable error, Void unused) {
            close(from, to);
          }
        });
  }

  private static void close(AsynchronousSocketChannel a, AsynchronousSocketChannel b) {
    for (AsynchronousSocketChannel c : new AsynchronousSocketChannel[] {a, b}) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          // Closing anyway.
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    group.shutdownNow();
    group.awaitTermination(5, TimeUnit.SECONDS);
  }
}
