package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;

/**
 * The notifications demo's endpoints, under {@code /demo/notifications}: {@code POST /login} with
 * {@code {"name"}} answers {@code {"user","token","channel"}}; {@code POST /send} with {@code
 * {"to","text"}} and the sender's token as {@code Authorization: Bearer} publishes to {@code
 * user/<to>} on the server's behalf, since no client may publish there. Thread-safe.
 */
final class NotificationServlet extends JsonServlet {
  private static final long serialVersionUID = 1L;
  static final int MAX_TEXT = 280;

  private final transient PushHub hub;
  private final transient Logins logins;

  NotificationServlet(PushHub hub, Logins logins) {
    this.hub = hub;
    this.logins = logins;
  }

  @Override
  JsonNode handle(String path, HttpServletRequest request, HttpServletResponse response)
      throws java.io.IOException {
    if (!"POST".equals(request.getMethod())) {
      throw new Refusal(405, "method_not_allowed", "use POST");
    }
    return switch (path) {
      case "/login" -> login(body(request));
      case "/send" -> send(request, response);
      default -> throw notFound();
    };
  }

  private JsonNode login(JsonNode body) {
    String name = text(body, "name");
    String token;
    try {
      token = logins.login(name);
    } catch (IllegalArgumentException e) {
      throw new Refusal(400, "bad_request", "a name is 1 to 24 letters, digits, _ or -");
    }
    return JSON.createObjectNode()
        .put("user", name)
        .put("token", token)
        .put("channel", PersonalChannels.PREFIX + name);
  }

  private JsonNode send(HttpServletRequest request, HttpServletResponse response)
      throws java.io.IOException {
    String auth = request.getHeader("Authorization");
    String from =
        auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
            ? logins.authenticate(auth.substring(7).trim())
            : null;
    if (from == null) {
      throw new Refusal(401, "unauthorized", "log in first");
    }
    ObjectNode body = body(request);
    String to = text(body, "to");
    String text = ChatMessages.clean(text(body, "text"));
    if (!Logins.NAME.matcher(to).matches()) {
      throw new Refusal(400, "bad_request", "name a user: 1 to 24 letters, digits, _ or -");
    }
    if (text.isEmpty() || text.length() > MAX_TEXT) {
      throw new Refusal(400, "bad_request", "a notification is 1 to " + MAX_TEXT + " characters");
    }
    Message sent =
        await(
            hub.channel(PersonalChannels.PREFIX + to)
                .publish(
                    "notification",
                    Map.of("from", from, "text", text, "ts", System.currentTimeMillis())));
    response.setStatus(202);
    return JSON.createObjectNode()
        .put("channel", sent.channel())
        .put("offset", sent.offset())
        .put("epoch", sent.epoch());
  }
}
