package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.PushException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo's small JSON endpoints share this: reading a bounded JSON body, writing JSON and
 * answering errors in Herald's {@code {"type":"error","code","message"}} shape. Thread-safe.
 */
abstract class JsonServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final int MAX_BODY = 8 * 1024;

  static final ObjectMapper JSON = new ObjectMapper();

  /** A request the endpoint refuses, with the status and the message the user sees. */
  static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Refusal(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  /** Handles one request; may throw {@link Refusal}. */
  abstract JsonNode handle(String path, HttpServletRequest request, HttpServletResponse response)
      throws IOException;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    JsonNode body;
    try {
      body = handle(path, request, response);
    } catch (Refusal r) {
      body = error(response, r.status, r.code, r.getMessage());
    } catch (PushException e) {
      body = error(response, e.code().httpStatus(), e.code().wireName(), e.getMessage());
    }
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.getOutputStream().write(JSON.writeValueAsBytes(body));
  }

  private static JsonNode error(HttpServletResponse response, int status, String code, String msg) {
    response.setStatus(status);
    return JSON.createObjectNode().put("type", "error").put("code", code).put("message", msg);
  }

  /** The request's JSON object body, at most 8 KiB. */
  static ObjectNode body(HttpServletRequest request) throws IOException {
    String type = request.getContentType();
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      throw new Refusal(415, "unsupported_media_type", "send application/json");
    }
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new Refusal(413, "too_large", "the body is larger than " + MAX_BODY + " bytes");
      }
      JsonNode node = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
      if (node == null || !node.isObject()) {
        throw new Refusal(400, "bad_request", "the body must be a JSON object");
      }
      return (ObjectNode) node;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new Refusal(400, "bad_request", "the body is not valid JSON");
    }
  }

  /** A text field of {@code body}, trimmed, or "" when it is missing. */
  static String text(JsonNode body, String field) {
    JsonNode node = body.get(field);
    return node == null || !node.isTextual() ? "" : node.asText().strip();
  }

  /** Waits for a broker call; the demo's endpoints are short and the broker bounds its calls. */
  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PushException p) {
        throw p;
      }
      throw new Refusal(503, "unavailable", "the broker failed: " + e.getCause());
    } catch (TimeoutException e) {
      throw new Refusal(503, "unavailable", "the broker did not answer in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Refusal(503, "unavailable", "interrupted");
    }
  }

  static Refusal notFound() {
    return new Refusal(404, "not_found", "no such endpoint");
  }
}
