package dev.herald.push.client;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-poll loop: {@code GET <base>/poll?channel=…&since=CURSOR&timeout=SECONDS}, again and
 * again, each request carrying the cursor after everything received so far, so nothing published
 * between polls is lost. The first poll asks for {@code timeout=0} so that the link opens, and
 * learns its start positions, at once. A poll answered with an error (a 503 or 429, or an {@code
 * error} object such as a draining node's {@code server_restart}) ends the link, leaving its {@link
 * RetryHint}. Thread-safe.
 */
final class PollLink extends Link {
  private static final Logger LOG = LoggerFactory.getLogger(PollLink.class);

  private final List<String> channels;
  private volatile boolean first = true;
  private volatile CompletableFuture<HttpResponse<String>> exchange;

  PollLink(LinkContext context, List<String> channels) {
    super(context, Transport.POLL);
    this.channels = List.copyOf(channels);
  }

  @Override
  void start() {
    poll();
  }

  private void poll() {
    if (stopped()) {
      return;
    }
    int seconds = first ? 0 : (int) context.pollTimeout().toSeconds();
    String since = context.listener().since(this);
    HttpRequest request =
        context
            .authorize(
                HttpRequest.newBuilder(
                    context.endpoints().stream(Transport.POLL, channels, since, seconds)))
            .GET()
            .header("Accept", "application/json")
            .timeout(Duration.ofSeconds(seconds).plus(context.connectTimeout()))
            .build();
    LOG.debug("Polling {} for up to {} s", channels, seconds);
    CompletableFuture<HttpResponse<String>> x =
        context.http().sendAsync(request, BodyHandlers.ofString());
    exchange = x;
    x.whenComplete(this::answered);
    if (stopped()) {
      abort();
    }
  }

  private void answered(HttpResponse<String> response, Throwable error) {
    if (stopped()) {
      return;
    }
    if (error != null) {
      end("io_error", connectFailure(transport().wireName(), error));
      return;
    }
    if (response.statusCode() != 200) {
      hint(RetryHint.ofHttp(response.statusCode(), response.headers(), response.body()));
      end(
          "http_" + response.statusCode(),
          FrameReader.httpError(response.statusCode(), response.body(), null));
      return;
    }
    heard();
    ServerFrame.ErrorFrame ending = FrameReader.errorBody(response.body());
    if (ending != null) {
      // The server ends the poll loop with its reason, as a draining node does (server_restart).
      hint(RetryHint.of(ending));
      end(ending.code() == null ? "error" : ending.code(), ending.toException(0, null));
      return;
    }
    FrameReader.PollAnswer answer;
    try {
      answer = FrameReader.pollAnswer(response.body());
    } catch (HeraldException e) {
      end("protocol", e);
      return;
    }
    if (first) {
      first = false;
      context.listener().opened(this);
    }
    for (ServerFrame frame : answer.frames()) {
      context.listener().frame(this, frame);
    }
    context.listener().positions(this, answer.cursor());
    context.dispatcher().whenReady(this::poll);
  }

  @Override
  void abort() {
    CompletableFuture<?> x = exchange;
    if (x != null) {
      x.cancel(true);
    }
  }

  @Override
  boolean watchesIdle() {
    // Each poll has its own request timeout.
    return false;
  }
}
