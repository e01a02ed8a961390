package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/**
 * Publishes with {@code POST <base>/publish}, for the one-way transports. Completes each future on
 * the callback thread. Thread-safe.
 */
final class HttpPublisher {
  private final LinkContext context;
  private final Duration timeout;

  HttpPublisher(LinkContext context, Duration timeout) {
    this.context = context;
    this.timeout = timeout;
  }

  /**
   * @param ephemeral whether to ask for an ephemeral message ({@code "ephemeral":true} in the body)
   */
  void publish(String channel, String event, JsonNode data, boolean ephemeral, AckFuture future) {
    HttpRequest request =
        context
            .authorize(HttpRequest.newBuilder(context.endpoints().publish()))
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    ClientFrames.publishBody(channel, event, data, ephemeral)))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .timeout(timeout)
            .build();
    context
        .http()
        .sendAsync(request, BodyHandlers.ofString())
        .whenComplete(
            (response, error) -> {
              Ack ack = null;
              HeraldException failure = null;
              if (error != null) {
                failure = withChannel(Link.connectFailure("publish", error), channel);
              } else if (response.statusCode() / 100 == 2) {
                try {
                  ack = FrameReader.publishAnswer(response.body());
                } catch (HeraldException e) {
                  failure = e;
                }
              } else {
                failure = FrameReader.httpError(response.statusCode(), response.body(), channel);
              }
              complete(future, ack, failure);
            });
  }

  private void complete(AckFuture future, Ack ack, HeraldException failure) {
    context
        .dispatcher()
        .executeOrRun(
            () -> {
              if (failure != null) {
                future.completeExceptionally(failure);
              } else {
                future.complete(ack);
              }
            });
  }

  private static HeraldException withChannel(HeraldException e, String channel) {
    return new HeraldException(e.code(), e.getMessage(), e.status(), channel, e.getCause());
  }
}
