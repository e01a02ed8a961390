package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Server-Sent Events client on the JDK HttpClient that parses the stream the way the WHATWG
 * algorithm (and so every EventSource) does: lines end at CR, LF or CRLF; {@code data:} lines are
 * joined with LF; {@code id:} persists across events. It records every event and comment.
 */
final class SseClient implements AutoCloseable {
  /** One dispatched event; {@code type} is {@code message} when the stream named none. */
  record Event(String type, String id, String data) {
    JsonNode json() {
      return Http.json(data);
    }
  }

  static final Duration WAIT = Duration.ofSeconds(10);

  final HttpResponse<InputStream> response;
  final AtomicInteger comments = new AtomicInteger();
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile String retry;
  private volatile boolean ended;

  private SseClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens a stream; returns once the response headers arrived. */
  static SseClient open(TestServer server, String pathAndQuery, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri(pathAndQuery)).timeout(WAIT).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return new SseClient(
        server.http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  /** The next event, failing after ten seconds without one. */
  Event next() throws InterruptedException {
    Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      fail("no SSE event within " + WAIT + (ended ? "; the stream ended" : ""));
    }
    return e;
  }

  /** The next event, which must be of {@code type}. */
  Event next(String type) throws InterruptedException {
    Event e = next();
    assertThat(e.type()).as("type of %s", e).isEqualTo(type);
    return e;
  }

  /** Reads the {@code ready} event that opens every stream and returns its cursor id. */
  String ready() throws InterruptedException {
    Event e = next("ready");
    assertThat(e.json().get("cursor").asText()).isEqualTo(e.id());
    return e.id();
  }

  /** The {@code retry:} value the server sent, or {@code null}. */
  String retry() {
    return retry;
  }

  /** Whether the server ended the stream. */
  boolean ended() {
    return ended;
  }

  @Override
  public void close() throws IOException {
    reader.interrupt();
    response.body().close();
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      parse(in);
    } catch (IOException e) {
      // Closed by the test or the server.
    } finally {
      ended = true;
    }
  }

  private void parse(BufferedReader in) throws IOException {
    String lastId = "";
    String type = "";
    StringBuilder data = null;
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          String d = data.substring(0, data.length() - 1);
          events.add(new Event(type.isEmpty() ? "message" : type, lastId, d));
        }
        data = null;
        type = "";
        continue;
      }
      if (line.startsWith(":")) {
        comments.incrementAndGet();
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> type = value;
        case "data" ->
            (data == null ? data = new StringBuilder() : data).append(value).append('\n');
        case "id" -> {
          if (value.indexOf('\0') < 0) {
            lastId = value;
          }
        }
        case "retry" -> retry = value;
        default -> {
          // Unknown fields are ignored, as the spec says.
        }
      }
    }
  }
}
