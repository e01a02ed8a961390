package dev.herald.push.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ContextResponse;
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
   *
   * <p>Once the response is committed, if its body runs to the end of its HTTP/1.x connection (no
   * length and no chunks: HTTP/1.1 with {@code Connection: close}, as every stream is sent, or
   * HTTP/1.0) and no handler wraps it, the bytes go to the connection's endpoint itself, {@code
   * EndPoint.write(callback, buffer)}: the write the response's own would end in, without the
   * response's state, its lock and the connection's iterating send callback around it. Over TLS the
   * endpoint is the TLS layer's, which encrypts as before. Jetty's count of the response's bytes
   * ({@code Response.getContentBytesWritten}, the request log's size) then holds the first write's
   * only.
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
    Response response = jetty.getServletChannel().getResponse();
    ConnectionMetaData meta = jetty.getConnectionMetaData();
    return new CoreWrite(
        response,
        bodyEndPoint(meta, response),
        meta.getHttpVersion(),
        meta.getHttpConfiguration().getOutputBufferSize());
  }

  /**
   * The connection's endpoint, if a committed response's body may be written to it as it is: an
   * HTTP/1.x connection, and a response that no handler wraps but the contexts' own (whose wrappers
   * only scope the callbacks): a compression or counting handler must see the bytes. {@code null}
   * otherwise. Whether the body is the rest of the connection is known only once the response is
   * committed ({@link CoreWrite#bodyIsRestOfConnection()}).
   */
  private static EndPoint bodyEndPoint(ConnectionMetaData meta, Response response) {
    HttpVersion version = meta.getHttpVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      return null;
    }
    for (Response r = response; r instanceof Response.Wrapper wrapper; r = wrapper.getWrapped()) {
      if (!(r instanceof ContextResponse)) {
        // A handler's own wrapper: it may compress, count or change what is written.
        return null;
      }
    }
    return meta.getConnection().getEndPoint();
  }

  /**
   * One stream's direct writes; the Jetty callback is made once, for the one completion that all of
   * an {@link AsyncOutput}'s writes share. Called one write at a time, each after the last is over
   * (under the output's lock): the fields need no other guard. The first write goes through the
   * response, which commits it; the later ones go to the connection's endpoint if the committed
   * response allows it ({@link #bodyIsRestOfConnection()}).
   *
   * <p>Bytes of more than the response buffer's size (a catch-up's batch, or a backlog written at
   * once) go in pieces of that size, one after the other, as {@code HttpOutput} writes them: the
   * JDK copies a heap buffer into a temporary direct buffer of its whole size for each socket
   * write, and keeps that buffer for the thread afterwards.
   */
  static final class CoreWrite implements AsyncOutput.DirectWrite, Callback {
    private final Response response;
    private final HttpVersion version;
    private final int piece;
    private AsyncOutput.DirectWrite.Done done;

    /** Where the body may go once the response is committed, or {@code null}. */
    private EndPoint endPoint;

    /** The response is committed and its body is the rest of the connection. */
    private boolean toEndPoint;

    CoreWrite(Response response, EndPoint endPoint, HttpVersion version, int piece) {
      this.response = response;
      this.endPoint = endPoint;
      this.version = version;
      this.piece = Math.max(1, piece);
    }

    /**
     * Whether the committed response's body runs to the end of its connection: no length and no
     * chunks, so the bytes go to the connection as they are (HTTP/1.0, or HTTP/1.1 with {@code
     * Connection: close}).
     */
    private boolean bodyIsRestOfConnection() {
      HttpFields headers = response.getHeaders();
      if (headers.contains(HttpHeader.CONTENT_LENGTH)
          || headers.contains(HttpHeader.TRANSFER_ENCODING)) {
        return false;
      }
      return version == HttpVersion.HTTP_1_0
          || headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }

    private void send(ByteBuffer bytes, Callback callback) {
      if (toEndPoint) {
        endPoint.write(callback, bytes);
      } else {
        response.write(false, bytes, callback);
      }
    }

    @Override
    public void write(byte[] bytes, AsyncOutput.DirectWrite.Done done) {
      if (this.done != done) {
        // Once per stream: each store of a reference, even the same one, is a card to mark for G1.
        this.done = done;
      }
      if (!toEndPoint && endPoint != null && response.isCommitted()) {
        // Once: the first write (the headers) is over, as each write is before the next starts.
        toEndPoint = bodyIsRestOfConnection();
        endPoint = toEndPoint ? endPoint : null;
      }
      if (bytes.length <= piece) {
        send(ByteBuffer.wrap(bytes), this);
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
        send(next, this);
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
