package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Channel;
import dev.herald.push.Cursor;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * The token-streaming demo's endpoints, under {@code /demo/answers}: {@code POST /start} with
 * {@code {"prompt"}} starts an answer and returns {@code {"id","channel","cursor"}}, the cursor
 * taken before the first word so the page misses none; {@code POST /cancel} with {@code {"id"}}
 * stops it on the server. Thread-safe.
 */
final class AnswerServlet extends JsonServlet {
  private static final long serialVersionUID = 1L;
  static final int MAX_PROMPT = 500;
  private static final Pattern ID = Pattern.compile("[a-z0-9]{16}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final transient PushHub hub;
  private final transient AnswerGenerator generator;

  AnswerServlet(PushHub hub, AnswerGenerator generator) {
    this.hub = hub;
    this.generator = generator;
  }

  @Override
  JsonNode handle(String path, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!"POST".equals(request.getMethod())) {
      throw new Refusal(405, "method_not_allowed", "use POST");
    }
    return switch (path) {
      case "/start" -> start(body(request).path("prompt").asText("").strip());
      case "/cancel" -> cancel(body(request).path("id").asText(""));
      default -> throw notFound();
    };
  }

  private JsonNode start(String prompt) {
    if (prompt.isEmpty() || prompt.length() > MAX_PROMPT) {
      throw new Refusal(400, "bad_request", "a prompt is 1 to " + MAX_PROMPT + " characters");
    }
    String id = newId();
    Channel channel = hub.channel("answer/" + id);
    Position before = await(channel.position());
    if (!generator.start(id, channel, prompt)) {
      throw new Refusal(429, "rate_limited", "too many answers at once; try again shortly");
    }
    return JSON.createObjectNode()
        .put("id", id)
        .put("channel", channel.name())
        .put("cursor", Cursor.empty().with(channel.name(), before).encode());
  }

  private static String newId() {
    char[] id = new char[16];
    for (int i = 0; i < id.length; i++) {
      id[i] = Character.forDigit(RANDOM.nextInt(36), 36);
    }
    return new String(id);
  }

  private JsonNode cancel(String id) {
    if (!ID.matcher(id).matches()) {
      throw new Refusal(400, "bad_request", "no such answer");
    }
    return JSON.createObjectNode().put("cancelled", generator.cancel(id));
  }
}
