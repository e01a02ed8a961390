package dev.herald.push.client;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Reconnect delays: exponential with full jitter, capped. Attempt {@code n} (from 0) waits a
 * uniformly random time in {@code [0, min(max, min * 2^n))}, so clients that lost their server
 * together do not return together. Immutable; thread-safe if its random source is.
 */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private final DoubleSupplier random;

  Backoff(Duration min, Duration max, DoubleSupplier random) {
    this.minMillis = min.toMillis();
    this.maxMillis = max.toMillis();
    this.random = random;
  }

  /** The ceiling of attempt {@code attempt}'s delay: {@code min(max, min * 2^attempt)}. */
  long ceilingMillis(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
    }
    // min * 2^attempt must stay below 2^63: past that, the cap applies anyway.
    if (attempt >= Long.numberOfLeadingZeros(minMillis) - 1) {
      return maxMillis;
    }
    return Math.min(maxMillis, minMillis << attempt);
  }

  /** The delay before attempt {@code attempt}, in milliseconds. */
  long delayMillis(int attempt) {
    return delayWithin(ceilingMillis(attempt));
  }

  /** A uniformly random delay in {@code [0, window)} milliseconds (the server's hint). */
  long delayWithin(long windowMillis) {
    if (windowMillis < 0) {
      throw new IllegalArgumentException("window must be >= 0, was " + windowMillis);
    }
    return (long) (random.getAsDouble() * windowMillis);
  }
}
