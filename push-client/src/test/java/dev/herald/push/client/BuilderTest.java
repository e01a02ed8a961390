package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder refuses bad settings at once, naming the bad value; no server is needed. */
class BuilderTest {
  private final HeraldClient.Builder builder =
      HeraldClient.builder(URI.create("http://localhost:1/push"));

  @Test
  void base_notHttp_isRefused() {
    assertThatThrownBy(() -> HeraldClient.builder(URI.create("ftp://h/push")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was ftp://h/push");
  }

  @Test
  void reconnect_badBounds_areRefused() {
    assertThatThrownBy(() -> builder.reconnect(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessage("reconnect min must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> builder.reconnect(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("reconnect max must be at least min (PT2S), was PT1S");
  }

  @Test
  void timeouts_outOfRange_areRefused() {
    assertThatThrownBy(() -> builder.connectTimeout(Duration.ofMillis(1)))
        .hasMessage("connectTimeout must be at least 10 ms, was PT0.001S");
    assertThatThrownBy(() -> builder.idleTimeout(Duration.ofMillis(-5)))
        .hasMessage("idleTimeout must be at least 100 ms, was PT-0.005S");
    assertThatThrownBy(() -> builder.pollTimeout(Duration.ofMillis(1500)))
        .hasMessage("pollTimeout must be whole seconds from 1 to 3600, was PT1.5S");
    assertThatThrownBy(() -> builder.pollTimeout(Duration.ofHours(2)))
        .hasMessage("pollTimeout must be whole seconds from 1 to 3600, was PT2H");
  }

  @Test
  void transports_repeated_isRefused() {
    assertThatThrownBy(() -> builder.transports(Transport.SSE, Transport.POLL, Transport.SSE))
        .hasMessage("transports must not repeat, SSE is named twice");
  }

  @Test
  void resumeFrom_malformedCursor_isRefused() {
    assertThatThrownBy(() -> builder.resumeFrom("1~abc~zzz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad cursor: cursor checksum does not match");
  }

  @Test
  void bearerToken_withSpaces_isRefused() {
    assertThatThrownBy(() -> builder.bearerToken("a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("token must be printable ASCII without spaces");
  }

  @Test
  void subscribeAndPublish_badNames_areRefusedAtOnce() {
    try (HeraldClient client = builder.transports(Transport.SSE).build()) {
      assertThatThrownBy(() -> client.subscribe("bad channel", m -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bad channel \"bad channel\": channel name may only hold");
      assertThatThrownBy(() -> client.publish("ok", "bad\nevent", 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("bad event name: event name may not hold control characters");
      assertThatThrownBy(() -> client.publishJson("ok", "e", "{nope"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("json is not valid JSON");
    }
  }

  @Test
  void subscribe_afterClose_isRefused() {
    HeraldClient client = builder.transports(Transport.SSE).build();
    client.close();

    assertThatThrownBy(() -> client.subscribe("a", m -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the client is closed");
  }
}
