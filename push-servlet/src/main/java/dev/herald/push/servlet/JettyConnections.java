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
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Jetty 12 (ee10) only: reaches the TCP connection under a servlet request, and the unbuffered
 * write of a response's stream. {@link ConnectionAbort} loads this class only once it has seen that
 * the Jetty classes are visible. Thread-safe.
 */
final class JettyConnections {
  private JettyConnections() {}

  /**
   * Writes through the Jetty response under {@code out}'s own stream, or {@code null} if {@code
   * out} is not Jetty's stream for {@code request} (a filter wrapped it).
   *
   * <p>The bytes go to {@code Response.write(false, buffer, callback)} of the request's channel,
   * the call {@code HttpOutput} itself makes once it has decided to write: every header, commit and
   * chunking rule of the response applies, and a compression or other handler wrapping the core
   * response sees the bytes as it sees the stream's. What is left out is the stream's own state
   * machine around each write (its lock, taken by the write, by its completion and by each {@code
   * isReady()}, and an iterating callback made per write) and its response buffer: Jetty takes that
   * buffer from the server's pool on the first {@code byte[]} write and keeps it until the response
   * is over, one pooled buffer per stream for hours. The bytes are not copied or changed: they stay
   * the caller's until the write is over; bytes of more than the buffer's size go in pieces of that
   * size ({@link CoreWrite}). The stream is left alone, so when the request completes it ends the
   * response as usual (over HTTP/1.1 a stream's response ends with its connection, {@link
   * HttpTransports}).
   */
  static AsyncOutput.DirectWrite directWrite(ServletRequest request, ServletOutputStream out) {
    if (!(out instanceof HttpOutput)) {
      return null;
    }
    ServletContextRequest jetty;
    try {
      jetty = ServletContextRequest.getServletContextRequest(request);
    } catch (IllegalStateException e) {
      return null;
    }
    if (jetty.getServletContextResponse().getHttpOutput() != out) {
      return null;
    }
    return new CoreWrite(
        jetty.getServletChannel().getResponse(),
        jetty.getConnectionMetaData().getHttpConfiguration().getOutputBufferSize());
  }

  /**
   * One stream's direct writes; the Jetty callback is made once, for the one completion that all of
   * an {@link AsyncOutput}'s writes share. Called one write at a time.
   *
   * <p>Bytes of more than the response buffer's size (a catch-up's batch, or a backlog written at
   * once) go in pieces of that size, one after the other, as {@code HttpOutput} writes them: the
   * JDK copies a heap buffer into a temporary direct buffer of its whole size for each socket
   * write, and keeps that buffer for the thread afterwards.
   */
  static final class CoreWrite implements AsyncOutput.DirectWrite, Callback {
    private final Response response;
    private final int piece;
    private AsyncOutput.DirectWrite.Done done;

    CoreWrite(Response response, int piece) {
      this.response = response;
      this.piece = Math.max(1, piece);
    }

    @Override
    public void write(byte[] bytes, AsyncOutput.DirectWrite.Done done) {
      if (this.done != done) {
        // Once per stream: each store of a reference, even the same one, is a card to mark for G1.
        this.done = done;
      }
      if (bytes.length <= piece) {
        response.write(false, ByteBuffer.wrap(bytes), this);
      } else {
        new Pieces(ByteBuffer.wrap(bytes)).iterate();
      }
    }

    /** Writes one large batch a piece at a time, each once the last is written. */
    private final class Pieces extends IteratingCallback {
      private final ByteBuffer rest;

      Pieces(ByteBuffer rest) {
        this.rest = rest;
      }

      @Override
      protected Action process() {
        if (!rest.hasRemaining()) {
          return Action.SUCCEEDED;
        }
        int n = Math.min(piece, rest.remaining());
        ByteBuffer next = rest.slice(rest.position(), n);
        rest.position(rest.position() + n);
        response.write(false, next, this);
        return Action.SCHEDULED;
      }

      @Override
      protected void onCompleteSuccess() {
        done.written(null);
      }

      @Override
      protected void onCompleteFailure(Throwable cause) {
        done.written(cause);
      }
    }

    @Override
    public void succeeded() {
      done.written(null);
    }

    @Override
    public void failed(Throwable x) {
      done.written(x);
    }
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
    return new ConnectionAbort.Drop() {
      @Override
      public boolean drop() {
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
      }

      @Override
      public boolean endOutput() {
        // On the socket itself: the endpoint's own shutdown would close it once its input is shut,
        // and a closed socket can no longer be reset.
        return endPoint.isOpen()
            && endPoint instanceof SocketChannelEndPoint socket
            && ConnectionAbort.endOutput(socket.getChannel());
      }
    };
  }
}
