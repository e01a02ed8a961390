package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.PresenceEvent;
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

  @Test
  void ephemeralAndPresencePayloads_readBackEveryField_andNeverPassForAStoredMessage() {
    Instant t = Instant.ofEpochMilli(1_700_000_000_123L);
    EphemeralMessage e = new EphemeralMessage("c/1", "cursor ✓", "{\"x\":\"é 1\"}", t, "p 1");
    Object decoded =
        LivePayload.decodeAny("c/1", LivePayload.encode(e).getBytes(StandardCharsets.UTF_8));
    assertThat(decoded).isEqualTo(e);
    EphemeralMessage anonymous = new EphemeralMessage("c/1", "cursor", "1", t, null);
    assertThat(
            LivePayload.decodeAny(
                "c/1", LivePayload.encode(anonymous).getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(anonymous);

    PresenceEvent join =
        new PresenceEvent(
            "c/1", PresenceEvent.Kind.JOIN, new Member("id1", "Ann Lee", t, "{\"n\":\"✓\"}"));
    PresenceEvent leave =
        new PresenceEvent("c/1", PresenceEvent.Kind.LEAVE, new Member("id2", null, t));
    for (PresenceEvent p : new PresenceEvent[] {join, leave}) {
      assertThat(
              LivePayload.decodeAny("c/1", LivePayload.encode(p).getBytes(StandardCharsets.UTF_8)))
          .isEqualTo(p);
    }
    // A stored message still reads as one.
    Message m = new Message("c/1", 3, "E1", "ev", "1", t, null);
    assertThat(LivePayload.decodeAny("c/1", LivePayload.encode(m))).isEqualTo(m);
    assertThatThrownBy(
            () -> LivePayload.decodeAny("c/1", "!x 1 2".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
