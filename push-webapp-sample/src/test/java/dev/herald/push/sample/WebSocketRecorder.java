package dev.herald.push.sample;

import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the text frames and the close of one JDK WebSocket. Thread-safe: the client's thread
 * writes, the test thread reads.
 */
final class WebSocketRecorder implements WebSocket.Listener {
  private final List<String> frames = new CopyOnWriteArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile String close;

  @Override
  public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    socket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
    close = statusCode + " " + reason;
    return null;
  }

  @Override
  public void onError(WebSocket socket, Throwable error) {
    close = "error " + error;
  }

  /** The text frames received so far. */
  List<String> frames() {
    return List.copyOf(frames);
  }

  /** {@code "<code> <reason>"} once the server closed the socket, else {@code null}. */
  String close() {
    return close;
  }
}
