package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channels' side of the client, fed frames directly. */
class DeliveryTest {
  private final Dispatcher dispatcher = new Dispatcher(16);
  private final Recorder recorder = new Recorder();
  private final Delivery delivery = new Delivery(Cursor.empty(), dispatcher, recorder);

  @AfterEach
  void stop() {
    dispatcher.shutdown();
  }

  private static Message msg(String channel, String epoch, long offset) {
    return new Message(channel, offset, epoch, "e", "1", Instant.EPOCH, null);
  }

  private ChannelBook.Entry join(String channel) {
    ChannelBook.Entry e = delivery.add(channel);
    e.handlers.add(new SubscriptionImpl(null, channel, recorder.handler(), null));
    return e;
  }

  @Test
  void refusedSubscribe_dropsTheChannel_andReportsTheRefusalWithIt() {
    ChannelBook.Entry e = join("a");
    String frame = delivery.subscribe(e);

    assertThat(frame).isEqualTo("{\"type\":\"subscribe\",\"channel\":\"a\",\"ref\":\"s1\"}");
    assertThat(e.pending).isTrue();
    delivery.error(new ServerFrame.ErrorFrame("forbidden", "not for you", "s1"));

    assertThat(delivery.get("a")).isNull();
    assertThat(e.handlers).allMatch(s -> !s.isActive());
    await().until(() -> recorder.errors.size() == 1);
    assertThat(recorder.errors.get(0).code()).isEqualTo("forbidden");
    assertThat(recorder.errors.get(0).channel()).isEqualTo("a");
  }

  @Test
  void confirmedSubscribe_isNoLongerAwaited_soAnErrorWithItsRefIsAPlainError() {
    ChannelBook.Entry e = join("a");
    delivery.subscribe(e);
    delivery.subscribed(new ServerFrame.Subscribed("a", new Position("E1", 4)));

    assertThat(e.pending).isFalse();
    assertThat(e.received).isEqualTo(new Position("E1", 4));
    delivery.error(new ServerFrame.ErrorFrame("rate_limited", "slow down", "s1"));

    assertThat(delivery.get("a")).isSameAs(e);
    await().until(() -> recorder.errors.size() == 1);
    assertThat(recorder.errors.get(0).code()).isEqualTo("rate_limited");
    assertThat(recorder.errors.get(0).channel()).isNull();
    await().until(() -> new Position("E1", 4).equals(e.delivered));
  }

  @Test
  void subscribeResumesFromTheChannelsPosition_andADroppedLinkForgetsWhatItAwaited() {
    ChannelBook.Entry e = join("a");
    e.received = new Position("E1", 7);

    assertThat(delivery.subscribe(e))
        .contains("\"since\":\"" + Cursor.empty().with("a", new Position("E1", 7)).encode() + "\"");
    delivery.linkDropped();

    assertThat(e.pending).isFalse();
    delivery.error(new ServerFrame.ErrorFrame("forbidden", "late answer", "s1"));
    assertThat(delivery.get("a")).isSameAs(e);
  }

  @Test
  void messages_newOnesAreDeliveredOnce_andTheDeliveredCursorFollows() {
    join("a");
    delivery.subscribed(new ServerFrame.Subscribed("a", new Position("E1", 0)));

    delivery.message(msg("a", "E1", 1));
    delivery.message(msg("a", "E1", 1));
    delivery.message(msg("a", "E1", 2));
    delivery.message(msg("b", "E1", 1));

    await().until(() -> recorder.offsets("a").size() == 2);
    assertThat(recorder.offsets("a")).containsExactly(1L, 2L);
    assertThat(recorder.of("b")).isEmpty();
    await()
        .until(
            () ->
                Cursor.decode(delivery.deliveredCursor())
                    .position("a")
                    .equals(new Position("E1", 2)));
  }

  @Test
  void ephemeralMessages_reachOnlyEphemeralHandlers_andMoveNoPosition() {
    ChannelBook.Entry a = join("a");
    Recorder both = new Recorder();
    a.handlers.add(new SubscriptionImpl(null, "a", both.handler(), both.ephemeralHandler()));
    delivery.subscribed(new ServerFrame.Subscribed("a", new Position("E1", 0)));
    delivery.message(msg("a", "E1", 1));

    delivery.ephemeral(new EphemeralMessage("a", "cursor", "{\"x\":1}", Instant.EPOCH, null));
    delivery.ephemeral(new EphemeralMessage("a", "cursor", "{\"x\":2}", Instant.EPOCH, null));
    delivery.message(msg("a", "E1", 1)); // still a duplicate: the ephemeral ones moved nothing
    delivery.message(msg("a", "E1", 2));
    delivery.ephemeral(new EphemeralMessage("b", "cursor", "{\"x\":3}", Instant.EPOCH, null));

    await().until(() -> both.offsets("a").size() == 2);
    assertThat(both.ephemeralData("a")).containsExactly("{\"x\":1}", "{\"x\":2}");
    assertThat(both.ephemeral).doesNotContainKey("b");
    assertThat(recorder.offsets("a")).containsExactly(1L, 2L);
    assertThat(recorder.ephemeral).isEmpty();
    assertThat(recorder.errors).isEmpty();
    assertThat(a.received).isEqualTo(new Position("E1", 2));
    await()
        .until(
            () ->
                Cursor.decode(delivery.deliveredCursor())
                    .position("a")
                    .equals(new Position("E1", 2)));
  }

  @Test
  void ephemeralMessage_ofAChannelWhoseSubscribeIsUnconfirmed_isDropped() {
    ChannelBook.Entry a = delivery.add("a");
    a.handlers.add(
        new SubscriptionImpl(null, "a", recorder.handler(), recorder.ephemeralHandler()));
    delivery.subscribe(a);

    delivery.ephemeral(new EphemeralMessage("a", "cursor", "1", Instant.EPOCH, null));
    delivery.subscribed(new ServerFrame.Subscribed("a", new Position("E1", 0)));
    delivery.ephemeral(new EphemeralMessage("a", "cursor", "2", Instant.EPOCH, null));

    await().until(() -> recorder.ephemeralData("a").size() == 1);
    assertThat(recorder.ephemeralData("a")).containsExactly("2");
    assertThat(a.received).isEqualTo(new Position("E1", 0));
  }

  @Test
  void reset_movesTheChannelAndTellsTheApplication_unlessItsSubscribeIsUnconfirmed() {
    ChannelBook.Entry a = join("a");
    ChannelBook.Entry b = join("b");
    delivery.subscribe(b);

    delivery.reset(new ServerFrame.Reset("a", new Position("E2", 0)));
    delivery.reset(new ServerFrame.Reset("b", new Position("E2", 0)));

    assertThat(a.received).isEqualTo(new Position("E2", 0));
    assertThat(b.received).isNull();
    await().until(() -> recorder.count("reset:") == 1);
    assertThat(recorder.events).containsExactly("reset:a:E2");
  }

  @Test
  void merge_takesPositionsForConfirmedChannelsOnly() {
    ChannelBook.Entry a = join("a");
    ChannelBook.Entry b = join("b");
    delivery.subscribe(b);

    delivery.merge(
        Cursor.empty().with("a", new Position("E1", 3)).with("b", new Position("E1", 5)));

    assertThat(a.received).isEqualTo(new Position("E1", 3));
    assertThat(b.received).isNull();
  }
}
