package dev.herald.push.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A transport stand-in for NDJSON connections: records every frame it is asked to write, parsed,
 * and succeeds at once. Thread-safe.
 */
final class RecordingSink implements FrameSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One frame as the client would read it. Immutable. */
  record Received(
      String type,
      String channel,
      long offset,
      String epoch,
      String event,
      String data,
      String cursor) {}

  private final List<Received> frames = new ArrayList<>();
  private final List<JsonNode> nodes = new ArrayList<>();
  private int messageCount;
  private CloseReason closed;

  @Override
  public void write(List<Frame> batch, WriteCallback callback) {
    List<Received> parsed = new ArrayList<>(batch.size());
    List<JsonNode> trees = new ArrayList<>(batch.size());
    for (Frame frame : batch) {
      try {
        JsonNode node = JSON.readTree(frame.text());
        trees.add(node);
        parsed.add(
            new Received(
                node.path("type").asText(),
                node.path("channel").asText(null),
                node.path("offset").asLong(-1),
                node.path("epoch").asText(null),
                node.path("event").asText(null),
                node.has("data") ? node.get("data").toString() : null,
                node.path("cursor").asText(null)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    synchronized (this) {
      frames.addAll(parsed);
      nodes.addAll(trees);
      messageCount += (int) parsed.stream().filter(f -> f.type().equals("message")).count();
    }
    callback.succeeded();
  }

  @Override
  public synchronized void close(CloseReason reason) {
    closed = reason;
  }

  /** Every frame but heartbeats, in order. */
  synchronized List<Received> frames() {
    return frames.stream().filter(f -> !f.type().equals("heartbeat")).toList();
  }

  /** Every frame of the type as JSON, in order. */
  synchronized List<JsonNode> json(String type) {
    return nodes.stream().filter(n -> n.path("type").asText().equals(type)).toList();
  }

  /** How many message frames arrived, on every channel. */
  synchronized int messageCount() {
    return messageCount;
  }

  /** The message frames of one channel, in order. */
  synchronized List<Received> messages(String channel) {
    return frames.stream()
        .filter(f -> f.type().equals("message") && channel.equals(f.channel()))
        .toList();
  }

  /** The reset frames of one channel, in order. */
  synchronized List<Received> resets(String channel) {
    return frames.stream()
        .filter(f -> f.type().equals("reset") && channel.equals(f.channel()))
        .toList();
  }

  /** The cursor of the last frame that carried one, or {@code null}. */
  synchronized String lastCursor() {
    for (int i = frames.size() - 1; i >= 0; i--) {
      if (frames.get(i).cursor() != null) {
        return frames.get(i).cursor();
      }
    }
    return null;
  }

  synchronized boolean isReady() {
    return frames.stream().anyMatch(f -> f.type().equals("ready"));
  }

  synchronized CloseReason closeReason() {
    return closed;
  }
}
