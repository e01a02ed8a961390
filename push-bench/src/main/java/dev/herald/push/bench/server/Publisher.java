package dev.herald.push.bench.server;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Publishes at a fixed rate, open loop: message {@code i} is due at {@code start + i / rate} and
 * carries that intended time, not the time it was actually sent. A server that falls behind
 * therefore shows its stall in the subscribers' latency instead of quietly publishing less
 * (coordinated omission). Channels take turns; each has its own sequence, from 1, that never
 * restarts, so a subscriber can count gaps and repeats.
 *
 * <p>The message is {@code {"bench":"SEQ.NANOS","p":"xxx…"}} padded to the requested size, one
 * field so that a client finds both numbers with one search whatever order a server writes fields
 * in; NANOS is {@link System#nanoTime}, which on Linux is the machine-wide monotonic clock, so
 * client processes can compare it with their own.
 *
 * <p>Thread-safe: one run at a time, on its own thread.
 */
final class Publisher {
  private final Target target;
  private long[] sequences = new long[0];
  private Thread thread;
  private volatile long maxLagNanos;

  Publisher(Target target) {
    this.target = target;
  }

  /**
   * Starts a run of {@code rate} messages per second in total over {@code channels} channels for
   * {@code seconds}; returns false if a run is still going.
   */
  synchronized boolean start(int channels, double rate, double seconds, int size) {
    if (thread != null && thread.isAlive()) {
      return false;
    }
    if (sequences.length < channels) {
      sequences = Arrays.copyOf(sequences, channels);
    }
    long total = Math.round(rate * seconds);
    String padding = "x".repeat(Math.max(1, size - 40));
    long[] seq = sequences;
    maxLagNanos = 0;
    thread =
        new Thread(
            () -> run(channels, rate, total, padding, seq), "bench-publisher-" + System.nanoTime());
    thread.setDaemon(true);
    thread.start();
    return true;
  }

  private void run(int channels, double rate, long total, String padding, long[] seq) {
    double interval = 1e9 / rate;
    long start = System.nanoTime() + 1_000_000;
    StringBuilder sb = new StringBuilder(padding.length() + 64);
    for (long i = 0; i < total; i++) {
      long due = start + (long) (i * interval);
      long wait;
      // parkNanos may return early (a permit left by a lock hand-off, or spuriously): park again
      // rather than spin away the rest of the interval, which would bill the server's CPU.
      while ((wait = due - System.nanoTime()) > 20_000) {
        LockSupport.parkNanos(wait - 10_000);
      }
      while (System.nanoTime() < due) {
        Thread.onSpinWait();
      }
      long lag = System.nanoTime() - due;
      if (lag > maxLagNanos) {
        maxLagNanos = lag;
      }
      int channel = (int) (i % channels);
      long s;
      synchronized (this) {
        s = ++seq[channel];
      }
      sb.setLength(0);
      sb.append("{\"bench\":\"").append(s).append('.').append(due);
      sb.append("\",\"p\":\"").append(padding).append("\"}");
      target.publish(channel, sb.toString());
    }
  }

  synchronized boolean running() {
    return thread != null && thread.isAlive();
  }

  /** Messages published so far per channel. */
  synchronized long[] published() {
    return sequences.clone();
  }

  /** How late the publisher ran behind its schedule at worst in the last run. */
  long maxLagNanos() {
    return maxLagNanos;
  }
}
