package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.Channel;
import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import dev.herald.push.spi.Replay;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code GET /demo/chat/history?room=<room>}: the room's last {@value #LAST} messages and the
 * cursor to subscribe from, so that nothing falls between the history and the live feed. The cursor
 * also holds the room's presence channel one message back, so the newest member count is replayed
 * at once. Answers {@code {"room","channel","presence","messages":[…],"cursor"}}. Thread-safe.
 */
final class ChatHistoryServlet extends JsonServlet {
  private static final long serialVersionUID = 1L;
  static final int LAST = 50;
  static final Pattern ROOM = Pattern.compile("[a-z0-9-]{1,32}");

  private final transient PushHub hub;

  ChatHistoryServlet(PushHub hub) {
    this.hub = hub;
  }

  @Override
  JsonNode handle(String path, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!"/history".equals(path)) {
      throw notFound();
    }
    if (!"GET".equals(request.getMethod())) {
      throw new Refusal(405, "method_not_allowed", "use GET");
    }
    String room = request.getParameter("room");
    room = room == null ? "" : room.strip().toLowerCase(Locale.ROOT);
    if (!ROOM.matcher(room).matches()) {
      throw new Refusal(400, "bad_request", "a room is 1 to 32 of a-z, 0-9 and -");
    }
    Channel chat = hub.channel("chat/" + room);
    Position head = await(chat.position());
    Position since = head.withOffset(Math.max(0, head.offset() - LAST));
    Replay replay = await(chat.history(since, LAST));
    List<Message> messages = replay.messages();
    // Live messages start right after the last one shown. History that no longer reaches back
    // that far (a reset) starts the room at the head the broker reported.
    Position from;
    if (!messages.isEmpty()) {
      from = messages.get(messages.size() - 1).position();
    } else {
      from = replay.reset() ? replay.head() : since;
    }

    Channel presence = hub.channel(ChatPresence.channelFor(chat.name()));
    Position count = await(presence.position());
    String cursor =
        Cursor.empty()
            .with(chat.name(), from)
            .with(presence.name(), count.withOffset(Math.max(0, count.offset() - 1)))
            .encode();

    ObjectNode body =
        JSON.createObjectNode()
            .put("room", room)
            .put("channel", chat.name())
            .put("presence", presence.name());
    ArrayNode list = body.putArray("messages");
    for (Message m : messages) {
      list.addObject()
          .put("offset", m.offset())
          .put("time", m.time().toString())
          .set("data", JSON.readTree(m.data()));
    }
    return body.put("cursor", cursor);
  }
}
