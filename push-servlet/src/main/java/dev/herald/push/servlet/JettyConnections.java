package dev.herald.push.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;

/**
 * Jetty 12 (ee10) only: reaches the TCP connection under a servlet request, and the unbuffered
 * write of a response's stream. {@link ConnectionAbort} loads this class only once it has seen that
 * the Jetty classes are visible. Thread-safe.
 */
final class JettyConnections {
  private JettyConnections() {}

  /**
   * Writes through Jetty's {@code HttpOutput.write(ByteBuffer)}, or {@code null} if {@code out} is
   * not Jetty's own stream.
   *
   * <p>Jetty copies a {@code byte[]} no larger than the response buffer into that buffer, which it
   * takes from the server's pool on the first such write and keeps until the response is over: one
   * pooled buffer per stream, for hours. Those buffers share the pool's smallest bucket with the
   * few bytes of a chunk header that every write of a chunked response takes and gives back, and
   * with a thousand streams holding theirs, each of those takes looked past the thousand first. A
   * heap {@code ByteBuffer} under the buffer size is written as it is instead, and one above it in
   * buffer-sized pieces. The bytes are not copied or changed: they stay the caller's until the
   * write is over.
   */
  static AsyncOutput.DirectWrite directWrite(ServletOutputStream out) {
    if (!(out instanceof HttpOutput jetty)) {
      return null;
    }
    return bytes -> jetty.write(ByteBuffer.wrap(bytes));
  }

  /**
   * How to drop the HTTP/1.x connection under the request, or {@code null} if the request is not
   * Jetty's or its connection carries other requests too (HTTP/2 and later).
   */
  static ConnectionAbort.Drop dropFor(ServletRequest request) {
    ServletContextRequest jetty;
    try {
      jetty = ServletContextRequest.getServletContextRequest(request);
    } catch (IllegalStateException e) {
      return null;
    }
    ConnectionMetaData meta = jetty.getConnectionMetaData();
    HttpVersion version = meta.getHttpVersion();
    if (version == null || version.getVersion() >= HttpVersion.HTTP_2.getVersion()) {
      return null;
    }
    EndPoint endPoint = meta.getConnection().getEndPoint();
    return () -> {
      if (!endPoint.isOpen()) {
        return false;
      }
      if (endPoint instanceof SocketChannelEndPoint socket) {
        try {
          // A reset: the kernel drops the unsent bytes at once rather than keeping them for a
          // peer that does not read.
          socket.getChannel().setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
          // Closed meanwhile, or not a TCP socket: the close below is all there is to do.
        }
      }
      endPoint.close(new IOException("the response did not end within the close timeout"));
      return true;
    };
  }
}
