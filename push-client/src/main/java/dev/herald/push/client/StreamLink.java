package dev.herald.push.client;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code GET <base>/sse} or {@code GET <base>/stream} response, read line by line as it
 * arrives. Thread-safe.
 *
 * <p>It reads one line at a time and asks the dispatcher before reading the next, so a slow
 * application slows the stream instead of queuing without bound. An {@code error} frame on the
 * stream is the server's reason for ending it (such as {@code slow_consumer}); it is reported with
 * the end rather than passed on, and a {@code server_restart}, {@code unavailable} or {@code
 * rate_limited} (with {@code retry}) one leaves its {@link RetryHint}, as does a 503 or 429 answer.
 */
final class StreamLink extends Link {
  private static final Logger LOG = LoggerFactory.getLogger(StreamLink.class);

  private final URI uri;
  private final SseParser sse;
  private volatile Flow.Subscription subscription;
  private volatile CompletableFuture<HttpResponse<Void>> exchange;
  private volatile String errorBody;
  private volatile HeraldException closing;

  StreamLink(LinkContext context, Transport transport, URI uri) {
    super(context, transport);
    if (transport != Transport.SSE && transport != Transport.STREAM) {
      throw new IllegalArgumentException("not a streaming transport: " + transport);
    }
    this.uri = uri;
    this.sse = transport == Transport.SSE ? new SseParser(this::onEvent) : null;
  }

  @Override
  void start() {
    HttpRequest request =
        context
            .authorize(HttpRequest.newBuilder(uri))
            .GET()
            .header("Accept", sse != null ? "text/event-stream" : "application/x-ndjson")
            .header("Cache-Control", "no-cache")
            .build();
    LOG.debug("Opening {}", uri);
    exchange =
        context
            .http()
            .sendAsync(request, this::bodyFor)
            .whenComplete(
                (response, error) -> {
                  if (error != null) {
                    end("io_error", connectFailure(transport().wireName(), error));
                  } else if (response.statusCode() != 200) {
                    hint(RetryHint.ofHttp(response.statusCode(), response.headers(), errorBody));
                    end(
                        "http_" + response.statusCode(),
                        FrameReader.httpError(response.statusCode(), errorBody, null));
                  } else {
                    HeraldException c = closing;
                    end(c == null ? "eof" : c.code(), c);
                  }
                });
    if (stopped()) {
      abort();
    }
  }

  private BodySubscriber<Void> bodyFor(HttpResponse.ResponseInfo info) {
    if (info.statusCode() == 200) {
      responded();
      return BodySubscribers.fromLineSubscriber(
          new Lines(), s -> null, StandardCharsets.UTF_8, null);
    }
    return BodySubscribers.mapping(
        BodySubscribers.ofString(StandardCharsets.UTF_8),
        body -> {
          errorBody = body;
          return null;
        });
  }

  @Override
  void abort() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    CompletableFuture<?> x = exchange;
    if (x != null) {
      x.cancel(true);
    }
  }

  private void onLine(String line) {
    if (sse != null) {
      sse.line(line);
    } else if (!line.isBlank()) {
      onFrame(FrameReader.frame(line));
    }
  }

  private void onEvent(SseParser.Event event) {
    onFrame(FrameReader.frame(event.data()));
  }

  private void onFrame(ServerFrame frame) {
    switch (frame.kind()) {
      case HEARTBEAT -> {
        // Only proves the stream is alive, which heard() recorded.
      }
      case ERROR -> {
        ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) frame;
        hint(RetryHint.of(error));
        closing = error.toException(0, null);
      }
      default -> context.listener().frame(this, frame);
    }
  }

  /** Receives the body's lines one at a time. */
  private final class Lines implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (stopped()) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(String line) {
      if (stopped()) {
        return;
      }
      heard();
      try {
        onLine(line);
      } catch (HeraldException e) {
        end("protocol", e);
        return;
      }
      context.dispatcher().whenReady(this::next);
    }

    private void next() {
      Flow.Subscription s = subscription;
      if (!stopped() && s != null) {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable error) {
      // The exchange's future reports it.
    }

    @Override
    public void onComplete() {
      // The exchange's future reports it.
    }
  }
}
