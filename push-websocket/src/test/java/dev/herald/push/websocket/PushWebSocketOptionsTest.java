package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PushWebSocketOptionsTest {
  @Test
  void defaults_matchTheDocumentedValues() {
    PushWebSocketOptions o = PushWebSocketOptions.defaults();

    assertThat(o.allowedOrigins()).isEmpty();
    assertThat(o.allowsAnyOrigin()).isFalse();
    assertThat(o.maxFrameBytes()).isEqualTo(64 * 1024);
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.maxFrameRate()).isEqualTo(50.0);
    assertThat(o.frameBurst()).isEqualTo(100);
    assertThat(o.maxRateLimitedFrames()).isEqualTo(20);
  }

  @Test
  void allowedOrigins_areStoredInCanonicalForm() {
    PushWebSocketOptions o =
        PushWebSocketOptions.builder()
            .allowedOrigins("HTTPS://App.Example.com", "http://localhost:3000")
            .allowedOrigins("wss://x.example")
            .build();

    assertThat(o.allowedOrigins())
        .containsExactlyInAnyOrder(
            "https://app.example.com:443", "http://localhost:3000", "https://x.example:443");
  }

  @Test
  void allowedOrigins_thatAreNotOrigins_areRefusedNamingTheValue() {
    PushWebSocketOptions.Builder b = PushWebSocketOptions.builder();

    assertThatThrownBy(() -> b.allowedOrigins("https://app.example.com/path"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"https://app.example.com/path\"");
    assertThatThrownBy(() -> b.allowedOrigins("app.example.com"))
        .hasMessageContaining("\"app.example.com\"");
    assertThatThrownBy(() -> b.allowedOrigins("ftp://app.example.com"))
        .hasMessageContaining("ftp://");
    assertThatThrownBy(() -> b.allowedOrigins((String) null)).hasMessageContaining("was null");
  }

  @Test
  void numericSetters_refuseBadValuesNamingThem() {
    PushWebSocketOptions.Builder b = PushWebSocketOptions.builder();

    assertThatThrownBy(() -> b.maxFrameBytes(100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFrameBytes must be between 1024 and 16777216, was 100");
    assertThatThrownBy(() -> b.maxFrameRate(0))
        .hasMessage("maxFrameRate must be a positive finite number, was 0.0");
    assertThatThrownBy(() -> b.maxFrameRate(Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> b.frameBurst(-1)).hasMessage("frameBurst must be > 0, was -1");
    assertThatThrownBy(() -> b.maxRateLimitedFrames(0))
        .hasMessage("maxRateLimitedFrames must be > 0, was 0");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ofMillis(5)))
        .hasMessage("idleTimeout must be at least 100 ms, was PT0.005S");
    assertThatThrownBy(() -> b.sendTimeout(Duration.ofMillis(-1)))
        .hasMessageStartingWith("sendTimeout must be at least 100 ms");
    assertThatThrownBy(() -> b.pingInterval(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void build_pingIntervalNotShorterThanIdleTimeout_isRefused() {
    PushWebSocketOptions.Builder b =
        PushWebSocketOptions.builder()
            .idleTimeout(Duration.ofSeconds(10))
            .pingInterval(Duration.ofSeconds(10));

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "pingInterval must be shorter than idleTimeout, was PT10S with idleTimeout PT10S");
  }
}
