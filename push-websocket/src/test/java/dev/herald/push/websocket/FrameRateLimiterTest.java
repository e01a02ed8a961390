package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameRateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void tryAcquire_allowsTheBurstThenRefuses() {
    FrameRateLimiter limiter = new FrameRateLimiter(1, 3, 10, 0);

    assertThat(limiter.tryAcquire(0)).isTrue();
    assertThat(limiter.tryAcquire(0)).isTrue();
    assertThat(limiter.tryAcquire(0)).isTrue();
    assertThat(limiter.tryAcquire(0)).isFalse();
  }

  @Test
  void tryAcquire_refillsAtTheSustainedRate() {
    FrameRateLimiter limiter = new FrameRateLimiter(2, 1, 10, 0);
    assertThat(limiter.tryAcquire(0)).isTrue();

    assertThat(limiter.tryAcquire(SECOND / 4)).isFalse();
    assertThat(limiter.tryAcquire(SECOND / 2)).isTrue();
    assertThat(limiter.tryAcquire(SECOND / 2)).isFalse();
    assertThat(limiter.tryAcquire(SECOND)).isTrue();
  }

  @Test
  void exhausted_afterMaxRefusalsWithoutPause() {
    FrameRateLimiter limiter = new FrameRateLimiter(1, 1, 3, 0);
    limiter.tryAcquire(0);

    limiter.tryAcquire(0);
    limiter.tryAcquire(0);
    assertThat(limiter.exhausted()).isFalse();
    limiter.tryAcquire(0);
    assertThat(limiter.exhausted()).isTrue();
  }

  @Test
  void exhausted_countStartsAgainOnceTheWholeBurstIsBack() {
    FrameRateLimiter limiter = new FrameRateLimiter(1, 2, 3, 0);
    limiter.tryAcquire(0);
    limiter.tryAcquire(0);
    limiter.tryAcquire(0);
    limiter.tryAcquire(0);

    // One token back is not enough to forgive: the refusals still count.
    assertThat(limiter.tryAcquire(SECOND)).isTrue();
    limiter.tryAcquire(SECOND);
    assertThat(limiter.exhausted()).isTrue();

    FrameRateLimiter paused = new FrameRateLimiter(1, 2, 3, 0);
    paused.tryAcquire(0);
    paused.tryAcquire(0);
    paused.tryAcquire(0);
    paused.tryAcquire(0);
    assertThat(paused.tryAcquire(3 * SECOND)).isTrue();
    paused.tryAcquire(3 * SECOND);
    paused.tryAcquire(3 * SECOND);
    assertThat(paused.exhausted()).isFalse();
  }
}
