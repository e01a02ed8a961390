package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.Message;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LivePayloadTest {
  @Test
  void decode_readsBackEveryField_whateverCharactersTheyHold() {
    Message m =
        new Message(
            "chat/lobby",
            42,
            "Ab3dEf9hIj0k",
            "chät 1",
            "{\"text\":\"line\\nbreak 🎉 and spaces\"}",
            Instant.ofEpochMilli(1_790_000_000_123L),
            "pub lisher\nwith ünïcode");

    assertThat(LivePayload.decode("chat/lobby", LivePayload.encode(m))).isEqualTo(m);
  }

  @Test
  void decode_keepsAMissingPublisherApartFromAnEmptyOne() {
    Message none = new Message("c", 1, "E", "e", "1", Instant.EPOCH, null);
    Message empty = new Message("c", 1, "E", "e", "1", Instant.EPOCH, "");

    assertThat(LivePayload.decode("c", LivePayload.encode(none)).publisherId()).isNull();
    assertThat(LivePayload.decode("c", LivePayload.encode(empty)).publisherId()).isEmpty();
  }

  @Test
  void decode_rejectsMalformedPayloads() {
    assertThatThrownBy(() -> LivePayload.decode("c", "E 1 2".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> LivePayload.decode("c", "E 1 2 -1 9 ev".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
