package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BuilderTest {
  @Test
  void hubBuilder_rejectsBadValuesNamingThem() {
    PushHub.Builder b = PushHub.builder();
    assertThatThrownBy(() -> b.maxQueuedFrames(-1))
        .hasMessage("maxQueuedFrames must be > 0, was -1");
    assertThatThrownBy(() -> b.maxQueuedBytes(0)).hasMessage("maxQueuedBytes must be > 0, was 0");
    assertThatThrownBy(() -> b.maxMessageBytes(0)).hasMessage("maxMessageBytes must be > 0, was 0");
    assertThatThrownBy(() -> b.maxJsonDepth(0)).hasMessage("maxJsonDepth must be > 0, was 0");
    assertThatThrownBy(() -> b.maxChannelsPerConnection(0))
        .hasMessage("maxChannelsPerConnection must be > 0, was 0");
    assertThatThrownBy(() -> b.replayBatchSize(0)).hasMessage("replayBatchSize must be > 0, was 0");
    assertThatThrownBy(() -> b.heartbeatInterval(Duration.ZERO))
        .hasMessageContaining("heartbeatInterval");
    assertThatThrownBy(() -> b.closeTimeout(Duration.ZERO))
        .hasMessage("closeTimeout must be between 1 ms and PT10M, was PT0S");
    assertThatThrownBy(() -> b.closeTimeout(Duration.ofHours(1)))
        .hasMessage("closeTimeout must be between 1 ms and PT10M, was PT1H");
    assertThatThrownBy(() -> b.closeTimeout(null)).hasMessage("closeTimeout");
    assertThatThrownBy(() -> b.maxBatchDelay(Duration.ofMillis(-1)))
        .hasMessage("maxBatchDelay must be between 0 and PT1S, was PT-0.001S");
    assertThatThrownBy(() -> b.maxBatchDelay(Duration.ofSeconds(2)))
        .hasMessage("maxBatchDelay must be between 0 and PT1S, was PT2S");
    assertThatThrownBy(() -> b.maxBatchDelay(null)).hasMessage("maxBatchDelay");
    assertThatThrownBy(() -> b.broker(null)).hasMessage("broker");
    assertThatThrownBy(
            () -> b.acceptClientMessages("bad pattern*", ClientMessageHandler.PASS_THROUGH))
        .hasMessageContaining("bad pattern");
  }

  @Test
  void closeTimeout_reachesTheTransports() {
    try (PushHub hub = PushHub.builder().closeTimeout(Duration.ofMillis(750)).build()) {
      assertThat(hub.transportContext().closeTimeout()).isEqualTo(Duration.ofMillis(750));
    }
    try (PushHub hub = PushHub.builder().build()) {
      assertThat(hub.transportContext().closeTimeout()).isEqualTo(Duration.ofSeconds(5));
    }
  }

  @Test
  void brokerBuilder_rejectsBadValuesNamingThem() {
    InMemoryBroker.Builder b = InMemoryBroker.builder();
    assertThatThrownBy(() -> b.historySize(0)).hasMessage("historySize must be > 0, was 0");
    assertThatThrownBy(() -> b.historyMaxBytes(-5))
        .hasMessage("historyMaxBytes must be > 0, was -5");
    assertThatThrownBy(() -> b.historyMaxAge(Duration.ofSeconds(-1))).hasMessageContaining("PT-1S");
  }

  @Test
  void records_validateTheirFields() {
    assertThatThrownBy(() -> new Position("e", -1)).hasMessage("offset must be >= 0, was -1");
    assertThatThrownBy(() -> new Position("bad.epoch", 1)).hasMessageContaining("bad.epoch");
    assertThatThrownBy(() -> new Message("c", 0, "e", "ev", "1", java.time.Instant.now(), null))
        .hasMessage("offset must be >= 1, was 0");
  }
}
