package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub delivers exactly once and in order whatever the broker's live feed does. */
class GapRepairTest {
  private final FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
  private final PushHub hub =
      PushHub.builder().broker(broker).heartbeatInterval(Duration.ofHours(1)).build();

  @AfterEach
  void close() {
    hub.close();
  }

  private RecordingSink subscribe(String channel) {
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            sink,
            List.of(channel),
            null);
    await().until(() -> hub.channel(channel).subscriberCount() == 1);
    return sink;
  }

  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("e", i).toCompletableFuture().join();
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void droppedLiveMessages_areFilledFromHistoryInOrder() {
    RecordingSink sink = subscribe("a");
    broker.fate = m -> m.offset() % 3 == 0 ? FlakyBroker.Fate.DROP : FlakyBroker.Fate.PASS;
    publish("a", 100);
    broker.fate = m -> FlakyBroker.Fate.PASS;
    publish("a", 1);
    await().until(() -> sink.messageCount() == 101);
    assertThat(sink.offsets("a")).containsExactlyElementsOf(range(1, 101));
  }

  @Test
  void duplicatedLiveMessages_areDeliveredOnce() {
    RecordingSink sink = subscribe("a");
    broker.fate = m -> FlakyBroker.Fate.DUPLICATE;
    publish("a", 50);
    broker.fate = m -> FlakyBroker.Fate.PASS;
    publish("a", 1);
    await().until(() -> sink.offsets("a").contains(51L));
    assertThat(sink.offsets("a")).containsExactlyElementsOf(range(1, 51));
  }

  @Test
  void reorderedLiveMessages_areDeliveredInOrder() {
    RecordingSink sink = subscribe("a");
    broker.fate =
        m -> m.offset() % 2 == 1 ? FlakyBroker.Fate.SWAP_WITH_NEXT : FlakyBroker.Fate.PASS;
    publish("a", 60);
    await().until(() -> sink.messageCount() == 60);
    assertThat(sink.offsets("a")).containsExactlyElementsOf(range(1, 60));
  }

  @Test
  void resync_afterASilentDrop_deliversTheMissedTail() {
    RecordingSink sink = subscribe("a");
    publish("a", 3);
    broker.fate = m -> FlakyBroker.Fate.DROP;
    publish("a", 2); // nothing later would reveal this gap
    await().until(() -> sink.messageCount() == 3);
    broker.listeners.forEach(l -> l.onResync());
    await().until(() -> sink.messageCount() == 5);
    assertThat(sink.offsets("a")).containsExactlyElementsOf(range(1, 5));
  }

  @Test
  void liveMessageOfAnEpochTheBrokerHasNot_isDroppedAsStale() {
    RecordingSink sink = subscribe("a");
    publish("a", 2);
    await().until(() -> sink.messageCount() == 2);
    Message stale = new Message("a", 1, "OldEpoch", "e", "1", Instant.now(), null);
    broker.listeners.forEach(l -> l.onMessage(stale));
    publish("a", 1);
    await().until(() -> sink.messageCount() == 3);
    assertThat(sink.offsets("a")).containsExactlyElementsOf(range(1, 3));
    assertThat(sink.frames(Frame.Type.RESET)).isEmpty();
  }

  @Test
  void connect_whenTheBrokerFails_sendsAnErrorFrameThenCloses() {
    broker.positionsFail = true;
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            sink,
            List.of("a"),
            null);
    await().until(() -> sink.closedWith() != null);
    assertThat(sink.closedWith()).isEqualTo(dev.herald.push.spi.CloseReason.UNAVAILABLE);
    assertThat(sink.frames()).extracting(Frame::type).containsExactly(Frame.Type.ERROR);
    assertThat(sink.json(Frame.Type.ERROR).get(0).get("code").asText()).isEqualTo("unavailable");
    await().until(() -> hub.connectionCount() == 0 && hub.activeChannelCount() == 0);
  }

  @Test
  void subscribeWhilePublishing_joinsReplayToLiveWithoutGapOrDuplicate() throws Exception {
    publish("a", 10);
    Position start = hub.channel("a").position().toCompletableFuture().join().withOffset(5);
    Thread publisher = new Thread(() -> publish("a", 400));
    publisher.start();
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            sink,
            List.of("a"),
            Cursor.empty().with("a", start));
    publisher.join();
    await().until(() -> sink.messageCount() == 405);
    assertThat(sink.offsets("a")).containsExactlyElementsOf(range(6, 410));
  }
}
