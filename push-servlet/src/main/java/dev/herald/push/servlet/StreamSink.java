package dev.herald.push.servlet;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.WireFormat;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's side of one SSE or NDJSON streaming response: frames go to the non-blocking {@link
 * AsyncOutput}, and every sign that the client went away (a failed write, the container's async
 * error, timeout or completion) closes the hub connection, so no subscription outlives its
 * response. Thread-safe.
 */
final class StreamSink implements FrameSink, AsyncListener {
  private static final Logger LOG = LoggerFactory.getLogger(StreamSink.class);

  private final WireFormat format;
  private final Runnable onClosed;
  private final AtomicReference<Connection> connection = new AtomicReference<>();
  private final AtomicBoolean gone = new AtomicBoolean();
  private volatile AsyncOutput output;

  /**
   * @param onClosed runs once when the hub closes the connection, for the servlet's bookkeeping
   */
  StreamSink(WireFormat format, Runnable onClosed) {
    this.format = format;
    this.onClosed = onClosed;
  }

  /** Sets the output; frames written before {@link #attach} wait in it. */
  void output(AsyncOutput output) {
    this.output = output;
  }

  /**
   * Ties the sink to its hub connection once {@code connect} returned; if the client already went,
   * the connection closes at once.
   */
  void attach(Connection c) {
    connection.set(c);
    if (gone.get()) {
      c.close(CloseReason.CLIENT_GONE);
    }
  }

  // ---- FrameSink, called by the hub

  @Override
  public void write(List<Frame> frames, WriteCallback callback) {
    // One frame (the usual case below saturation) is written from its shared bytes, uncopied.
    output.write(frames.size() == 1 ? frames.get(0).bytes() : Frame.concat(frames), callback);
  }

  @Override
  public void close(CloseReason reason) {
    onClosed.run();
    LOG.debug("{} stream closed: {}", format, reason.code());
    if (reason.equals(CloseReason.CLIENT_GONE)) {
      output.abort();
      return;
    }
    if (reason.equals(CloseReason.COMPLETED)) {
      output.end();
      return;
    }
    // Queued behind any write still in flight, so a slow client reads it after its backlog.
    output.write(closingFrame(format, reason), null);
    // A slow consumer is behind by definition: its unconfirmed bytes filled the outbox.
    output.giveUp(reason.code().equals(CloseReason.SLOW_CONSUMER.code()));
  }

  /**
   * The last frame of a stream that the server ends: an {@code error} naming the reason, with the
   * reason's reconnect hint as {@code retry}; on SSE also as the {@code retry:} field, so that a
   * plain {@code EventSource} waits that long too.
   */
  static byte[] closingFrame(WireFormat format, CloseReason reason) {
    long retry = reason.retryMillis();
    String json = HttpError.json(reason.code(), reason.message(), retry);
    String text;
    if (format == WireFormat.SSE) {
      text = (retry > 0 ? "retry: " + retry + "\n" : "") + "event: error\ndata: " + json + "\n\n";
    } else {
      text = json + "\n";
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // ---- the client went away

  /** A write failed: the client is gone. */
  void clientGone() {
    if (gone.compareAndSet(false, true)) {
      Connection c = connection.get();
      if (c != null) {
        c.close(CloseReason.CLIENT_GONE);
      }
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    output.containerCompleted();
    clientGone();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    output.containerFailed();
    clientGone();
  }

  @Override
  public void onError(AsyncEvent event) {
    LOG.debug("{} stream failed: {}", format, String.valueOf(event.getThrowable()));
    output.containerFailed();
    clientGone();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // Not restarted.
  }
}
