package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.PushHub;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushServletBuilderTest {
  final PushHub hub = PushHub.builder().build();

  @AfterEach
  void closeHub() {
    hub.close();
  }

  @Test
  void builder_nullHub_isRejected() {
    assertThatThrownBy(() -> PushServlet.builder(null)).hasMessage("hub");
  }

  @Test
  void allowedOrigins_notAnOrigin_rejectedNamingTheValue() {
    assertThatThrownBy(
            () -> PushServlet.builder(hub).allowedOrigins("https://ok.example", "ok.example"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "allowedOrigins entries must be origins such as https://app.example.com or \"*\","
                + " was \"ok.example\"");
  }

  @Test
  void pollTimeout_outOfRangeOrFractional_rejectedNamingTheValue() {
    PushServlet.Builder b = PushServlet.builder(hub);
    assertThatThrownBy(() -> b.pollTimeout(Duration.ZERO))
        .hasMessage("pollTimeout must be whole seconds from 1 to 3600, was PT0S");
    assertThatThrownBy(() -> b.pollTimeout(Duration.ofMillis(1500)))
        .hasMessage("pollTimeout must be whole seconds from 1 to 3600, was PT1.5S");
    assertThatThrownBy(() -> b.pollTimeout(Duration.ofHours(2)))
        .hasMessage("pollTimeout must be whole seconds from 1 to 3600, was PT2H");
  }

  @Test
  void sseRetry_outOfRange_rejectedNamingTheValue() {
    PushServlet.Builder b = PushServlet.builder(hub);
    assertThatThrownBy(() -> b.sseRetry(Duration.ZERO))
        .hasMessage("sseRetry must be from 1 ms to 1 hour, was PT0S");
    assertThatThrownBy(() -> b.sseRetry(Duration.ofMinutes(61)))
        .hasMessage("sseRetry must be from 1 ms to 1 hour, was PT1H1M");
  }

  @Test
  void build_validSettings_makesAServlet() {
    assertThat(
            PushServlet.builder(hub)
                .allowedOrigins("*")
                .pollTimeout(Duration.ofSeconds(5))
                .sseRetry(Duration.ofMillis(100))
                .build())
        .isNotNull();
  }
}
