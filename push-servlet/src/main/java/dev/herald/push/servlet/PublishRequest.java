package dev.herald.push.servlet;

import dev.herald.push.Client;
import dev.herald.push.ErrorCode;
import dev.herald.push.Message;
import dev.herald.push.Publication;
import dev.herald.push.PushException;
import dev.herald.push.spi.ClientFrame;
import dev.herald.push.spi.TransportContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code POST …/publish}: reads the body without blocking, stopping as soon as it passes the
 * limit, then publishes it as the client through the hub (channel rule, authorizer, handler) and
 * answers {@code 202} or an error. Thread-safe: the container calls the read callbacks one at a
 * time, and the answer is taken once.
 *
 * <p>Most publishes never get here: when the whole body has arrived with the request and the hub
 * has the publish done before it returns, {@link HttpTransports#publish} reads, publishes and
 * answers on the container's thread without going asynchronous ({@link #arrivedBody}, {@link
 * #publish}, {@link Answer}). An instance serves the rest: a body still on its way (read with a
 * {@link ReadListener}), or a publish the hub finishes later ({@link #answerWhenDone}).
 */
final class PublishRequest implements ReadListener, AsyncListener {
  private static final Logger LOG = LoggerFactory.getLogger(PublishRequest.class);

  private final TransportContext transport;
  private final Client client;
  private final ServletInputStream in;
  private final HttpServletResponse response;
  private final AsyncOutput output;
  private final int limit;
  private final ByteArrayOutputStream body;
  private byte[] buffer; // the reader's, made on its first read
  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile boolean read;

  PublishRequest(
      TransportContext transport,
      Client client,
      ServletInputStream in,
      HttpServletResponse response,
      AsyncOutput output,
      int limit,
      long contentLength) {
    this.transport = transport;
    this.client = client;
    this.in = in;
    this.response = response;
    this.output = output;
    this.limit = limit;
    this.body = new ByteArrayOutputStream((int) Math.max(64, Math.min(contentLength, limit)));
  }

  @Override
  public void onDataAvailable() throws IOException {
    if (buffer == null) {
      buffer = new byte[8192];
    }
    while (in.isReady()) {
      int n = in.read(buffer);
      if (n < 0) {
        return;
      }
      if (body.size() + n > limit) {
        // Stop reading: the rest of the body is never buffered, and the connection closes.
        fail(
            HttpError.of(
                    ErrorCode.TOO_LARGE, "the body is larger than the limit of " + limit + " bytes")
                .header("Connection", "close"));
        return;
      }
      body.write(buffer, 0, n);
    }
  }

  @Override
  public void onAllDataRead() {
    read = true;
    if (answered.get()) {
      return;
    }
    CompletionStage<Publication> published;
    try {
      published = publish(transport, client, body.toByteArray());
    } catch (HttpError e) {
      fail(e);
      return;
    }
    answerWhenDone(published);
  }

  /** Answers once the publish, whose body was read already, is done. */
  void answerWhenDone(CompletionStage<Publication> published) {
    read = true;
    published.whenComplete(
        (p, error) -> {
          Answer a = Answer.of(client, p, error);
          answer(a.status(), a.body(), a.error());
        });
  }

  /**
   * The whole body, when the request declared its length, that length is within the limit and all
   * of it has arrived: read at once, without blocking. {@code null} otherwise, for the reader.
   */
  static byte[] arrivedBody(ServletInputStream in, long contentLength) throws IOException {
    if (contentLength < 0 || in.available() < contentLength) {
      return null;
    }
    // available() counted these bytes as readable without blocking.
    byte[] body = in.readNBytes((int) contentLength);
    if (body.length < contentLength) {
      throw HttpError.of(ErrorCode.BAD_REQUEST, "the body ended before its Content-Length");
    }
    return body;
  }

  /**
   * Reads a publish's body and publishes it as the client.
   *
   * @throws HttpError at once if the body is not UTF-8 or not a publish frame, or the hub refuses
   *     it before publishing (channel rule, authorizer)
   */
  static CompletionStage<Publication> publish(
      TransportContext transport, Client client, byte[] body) {
    try {
      String text = utf8(body);
      ClientFrame.Publish publish = ClientFrame.parsePublish(transport.codec(), text);
      return transport.publishAs(
          client, publish.channel(), publish.event(), publish.data(), publish.ephemeral());
    } catch (CharacterCodingException e) {
      throw HttpError.of(ErrorCode.BAD_JSON, "the body is not valid UTF-8");
    } catch (PushException e) {
      throw HttpError.of(e);
    } catch (RuntimeException e) {
      LOG.warn("Publish by client {} failed unexpectedly", client.id(), e);
      throw HttpError.of(ErrorCode.INTERNAL, "the publish failed unexpectedly");
    }
  }

  /**
   * The body as text, refusing what is not UTF-8. The lenient decoding turns each malformed
   * sequence into U+FFFD, so a text without one came from valid UTF-8 and is taken as it is; only a
   * body with one (malformed, or a U+FFFD of its own) is decoded again strictly. Most bodies are
   * ASCII, which the lenient decoding copies once, without a decoder or a char buffer.
   */
  static String utf8(byte[] body) throws CharacterCodingException {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') < 0) {
      return text;
    }
    // A new decoder reports malformed input rather than replacing it.
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
  }

  /** What a publish is answered: {@code 202} with where it went, or an error. */
  record Answer(int status, byte[] body, HttpError error) {
    /** The answer to a publish that is done. */
    static Answer of(Client client, CompletableFuture<Publication> done) {
      Publication published;
      try {
        published = done.join();
      } catch (CompletionException | CancellationException e) {
        return of(client, null, e);
      }
      return of(client, published, null);
    }

    static Answer of(Client client, Publication published, Throwable error) {
      if (error == null) {
        StringBuilder sb = new StringBuilder("{\"channel\":");
        HttpError.quote(sb, published.channel());
        if (published instanceof Message message) {
          LOG.debug(
              "Client {} published offset {} to {}",
              client.id(),
              message.offset(),
              message.channel());
          sb.append(",\"offset\":").append(message.offset()).append(",\"epoch\":");
          HttpError.quote(sb, message.epoch());
        } else {
          LOG.debug(
              "Client {} published an ephemeral message to {}", client.id(), published.channel());
          sb.append(",\"ephemeral\":true");
        }
        return new Answer(
            HttpServletResponse.SC_ACCEPTED,
            sb.append('}').toString().getBytes(StandardCharsets.UTF_8),
            null);
      }
      Throwable cause = error;
      while ((cause instanceof CompletionException || cause instanceof ExecutionException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      HttpError e;
      if (cause instanceof PushException push) {
        LOG.debug("Publish by client {} refused: {}", client.id(), push.code().wireName());
        e = HttpError.of(push);
      } else {
        LOG.warn("Publish by client {} failed unexpectedly", client.id(), cause);
        e = HttpError.of(ErrorCode.INTERNAL, "the publish failed unexpectedly");
      }
      return new Answer(e.status(), e.body(), e);
    }

    /**
     * Answers on the container's thread, before the response is non-blocking. The body goes to the
     * response buffer, not yet to the network: the container sends it when the request ends, with
     * the length, without holding the thread (an error is sent as {@link HttpError#send} does).
     */
    void send(HttpServletResponse response) throws IOException {
      if (error != null) {
        error.send(response);
        return;
      }
      response.setStatus(status);
      response.setContentType("application/json");
      response.setHeader("Cache-Control", "no-store");
      response.getOutputStream().write(body);
    }
  }

  private void fail(HttpError error) {
    answer(error.status(), error.body(), error);
  }

  private void answer(int status, byte[] bytes, HttpError error) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    output.ifLive(
        () -> {
          if (!response.isCommitted()) {
            if (error != null) {
              error.applyTo(response);
            } else {
              response.setStatus(status);
              response.setContentType("application/json");
              response.setHeader("Cache-Control", "no-store");
            }
            response.setContentLength(bytes.length);
          }
        });
    output.write(bytes, null);
    output.end();
  }

  @Override
  public void onError(Throwable t) {
    LOG.debug("Publish body from client {} failed: {}", client.id(), t.toString());
    answered.set(true);
    output.abort();
  }

  // ---- AsyncListener

  @Override
  public void onTimeout(AsyncEvent event) {
    if (answered.compareAndSet(false, true)) {
      output.ifLive(
          () -> {
            if (!response.isCommitted()) {
              // A body that never finished is the client's fault; a publish that never did is not.
              response.setStatus(read ? HttpServletResponse.SC_SERVICE_UNAVAILABLE : 408);
              response.setHeader("Connection", "close");
            }
          });
    }
    output.containerFailed();
  }

  @Override
  public void onError(AsyncEvent event) {
    answered.set(true);
    output.containerFailed();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    answered.set(true);
    output.containerCompleted();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // Not restarted.
  }
}
