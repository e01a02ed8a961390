package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An NDJSON streaming client on the JDK HttpClient that records every line as JSON. */
final class NdjsonClient implements AutoCloseable {
  final HttpResponse<InputStream> response;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private final Thread reader;

  private NdjsonClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "ndjson-client");
    reader.setDaemon(true);
    reader.start();
  }

  static NdjsonClient open(TestServer server, String pathAndQuery, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.uri(pathAndQuery)).timeout(SseClient.WAIT).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return new NdjsonClient(
        server.http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  /** The next line, failing after ten seconds without one. */
  JsonNode next() throws InterruptedException {
    JsonNode line = lines.poll(SseClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null) {
      fail("no NDJSON line within " + SseClient.WAIT);
    }
    return line;
  }

  /** The next line that is not a heartbeat. */
  JsonNode nextFrame() throws InterruptedException {
    JsonNode line;
    do {
      line = next();
    } while (line.get("type").asText().equals("heartbeat"));
    return line;
  }

  @Override
  public void close() throws IOException {
    reader.interrupt();
    response.body().close();
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(Http.json(line));
      }
    } catch (IOException e) {
      // Closed by the test or the server.
    }
  }
}
