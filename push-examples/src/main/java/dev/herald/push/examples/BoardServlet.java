package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Channel;
import dev.herald.push.Cursor;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;

/**
 * {@code GET /demo/board/start?board=<name>}: the cursor a page subscribes to {@code board/<name>}
 * from, so that the board's history (its last {@value #KEPT} strokes segments and clears) is
 * replayed to it before the live messages, and a late joiner draws the whole board. Answers {@code
 * {"board","channel","kept","cursor"}}. If the history holds less than that (older messages aged
 * out), the subscription starts with a {@code reset} and then everything the history still holds,
 * which the page handles as it handles any reset. Thread-safe.
 */
final class BoardServlet extends JsonServlet {
  private static final long serialVersionUID = 1L;

  /**
   * How many messages a board keeps: the demo hub's history size (the default of both brokers,
   * within their default hour). The page drops strokes older than that too, so a page open for long
   * shows what a late joiner sees.
   */
  static final int KEPT = 1000;

  private final transient PushHub hub;

  BoardServlet(PushHub hub) {
    this.hub = hub;
  }

  /** The channel of a board. */
  static String channelFor(String board) {
    return "board/" + board;
  }

  @Override
  JsonNode handle(String path, HttpServletRequest request, HttpServletResponse response) {
    if (!"/start".equals(path)) {
      throw notFound();
    }
    if (!"GET".equals(request.getMethod())) {
      throw new Refusal(405, "method_not_allowed", "use GET");
    }
    String board = request.getParameter("board");
    board = board == null ? "" : board.strip().toLowerCase(Locale.ROOT);
    if (!ChatHistoryServlet.ROOM.matcher(board).matches()) {
      throw new Refusal(400, "bad_request", "a board name is 1 to 32 of a-z, 0-9 and -");
    }
    Channel channel = hub.channel(channelFor(board));
    Position head = await(channel.position());
    Position from = head.withOffset(Math.max(0, head.offset() - KEPT));
    String cursor = Cursor.empty().with(channel.name(), from).encode();
    return JSON.createObjectNode()
        .put("board", board)
        .put("channel", channel.name())
        .put("kept", KEPT)
        .put("cursor", cursor);
  }
}
