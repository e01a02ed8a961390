package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Small request helpers for the transport tests. */
final class Http {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Http() {}

  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static HttpResponse<String> get(TestServer server, String pathAndQuery, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(pathAndQuery)).timeout(SseClient.WAIT).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(server, b.build());
  }

  static HttpResponse<String> post(
      TestServer server, String path, String contentType, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.uri(path))
            .timeout(SseClient.WAIT)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(server, b.build());
  }

  static HttpResponse<String> send(TestServer server, HttpRequest request)
      throws IOException, InterruptedException {
    return server.http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Publishes on the server's behalf and waits until it is stored. */
  static Message publish(PushHub hub, String channel, String event, String json) {
    return hub.channel(channel).publishJson(event, json).toCompletableFuture().join();
  }

  /** Asserts a JSON error answer with this status and code. */
  static void assertError(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    JsonNode body = json(response.body());
    assertThat(body.get("type").asText()).isEqualTo("error");
    assertThat(body.get("code").asText()).isEqualTo(code);
    assertThat(body.get("message").asText()).isNotBlank();
  }
}
