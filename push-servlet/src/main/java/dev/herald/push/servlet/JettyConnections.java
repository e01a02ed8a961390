package dev.herald.push.servlet;

import jakarta.servlet.ServletRequest;
import java.io.IOException;
import java.net.StandardSocketOptions;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;

/**
 * Jetty 12 (ee10) only: reaches the TCP connection under a servlet request. {@link ConnectionAbort}
 * loads this class only once it has seen that the Jetty classes are visible. Thread-safe.
 */
final class JettyConnections {
  private JettyConnections() {}

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
