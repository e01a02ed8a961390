package dev.herald.push.micrometer;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A transport's side of a connection that takes every write at once and keeps the frames. */
final class CollectingSink implements FrameSink {
  private final List<Frame> frames = new CopyOnWriteArrayList<>();

  @Override
  public void write(List<Frame> batch, WriteCallback callback) {
    frames.addAll(batch);
    callback.succeeded();
  }

  @Override
  public void close(CloseReason reason) {}

  List<Frame> frames() {
    return frames;
  }

  long bytes() {
    return frames.stream().mapToLong(Frame::size).sum();
  }

  long count(Frame.Type type) {
    return frames.stream().filter(f -> f.type() == type).count();
  }
}
