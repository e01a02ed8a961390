package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.spi.Replay;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HistoryBufferTest {
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final long HOUR = 3_600_000;

  private static HistoryBuffer buffer(int count) {
    return new HistoryBuffer("E1", count, Long.MAX_VALUE, HOUR);
  }

  private static void append(HistoryBuffer b, int n, Instant at) {
    for (int i = 0; i < n; i++) {
      b.append("c", "e", "{\"i\":" + i + "}", null, at);
    }
  }

  @Test
  void append_assignsDenseOffsetsFromOne() {
    HistoryBuffer b = buffer(10);
    assertThat(b.head()).isEqualTo(new Position("E1", 0));
    for (int i = 1; i <= 25; i++) {
      Message m = b.append("c", "e", "1", null, T0);
      assertThat(m.offset()).isEqualTo(i);
      assertThat(m.epoch()).isEqualTo("E1");
    }
    assertThat(b.head().offset()).isEqualTo(25);
  }

  @Test
  void replay_fromInsideHistory_returnsExactlyTheMissedMessagesInOrder() {
    HistoryBuffer b = buffer(100);
    append(b, 50, T0);
    Replay r = b.replay(new Position("E1", 42), 100, T0);
    assertThat(r.reset()).isFalse();
    assertThat(r.messages())
        .extracting(Message::offset)
        .containsExactly(43L, 44L, 45L, 46L, 47L, 48L, 49L, 50L);
    assertThat(r.head()).isEqualTo(new Position("E1", 50));
  }

  @Test
  void replay_atHead_returnsNothing() {
    HistoryBuffer b = buffer(100);
    append(b, 5, T0);
    Replay r = b.replay(new Position("E1", 5), 100, T0);
    assertThat(r.reset()).isFalse();
    assertThat(r.messages()).isEmpty();
  }

  @Test
  void replay_respectsLimit() {
    HistoryBuffer b = buffer(100);
    append(b, 50, T0);
    Replay r = b.replay(new Position("E1", 0), 7, T0);
    assertThat(r.messages())
        .extracting(Message::offset)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void trimByCount_keepsNewestAndResetsOlderPositions() {
    HistoryBuffer b = buffer(10);
    append(b, 25, T0);
    assertThat(b.size()).isEqualTo(10);
    // Offsets 16..25 are held: a client at 15 misses nothing, one at 14 would miss 15.
    assertThat(b.replay(new Position("E1", 15), 100, T0).messages()).hasSize(10);
    assertThat(b.replay(new Position("E1", 14), 100, T0).reset()).isTrue();
  }

  @Test
  void trimByCount_limitBelowInitialCapacity_keepsOnlyTheLimit() {
    HistoryBuffer b = buffer(5);
    append(b, 8, T0);
    assertThat(b.size()).isEqualTo(5);
    assertThat(b.replay(new Position("E1", 3), 100, T0).messages())
        .extracting(Message::offset)
        .containsExactly(4L, 5L, 6L, 7L, 8L);
    assertThat(b.replay(new Position("E1", 2), 100, T0).reset()).isTrue();
  }

  @Test
  void trimByAge_dropsOldMessages() {
    HistoryBuffer b = buffer(100);
    append(b, 5, T0);
    append(b, 5, T0.plusSeconds(1800));
    Instant later = T0.plusMillis(HOUR).plusSeconds(1);
    Replay r = b.replay(new Position("E1", 5), 100, later);
    assertThat(r.messages()).extracting(Message::offset).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(b.replay(new Position("E1", 4), 100, later).reset()).isTrue();
  }

  @Test
  void trimByAge_emptyHistoryAtHead_stillResumes() {
    HistoryBuffer b = buffer(100);
    append(b, 5, T0);
    Instant later = T0.plusMillis(2 * HOUR);
    assertThat(b.replay(new Position("E1", 5), 100, later).reset()).isFalse();
    assertThat(b.replay(new Position("E1", 4), 100, later).reset()).isTrue();
  }

  @Test
  void trimByBytes_keepsWithinBudgetButAlwaysTheNewest() {
    HistoryBuffer b = new HistoryBuffer("E1", 1000, 1000, HOUR);
    for (int i = 0; i < 100; i++) {
      b.append("c", "e", "\"" + "x".repeat(100) + "\"", null, T0);
    }
    assertThat(b.size()).isBetween(1, 7);
    HistoryBuffer tiny = new HistoryBuffer("E1", 1000, 10, HOUR);
    tiny.append("c", "e", "\"" + "x".repeat(100) + "\"", null, T0);
    assertThat(tiny.size()).isEqualTo(1);
  }

  @Test
  void replay_otherEpoch_isReset() {
    HistoryBuffer b = buffer(100);
    append(b, 5, T0);
    Replay r = b.replay(new Position("E0", 3), 100, T0);
    assertThat(r.reset()).isTrue();
    assertThat(r.head()).isEqualTo(new Position("E1", 5));
    assertThat(r.start()).isEqualTo(new Position("E1", 0));
  }

  @Test
  void reset_startsJustBeforeTheOldestMessageHeld() {
    HistoryBuffer b = buffer(10);
    append(b, 25, T0);
    assertThat(b.replay(new Position("E0", 30), 100, T0).start()).isEqualTo(new Position("E1", 15));
    assertThat(b.replay(new Position("E1", 3), 100, T0).start()).isEqualTo(new Position("E1", 15));
    // From the start, the replay hands over every message held.
    assertThat(b.replay(new Position("E1", 15), 100, T0).messages())
        .extracting(Message::offset)
        .containsExactly(16L, 17L, 18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L);
  }

  @Test
  void reset_withNothingHeld_startsAtTheHead() {
    HistoryBuffer b = buffer(10);
    append(b, 4, T0);
    Instant later = T0.plusMillis(HOUR + 1);
    Replay r = b.replay(new Position("E0", 2), 100, later);
    assertThat(r.reset()).isTrue();
    assertThat(r.start()).isEqualTo(new Position("E1", 4));
  }

  @Test
  void replay_beyondHead_isReset() {
    HistoryBuffer b = buffer(100);
    append(b, 5, T0);
    Replay r = b.replay(new Position("E1", 6), 100, T0);
    assertThat(r.reset()).isTrue();
    assertThat(r.start()).isEqualTo(new Position("E1", 5));
  }
}
