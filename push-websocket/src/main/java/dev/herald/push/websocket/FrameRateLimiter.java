package dev.herald.push.websocket;

/**
 * A token bucket over one socket's client frames, with a count of refusals that closes the socket
 * once a client keeps flooding. Not thread-safe: the container hands a socket's messages to its
 * endpoint one at a time, and only that path uses the limiter.
 *
 * <p>Refusals count towards the close until the bucket is full again: a client that bursts now and
 * then is told to slow down and recovers, while one that never pauses is closed.
 */
final class FrameRateLimiter {
  private final double tokensPerNano;
  private final double burst;
  private final int maxRefusals;
  private double tokens;
  private long last;
  private int refusals;

  FrameRateLimiter(double framesPerSecond, int burst, int maxRefusals, long nowNanos) {
    this.tokensPerNano = framesPerSecond / 1e9;
    this.burst = burst;
    this.maxRefusals = maxRefusals;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one frame's token; returns {@code false}, counting a refusal, if there is none. */
  boolean tryAcquire(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
      last = nowNanos;
    }
    if (tokens >= burst) {
      refusals = 0;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    refusals++;
    return false;
  }

  /** Whether the client was refused often enough to be closed. */
  boolean exhausted() {
    return refusals >= maxRefusals;
  }
}
