package dev.herald.push.bench.jmh;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A transport that writes nowhere: each write completes at once, on the calling thread, and its
 * message frames are counted here and in a shared {@link DeliveryCounter}. Other frames ({@code
 * ready}, {@code subscribed}) pass uncounted. Thread-safe.
 */
final class CountingSink implements FrameSink {
  private final DeliveryCounter counter;
  private final AtomicLong messages = new AtomicLong();
  private volatile Frame lastMessage;
  private volatile CloseReason closeReason;

  CountingSink(DeliveryCounter counter) {
    this.counter = counter;
  }

  @Override
  public void write(List<Frame> frames, WriteCallback callback) {
    int n = 0;
    Frame last = null;
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      if (f.type() == Frame.Type.MESSAGE) {
        n++;
        last = f;
      }
    }
    if (n > 0) {
      // This sink's own count first, so a thread woken by the shared counter sees it.
      lastMessage = last;
      messages.addAndGet(n);
      counter.arrived(n);
    }
    callback.succeeded();
  }

  @Override
  public void close(CloseReason reason) {
    closeReason = reason;
  }

  /** Message frames written to this sink. */
  long messages() {
    return messages.get();
  }

  /** The last message frame written, or {@code null}. */
  Frame lastMessage() {
    return lastMessage;
  }

  /** Why the hub closed this sink, or {@code null} while it is open. */
  CloseReason closeReason() {
    return closeReason;
  }
}
