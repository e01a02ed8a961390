package dev.herald.push.servlet;

import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.ErrorCode;
import dev.herald.push.Publication;
import dev.herald.push.PushException;
import dev.herald.push.PushHub;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.TransportContext;
import dev.herald.push.spi.WireFormat;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request handling behind {@link PushServlet} once a request is routed, its origin checked and
 * its method right: it reads the request, connects to the hub and hands the response to a sink.
 * Keeps the connections it opened, to close them when the servlet is destroyed. Thread-safe.
 */
final class HttpTransports implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpTransports.class);
  private static final AtomicInteger TIMERS = new AtomicInteger();
  private static final long PUBLISH_TIMEOUT_MILLIS = 30_000;
  private static final long POLL_SLACK_MILLIS = 30_000;

  /** Response buffer of an SSE or NDJSON stream: small, since batches are written whole. */
  private static final int STREAM_BUFFER_BYTES = 1024;

  private final PushHub hub;
  private final TransportContext transport;
  private final Duration pollTimeout;
  private final Duration sseRetry;
  private final ScheduledThreadPoolExecutor timer;
  private final ConnectionAbort closeTimeout;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();

  HttpTransports(PushHub hub, Duration pollTimeout, Duration sseRetry) {
    this.hub = hub;
    this.transport = hub.transportContext();
    this.pollTimeout = pollTimeout;
    this.sseRetry = sseRetry;
    // Polls' timeouts and responses' close timeouts: each task hands an answer to a non-blocking
    // output, or completes or drops a response that did not end in time.
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "herald-poll-timer-" + TIMERS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    this.closeTimeout = new ConnectionAbort(timer, transport.closeTimeout());
  }

  /** Stops the poll timer and closes every connection still open with {@code server_shutdown}. */
  @Override
  public void close() {
    timer.shutdownNow();
    for (Connection c : new ArrayList<>(open)) {
      c.close(CloseReason.SHUTDOWN);
    }
  }

  // ---- SSE and NDJSON streaming

  /** {@code GET …/sse} and {@code GET …/stream}. */
  void stream(HttpServletRequest request, HttpServletResponse response, WireFormat format)
      throws IOException {
    // A malformed query string is refused whichever parameter holds it, even one read later or not
    // at all (access_token is read only without a bearer header).
    RequestParams.query(request);
    List<String> channels = RequestParams.channels(request);
    Cursor since = RequestParams.since(request, format == WireFormat.SSE);
    String member = RequestParams.member(request, transport.codec());
    List<String> presence = RequestParams.presence(request);
    Client client = ServletAccess.client(transport.accessPolicy(), request);

    // A stream lives for hours and writes whole batches, so it needs no response buffer: once
    // taken, the container's (32 KiB by default on Jetty) would stay allocated per idle connection.
    // On Jetty the frames go to the connection unbuffered and no buffer is ever taken; elsewhere
    // the buffer is made small.
    ServletOutputStream out = response.getOutputStream();
    AsyncOutput.DirectWrite direct = ConnectionAbort.directWrite(request, out);
    if (direct == null) {
      response.setBufferSize(STREAM_BUFFER_BYTES);
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    AtomicReference<Connection> ref = new AtomicReference<>();
    StreamSink sink = new StreamSink(format, () -> forget(ref));
    AsyncOutput output =
        new AsyncOutput(
            async,
            out,
            direct,
            true,
            e -> sink.clientGone(),
            closeTimeout,
            ConnectionAbort.dropFor(request));
    sink.output(output);
    async.addListener(sink);
    if (format == WireFormat.SSE) {
      // retry: first, so that even a stream that ends at once tells EventSource when to return.
      output.write(
          ("retry: " + sseRetry.toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII), null);
    }
    Connection connection;
    try {
      transport.admit(client, format, since);
      connection = transport.connect(client, format, sink, channels, since, member, presence);
    } catch (PushException e) {
      refuseStream(response, output, format, e);
      return;
    }
    track(ref, connection);
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType(
        format == WireFormat.SSE ? "text/event-stream" : "application/x-ndjson");
    response.setHeader("Cache-Control", "no-cache, no-transform");
    response.setHeader("X-Accel-Buffering", "no");
    if ("HTTP/1.1".equals(request.getProtocol())) {
      // The stream is its connection's last response: the container sends the body as it is,
      // each frame one buffer to the socket, rather than chunked (a size line before each frame
      // and a line end after it). A client coming back after the stream ends opens a new
      // connection. HTTP/2 and later have neither chunks nor this header.
      response.setHeader("Connection", "close");
    }
    sink.attach(connection);
    output.start();
    LOG.debug("Client {} opened {} on {}", client.id(), format, channels);
  }

  private void refuseStream(
      HttpServletResponse response, AsyncOutput output, WireFormat format, PushException e)
      throws IOException {
    if (format == WireFormat.SSE
        && (e.code() == ErrorCode.UNAVAILABLE || e.retryAfter().isPresent())) {
      // Any status but 200 makes EventSource give up for good: send it back later instead, to
      // another node if this one drains or is full, or when its address may open again.
      long retry = e.retryAfter().orElse(transport.retryAfter()).toMillis();
      CloseReason reason =
          e.code() == ErrorCode.UNAVAILABLE && transport.isDraining() && !transport.isClosed()
              ? CloseReason.RESTART.withRetry(retry)
              : new CloseReason(e.code().wireName(), e.getMessage(), retry);
      response.setStatus(HttpServletResponse.SC_OK);
      response.setContentType("text/event-stream");
      response.setHeader("Cache-Control", "no-cache, no-transform");
      output.write(StreamSink.closingFrame(format, reason), null);
      output.end();
      output.start();
      return;
    }
    try {
      refusal(e).send(response);
    } finally {
      output.abort();
    }
  }

  /**
   * The answer to a refused connection: a hub that is closed, draining or at a connection limit
   * says when to come back ({@code 503} or {@code 429} with {@code Retry-After}), so that clients
   * retry, through the load balancer, on another node, or later.
   */
  private HttpError refusal(PushException e) {
    HttpError error = HttpError.of(e);
    Duration retry =
        e.retryAfter()
            .orElse(
                e.code() == ErrorCode.UNAVAILABLE
                        && (transport.isDraining() || transport.isClosed())
                    ? transport.retryAfter()
                    : null);
    if (retry != null) {
      error.header("Retry-After", retryAfterSeconds(retry));
      // So that herald.js on an allowed cross-origin page can read it.
      error.header("Access-Control-Expose-Headers", "Retry-After");
    }
    return error;
  }

  /** Whole seconds, rounded up, at least one: {@code Retry-After} has no smaller unit. */
  static String retryAfterSeconds(Duration retry) {
    long millis = retry.toMillis();
    return String.valueOf(Math.max(1, (millis + 999) / 1000));
  }

  // ---- long polling

  /** {@code GET …/poll}. */
  void poll(HttpServletRequest request, HttpServletResponse response) throws IOException {
    RequestParams.query(request);
    List<String> channels = RequestParams.channels(request);
    Cursor since = RequestParams.since(request, false);
    String member = RequestParams.member(request, transport.codec());
    List<String> presence = RequestParams.presence(request);
    int maxSeconds = (int) pollTimeout.toSeconds();
    int seconds = Math.min(RequestParams.timeoutSeconds(request, maxSeconds), maxSeconds);
    Client client = ServletAccess.client(transport.accessPolicy(), request);

    AsyncContext async = request.startAsync();
    async.setTimeout(seconds * 1000L + POLL_SLACK_MILLIS);
    AtomicReference<Connection> ref = new AtomicReference<>();
    PollSink sink =
        new PollSink(
            response,
            channels,
            channel -> hub.channel(channel).position(),
            RequestParams.sinceText(request, false),
            () -> forget(ref));
    AsyncOutput output =
        new AsyncOutput(
            async,
            response.getOutputStream(),
            null,
            false,
            e -> sink.gone(),
            closeTimeout,
            ConnectionAbort.dropFor(request));
    sink.output(output);
    async.addListener(sink);
    response.setHeader("Cache-Control", "no-store");
    Connection connection;
    try {
      transport.admit(client, WireFormat.POLL, since);
      connection =
          transport.connect(client, WireFormat.POLL, sink, channels, since, member, presence);
    } catch (PushException e) {
      try {
        refusal(e).send(response);
      } finally {
        output.abort();
      }
      return;
    }
    track(ref, connection);
    output.start();
    ScheduledFuture<?> timeout = timer.schedule(sink::expire, seconds, TimeUnit.SECONDS);
    sink.start(connection, timeout);
    LOG.debug("Client {} polls {} for up to {} s", client.id(), channels, seconds);
  }

  // ---- publish

  /** {@code POST …/publish}. */
  void publish(HttpServletRequest request, HttpServletResponse response) throws IOException {
    RequestParams.query(request);
    RequestParams.requireJson(request);
    int limit = transport.codec().maxBytes();
    long length = request.getContentLengthLong();
    if (length > limit) {
      throw HttpError.of(
              ErrorCode.TOO_LARGE,
              "the body is " + length + " bytes, more than the limit of " + limit)
          .header("Connection", "close");
    }
    Client client = ServletAccess.client(transport.accessPolicy(), request);

    // The usual publish: its small body came with the request and the hub is done with it before
    // it returns (in-memory broker, no handler on the dispatch executor). Read, publish and answer
    // here: going asynchronous costs a publish about 4 µs more on Jetty (docs/benchmarks.md).
    byte[] arrived = PublishRequest.arrivedBody(request.getInputStream(), length);
    CompletionStage<Publication> published = null;
    if (arrived != null) {
      try {
        published = PublishRequest.publish(transport, client, arrived);
      } catch (HttpError e) {
        // Answered here, not by the servlet: the body is read, so the connection stays open.
        e.send(response);
        return;
      }
      if (published instanceof CompletableFuture<Publication> done && done.isDone()) {
        PublishRequest.Answer.of(client, done).send(response);
        return;
      }
    }

    AsyncContext async = request.startAsync();
    async.setTimeout(PUBLISH_TIMEOUT_MILLIS);
    AsyncOutput output =
        new AsyncOutput(
            async,
            response.getOutputStream(),
            null,
            false,
            e -> {},
            closeTimeout,
            ConnectionAbort.dropFor(request));
    PublishRequest publish =
        new PublishRequest(
            transport,
            client,
            request.getInputStream(),
            response,
            output,
            limit,
            Math.max(0, length));
    async.addListener(publish);
    output.start();
    if (published != null) {
      publish.answerWhenDone(published);
    } else {
      request.getInputStream().setReadListener(publish);
    }
  }

  // ---- bookkeeping for close()

  private void track(AtomicReference<Connection> ref, Connection connection) {
    ref.set(connection);
    open.add(connection);
    if (!connection.isOpen()) {
      open.remove(connection);
    }
  }

  private void forget(AtomicReference<Connection> ref) {
    Connection c = ref.get();
    if (c != null) {
      open.remove(c);
    }
  }
}
