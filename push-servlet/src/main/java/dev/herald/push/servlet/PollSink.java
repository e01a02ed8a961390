package dev.herald.push.servlet;

import dev.herald.push.Cursor;
import dev.herald.push.ErrorCode;
import dev.herald.push.Position;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long poll: collects the hub's frames and answers once, with {@code {"messages":[…],
 * "cursor":…}}. Thread-safe.
 *
 * <p>Design notes. The answer's cursor is the one of the last frame it holds (or of the {@code
 * ready} frame), never the connection's cursor, which may count frames still queued: passed back,
 * it yields exactly what came after, so a poll loop loses nothing. The poll answers once it holds a
 * message or reset (or its timeout expired) and has caught up: the last cursor it saw is the
 * connection's cursor (nothing queued or in flight) and reaches every channel's head (no replay
 * still running), so a backlog goes out as one batch; or at once when it holds {@link #MAX_FRAMES}
 * frames or {@link #MAX_BYTES} bytes. Frames arriving after the answer was taken are dropped: the
 * next poll gets them again from history. Write callbacks succeed at once, so the hub never waits
 * on a poll.
 */
final class PollSink implements FrameSink, AsyncListener {
  private static final Logger LOG = LoggerFactory.getLogger(PollSink.class);

  /** The most frames one poll answer holds. */
  static final int MAX_FRAMES = 1000;

  /** Roughly the most bytes one poll answer holds. */
  static final int MAX_BYTES = 1 << 20;

  private static final byte[] OPEN = "{\"messages\":[".getBytes(StandardCharsets.US_ASCII);

  private final HttpServletResponse response;
  private final List<String> channels;
  private final Function<String, CompletionStage<Position>> head;
  private final String since;
  private final Runnable onClosed;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final List<Frame> frames = new ArrayList<>();
  private int bytes;

  /** Frames in {@link #frames} that answer the poll: messages and resets, not presence. */
  private int answerable;

  private String cursor;
  private boolean started;
  private boolean expired;
  private boolean answered;
  private Connection connection;
  private ScheduledFuture<?> timer;

  /** Set once, before the connection exists. */
  private volatile AsyncOutput output;

  /**
   * @param channels the channels polled
   * @param head a channel's current position, from the broker
   * @param since the cursor the client sent, or {@code null}; answered back if the connection never
   *     reported one
   * @param onClosed runs once when the hub closes the connection
   */
  PollSink(
      HttpServletResponse response,
      List<String> channels,
      Function<String, CompletionStage<Position>> head,
      String since,
      Runnable onClosed) {
    this.response = response;
    this.channels = channels;
    this.head = head;
    this.since = since;
    this.onClosed = onClosed;
  }

  /** Sets the output; called before {@code connect}. */
  void output(AsyncOutput out) {
    this.output = out;
  }

  /** Starts answering, once {@code connect} returned and the output started. */
  void start(Connection c, ScheduledFuture<?> timeout) {
    lock.lock();
    try {
      connection = c;
      timer = timeout;
      started = true;
    } finally {
      lock.unlock();
    }
    if (output.isDone()) {
      c.close(CloseReason.CLIENT_GONE);
    }
    maybeAnswer();
    lock.lock();
    try {
      if (!answered) {
        return;
      }
    } finally {
      lock.unlock();
    }
    // Answered before it started (the hub closed the connection early): the timer is moot.
    cancelTimer();
  }

  /** The poll's time is up: answer with what there is, an empty list if nothing. */
  void expire() {
    lock.lock();
    try {
      expired = true;
    } finally {
      lock.unlock();
    }
    maybeAnswer();
  }

  // ---- FrameSink

  @Override
  public void write(List<Frame> batch, WriteCallback callback) {
    lock.lock();
    try {
      if (!answered) {
        for (Frame f : batch) {
          if (frames.size() >= MAX_FRAMES || bytes >= MAX_BYTES) {
            break;
          }
          switch (f.type()) {
            case READY -> cursor = f.cursor();
            case MESSAGE, RESET, PRESENCE -> {
              frames.add(f);
              bytes += f.size() + 1;
              if (f.type() != Frame.Type.PRESENCE) {
                // Presence alone does not end a poll: it rides along with the next answer, or
                // every poll that asks for it would answer at once with its snapshot.
                answerable++;
              }
              if (f.cursor() != null) {
                // Ephemeral messages and presence frames move no cursor.
                cursor = f.cursor();
              }
            }
            default -> {
              // Heartbeats, errors and the like: a poll answer carries messages, resets and
              // presence.
            }
          }
        }
      }
    } finally {
      lock.unlock();
    }
    callback.succeeded();
    maybeAnswer();
  }

  @Override
  public void close(CloseReason reason) {
    onClosed.run();
    LOG.debug("Poll closed: {}", reason.code());
    if (reason.equals(CloseReason.CLIENT_GONE)) {
      lock.lock();
      try {
        answered = true;
      } finally {
        lock.unlock();
      }
      cancelTimer();
      output.abort();
      return;
    }
    if (reason.equals(CloseReason.COMPLETED)) {
      return;
    }
    // Shut down, a full outbox or a failing broker: answer with what there is.
    answer(true, reason.equals(CloseReason.UNAVAILABLE));
  }

  private void maybeAnswer() {
    Connection c;
    String seen;
    lock.lock();
    try {
      if (!started || answered || cursor == null) {
        return;
      }
      if (frames.size() >= MAX_FRAMES || bytes >= MAX_BYTES) {
        c = null;
      } else if (answerable == 0 && !expired) {
        return;
      } else {
        c = connection;
      }
      seen = cursor;
    } finally {
      lock.unlock();
    }
    if (c == null) {
      answer(false, false);
      return;
    }
    // Until this poll has seen the connection's latest cursor, frames are queued or in flight to
    // it; the write that brings them answers. Read outside the lock: the connection takes its own.
    if (!c.cursor().encode().equals(seen)) {
      return;
    }
    answerIfLevelWithHeads(seen);
  }

  /**
   * Answers if {@code seen} reaches every channel's head; otherwise a replay is still bringing
   * frames, and the write that brings them comes back here.
   */
  private void answerIfLevelWithHeads(String seen) {
    Cursor at = Cursor.decode(seen);
    List<CompletableFuture<Position>> heads = new ArrayList<>(channels.size());
    for (String channel : channels) {
      heads.add(head.apply(channel).toCompletableFuture());
    }
    CompletableFuture.allOf(heads.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) -> {
              if (error == null) {
                for (int i = 0; i < channels.size(); i++) {
                  Position p = at.position(channels.get(i));
                  Position h = heads.get(i).join();
                  if (p == null || !p.epoch().equals(h.epoch()) || p.offset() < h.offset()) {
                    return;
                  }
                }
              }
              answer(false, false);
            });
  }

  /** Takes the answer and writes it; at most once. */
  private void answer(boolean closing, boolean unavailable) {
    byte[] body;
    int status;
    Connection c;
    lock.lock();
    try {
      if (answered || (!started && !closing)) {
        return;
      }
      answered = true;
      c = connection;
      if (frames.isEmpty() && (unavailable || (cursor == null && since == null))) {
        status = ErrorCode.UNAVAILABLE.httpStatus();
        body =
            HttpError.json(
                    ErrorCode.UNAVAILABLE.wireName(),
                    "the channels' positions could not be read; retry")
                .getBytes(StandardCharsets.UTF_8);
      } else {
        status = HttpServletResponse.SC_OK;
        body = body(frames, cursor != null ? cursor : since);
      }
    } finally {
      lock.unlock();
    }
    cancelTimer();
    if (c != null) {
      c.close(CloseReason.COMPLETED);
    }
    output.ifLive(
        () -> {
          if (!response.isCommitted()) {
            response.setStatus(status);
            response.setContentType("application/json");
            response.setContentLength(body.length);
          }
        });
    output.write(body, null);
    output.end();
  }

  static byte[] body(List<Frame> frames, String cursor) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + frames.size() * 256);
    out.writeBytes(OPEN);
    for (int i = 0; i < frames.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(frames.get(i).bytes());
    }
    StringBuilder tail = new StringBuilder("],\"cursor\":");
    HttpError.quote(tail, cursor);
    out.writeBytes(tail.append('}').toString().getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  private void cancelTimer() {
    ScheduledFuture<?> t;
    lock.lock();
    try {
      t = timer;
      timer = null;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      t.cancel(false);
    }
  }

  // ---- AsyncListener: the container's safety net and the client's departure

  /** The client went away, or its response failed: release everything without answering. */
  void gone() {
    Connection c;
    lock.lock();
    try {
      answered = true;
      c = connection;
    } finally {
      lock.unlock();
    }
    cancelTimer();
    if (c != null) {
      c.close(CloseReason.CLIENT_GONE);
    }
  }

  @Override
  public void onComplete(AsyncEvent event) {
    output.containerCompleted();
    gone();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    // Only if the hub never told the start position: the poll's own timer answers otherwise.
    boolean unanswered;
    lock.lock();
    try {
      unanswered = !answered;
    } finally {
      lock.unlock();
    }
    if (unanswered) {
      output.ifLive(
          () -> {
            if (!response.isCommitted()) {
              response.setStatus(ErrorCode.UNAVAILABLE.httpStatus());
            }
          });
    }
    output.containerFailed();
    gone();
  }

  @Override
  public void onError(AsyncEvent event) {
    output.containerFailed();
    gone();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
    // Not restarted.
  }
}
