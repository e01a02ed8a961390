package dev.herald.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * A transport for tests: records every frame the hub writes and parses JSON frames. It can hold
 * writes back to play a client that stops reading. Thread-safe.
 */
public final class RecordingSink implements FrameSink {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Frame> frames = new CopyOnWriteArrayList<>();
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicReference<CloseReason> closed = new AtomicReference<>();
  private final AtomicInteger closeCalls = new AtomicInteger();
  private volatile boolean stalled;
  private final List<WriteCallback> heldCallbacks = new ArrayList<>();

  /** Makes later writes never complete, as a client that stopped reading. */
  public void stall() {
    stalled = true;
  }

  /** Completes the held writes and writes at once from now on. */
  public void resume() {
    List<WriteCallback> held;
    synchronized (heldCallbacks) {
      stalled = false;
      held = new ArrayList<>(heldCallbacks);
      heldCallbacks.clear();
    }
    for (WriteCallback cb : held) {
      inFlight.decrementAndGet();
      cb.succeeded();
    }
  }

  @Override
  public void write(List<Frame> batch, WriteCallback callback) {
    synchronized (this) {
      if (closed.get() != null) {
        // Like a closed socket: nothing more reaches the client.
        callback.failed(new java.io.IOException("closed"));
        return;
      }
      frames.addAll(batch);
    }
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    batchSizes.add(batch.size());
    synchronized (heldCallbacks) {
      if (stalled) {
        heldCallbacks.add(callback);
        return;
      }
    }
    inFlight.decrementAndGet();
    callback.succeeded();
  }

  @Override
  public synchronized void close(CloseReason reason) {
    closeCalls.incrementAndGet();
    closed.compareAndSet(null, reason);
  }

  public List<Frame> frames() {
    return List.copyOf(frames);
  }

  public List<Frame> frames(Frame.Type type) {
    return frames.stream().filter(f -> f.type() == type).collect(Collectors.toList());
  }

  /** The JSON of every frame of the type (JSON wire formats only). */
  public List<JsonNode> json(Frame.Type type) {
    return frames(type).stream().map(RecordingSink::parse).collect(Collectors.toList());
  }

  /** The offsets of the messages received on a channel, in arrival order. */
  public List<Long> offsets(String channel) {
    return json(Frame.Type.MESSAGE).stream()
        .filter(n -> n.get("channel").asText().equals(channel))
        .map(n -> n.get("offset").asLong())
        .collect(Collectors.toList());
  }

  public int messageCount() {
    return frames(Frame.Type.MESSAGE).size();
  }

  /** The cursor of the last frame that carried one. */
  public String lastCursor() {
    String cursor = null;
    for (Frame f : frames) {
      if (f.cursor() != null) {
        cursor = f.cursor();
      }
    }
    return cursor;
  }

  public List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  public CloseReason closedWith() {
    return closed.get();
  }

  public int closeCalls() {
    return closeCalls.get();
  }

  public static JsonNode parse(Frame frame) {
    try {
      return JSON.readTree(frame.toBytes());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + frame.text(), e);
    }
  }
}
