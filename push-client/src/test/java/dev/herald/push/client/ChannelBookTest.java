package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChannelBookTest {
  private static Message msg(String channel, String epoch, long offset) {
    return new Message(channel, offset, epoch, "e", "1", Instant.EPOCH, null);
  }

  @Test
  void receive_dropsOffsetsAtOrBelowTheLastOfTheSameEpoch() {
    ChannelBook book = new ChannelBook(Cursor.empty());
    book.add("a");

    assertThat(book.receive(msg("a", "E1", 5))).isEqualTo(ChannelBook.Verdict.NEW);
    assertThat(book.receive(msg("a", "E1", 5))).isEqualTo(ChannelBook.Verdict.DUPLICATE);
    assertThat(book.receive(msg("a", "E1", 3))).isEqualTo(ChannelBook.Verdict.DUPLICATE);
    assertThat(book.receive(msg("a", "E1", 6))).isEqualTo(ChannelBook.Verdict.NEW);
    // A new epoch starts a new count.
    assertThat(book.receive(msg("a", "E2", 1))).isEqualTo(ChannelBook.Verdict.NEW);
    assertThat(book.get("a").received).isEqualTo(new Position("E2", 1));
  }

  @Test
  void receive_unknownOrUnconfirmedChannel_isNotDelivered() {
    ChannelBook book = new ChannelBook(Cursor.empty());
    book.add("a").pending = true;

    assertThat(book.receive(msg("a", "E", 1))).isEqualTo(ChannelBook.Verdict.NOT_SUBSCRIBED);
    assertThat(book.receive(msg("b", "E", 1))).isEqualTo(ChannelBook.Verdict.NOT_SUBSCRIBED);
  }

  @Test
  void add_startsFromTheInitialCursor_andResumeCursorCarriesOnlyKnownPositions() {
    Cursor saved = Cursor.empty().with("a", new Position("E", 7));
    ChannelBook book = new ChannelBook(saved);
    book.add("a");
    book.add("b");

    assertThat(book.get("a").received).isEqualTo(new Position("E", 7));
    assertThat(book.get("b").received).isNull();
    assertThat(book.resumeCursor()).isEqualTo(saved.encode());
    assertThat(book.resumeCursor("a")).isEqualTo(saved.encode());
    assertThat(book.resumeCursor("b")).isNull();
  }

  @Test
  void resumeCursor_noPositions_isNull_deliveredCursor_isEmpty() {
    ChannelBook book = new ChannelBook(Cursor.empty());
    book.add("a");

    assertThat(book.resumeCursor()).isNull();
    assertThat(book.deliveredCursor()).isEqualTo(Cursor.empty().encode());
  }

  @Test
  void merge_takesServerPositions_forConfirmedChannelsOnly() {
    ChannelBook book = new ChannelBook(Cursor.empty());
    book.add("a");
    book.add("b").pending = true;
    Cursor server =
        Cursor.empty()
            .with("a", new Position("E", 3))
            .with("b", new Position("E", 9))
            .with("c", new Position("E", 1));

    assertThat(book.merge(server)).extracting(e -> e.channel).containsExactly("a");
    assertThat(book.get("a").received).isEqualTo(new Position("E", 3));
    assertThat(book.get("b").received).isNull();
  }

  @Test
  void deliveredCursor_followsDeliveredPositions_notReceivedOnes() {
    ChannelBook book = new ChannelBook(Cursor.empty());
    book.add("a");
    book.receive(msg("a", "E", 4));
    book.get("a").delivered = new Position("E", 2);

    assertThat(Cursor.decode(book.deliveredCursor()).position("a")).isEqualTo(new Position("E", 2));
    assertThat(Cursor.decode(book.resumeCursor()).position("a")).isEqualTo(new Position("E", 4));
  }

  @Test
  void remove_deactivatesItsHandlers() {
    ChannelBook book = new ChannelBook(Cursor.empty());
    ChannelBook.Entry e = book.add("a");
    SubscriptionImpl sub = new SubscriptionImpl(null, "a", m -> {}, null);
    e.handlers.add(sub);

    book.remove("a");

    assertThat(sub.isActive()).isFalse();
    assertThat(e.removed).isTrue();
    assertThat(book.isEmpty()).isTrue();
  }
}
