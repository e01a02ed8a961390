package dev.herald.push.client;

import java.util.function.Consumer;

/**
 * Turns the lines of a {@code text/event-stream} into events, as the HTML standard's parser does:
 * {@code data:} lines joined by LF, {@code event:} and {@code id:} fields, comments and unknown
 * fields ignored, an event dispatched at each blank line if it has data. Lines arrive already split
 * on CR, LF or CRLF. Not thread-safe; confine to the reading thread.
 */
final class SseParser {
  /**
   * One dispatched event.
   *
   * @param type the {@code event:} field, or {@code message} if there was none
   * @param data the {@code data:} lines joined by LF
   * @param lastEventId the last {@code id:} seen on the stream, or {@code null}
   */
  record Event(String type, String data, String lastEventId) {}

  private final Consumer<Event> sink;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String type;
  private String lastEventId;

  SseParser(Consumer<Event> sink) {
    this.sink = sink;
  }

  /** Feeds one line, without its terminator. */
  void line(String line) {
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = "";
    if (colon >= 0) {
      int from = colon + 1;
      if (from < line.length() && line.charAt(from) == ' ') {
        from++;
      }
      value = line.substring(from);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "event" -> type = value;
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      default -> {
        // retry: the client's own backoff governs reconnects; anything else is to be ignored.
      }
    }
  }

  private void dispatch() {
    if (hasData) {
      sink.accept(
          new Event(
              type == null || type.isEmpty() ? "message" : type, data.toString(), lastEventId));
    }
    data.setLength(0);
    hasData = false;
    type = null;
  }
}
