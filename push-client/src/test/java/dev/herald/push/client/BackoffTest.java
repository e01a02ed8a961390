package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static Backoff backoff(double random) {
    return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> random);
  }

  @Test
  void ceiling_doublesPerAttempt_untilTheCap() {
    Backoff b = backoff(0.5);
    assertThat(b.ceilingMillis(0)).isEqualTo(100);
    assertThat(b.ceilingMillis(1)).isEqualTo(200);
    assertThat(b.ceilingMillis(4)).isEqualTo(1600);
    assertThat(b.ceilingMillis(6)).isEqualTo(5000);
    assertThat(b.ceilingMillis(1000)).isEqualTo(5000);
  }

  @Test
  void ceiling_hugeAttempts_neverOverflow() {
    Backoff b = new Backoff(Duration.ofDays(1), Duration.ofDays(3650), () -> 0.5);
    for (int attempt = 0; attempt < 200; attempt++) {
      assertThat(b.ceilingMillis(attempt))
          .isPositive()
          .isLessThanOrEqualTo(Duration.ofDays(3650).toMillis());
    }
  }

  @Test
  void delay_isFullJitter_fromZeroToTheCeiling() {
    assertThat(backoff(0.0).delayMillis(3)).isZero();
    assertThat(backoff(0.5).delayMillis(3)).isEqualTo(400);
    assertThat(backoff(0.999_999).delayMillis(3)).isEqualTo(799);
    assertThat(backoff(0.999_999).delayMillis(30)).isEqualTo(4999);
  }

  @Test
  void ceiling_negativeAttempt_isRefused() {
    assertThatThrownBy(() -> backoff(0.5).ceilingMillis(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must be >= 0, was -1");
  }
}
