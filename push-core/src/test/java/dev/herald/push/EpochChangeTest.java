package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A history that starts over (a new epoch) reaches each client as one {@code reset} to the start of
 * what the new epoch holds, followed by every message it holds, once and in order.
 */
class EpochChangeTest {
  private final List<PushHub> hubs = new ArrayList<>();

  @AfterEach
  void close() {
    hubs.forEach(PushHub::close);
  }

  private PushHub hub(dev.herald.push.spi.Broker broker) {
    PushHub hub = PushHub.builder().broker(broker).heartbeatInterval(Duration.ofHours(1)).build();
    hubs.add(hub);
    return hub;
  }

  private static RecordingSink connect(PushHub hub, Cursor cursor, String channel) {
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            sink,
            List.of(channel),
            cursor);
    return sink;
  }

  private static void publish(PushHub hub, String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("tick", i).toCompletableFuture().join();
    }
  }

  /** The message and reset frames, as {@code epoch/offset} and {@code reset epoch/offset}. */
  private static List<String> story(RecordingSink sink) {
    List<String> out = new ArrayList<>();
    for (Frame f : sink.frames()) {
      if (f.type() == Frame.Type.MESSAGE || f.type() == Frame.Type.RESET) {
        JsonNode n = RecordingSink.parse(f);
        String at = n.get("epoch").asText() + "/" + n.get("offset").asLong();
        out.add(f.type() == Frame.Type.RESET ? "reset " + at : at);
      }
    }
    return out;
  }

  private static List<String> resetThen(String epoch, long start, long from, long to) {
    List<String> out = new ArrayList<>();
    out.add("reset " + epoch + "/" + start);
    for (long o = from; o <= to; o++) {
      out.add(epoch + "/" + o);
    }
    return out;
  }

  private static String epoch(PushHub hub, String channel) {
    return hub.channel(channel).position().toCompletableFuture().join().epoch();
  }

  @Test
  void restartedNode_resumingWithAnOldEpochCursor_getsResetToTheStartThenEveryMessage() {
    PushHub before = hub(InMemoryBroker.create());
    RecordingSink first = connect(before, null, "a");
    await().until(() -> before.channel("a").subscriberCount() == 1);
    publish(before, "a", 3);
    await().until(() -> first.messageCount() == 3);
    Cursor cursor = Cursor.decode(first.lastCursor());
    before.close();

    PushHub after = hub(InMemoryBroker.create());
    publish(after, "a", 8);
    String epoch = epoch(after, "a");
    RecordingSink resumed = connect(after, cursor, "a");
    await().until(() -> resumed.messageCount() == 8);
    await().until(() -> after.channel("a").subscriberCount() == 1);
    publish(after, "a", 1);
    await().until(() -> resumed.messageCount() == 9);
    assertThat(story(resumed)).containsExactlyElementsOf(resetThen(epoch, 0, 1, 9));
    assertThat(resumed.frames().get(0).type()).isEqualTo(Frame.Type.READY);
  }

  @Test
  void liveFeedOfANewEpochWithItsFirstMessagesMissed_resetsOnceThenDeliversEveryMessage() {
    FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
    PushHub hub = hub(broker);
    RecordingSink sink = connect(hub, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish(hub, "a", 2);
    await().until(() -> sink.messageCount() == 2);
    List<String> expected = new ArrayList<>(story(sink));

    for (int round = 0; round < 5; round++) {
      broker.loseHistory(InMemoryBroker.create());
      // The feed misses the new epoch's first messages, as a Pub/Sub link that was down would.
      broker.fate = m -> m.offset() <= 3 ? FlakyBroker.Fate.DROP : FlakyBroker.Fate.PASS;
      publish(hub, "a", 6);
      String epoch = epoch(hub, "a");
      expected.addAll(resetThen(epoch, 0, 1, 6));
      await().until(() -> story(sink).size() == expected.size());
      broker.fate = m -> FlakyBroker.Fate.PASS;
      assertThat(story(sink)).containsExactlyElementsOf(expected);
    }
    publish(hub, "a", 1);
    await().until(() -> story(sink).size() == expected.size() + 1);
    assertThat(story(sink).get(expected.size())).endsWith("/7");
  }

  @Test
  void resyncAfterTheHistoryWasLost_resetsToTheStartThenDeliversEveryMessage() {
    FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
    PushHub hub = hub(broker);
    RecordingSink sink = connect(hub, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish(hub, "a", 4);
    await().until(() -> sink.messageCount() == 4);
    List<String> expected = new ArrayList<>(story(sink));

    broker.loseHistory(InMemoryBroker.create());
    broker.fate = m -> FlakyBroker.Fate.DROP; // nothing on the feed reveals the new epoch
    publish(hub, "a", 5);
    broker.fate = m -> FlakyBroker.Fate.PASS;
    broker.listeners.forEach(l -> l.onResync());
    expected.addAll(resetThen(epoch(hub, "a"), 0, 1, 5));
    await().until(() -> story(sink).size() == expected.size());
    assertThat(story(sink)).containsExactlyElementsOf(expected);
  }

  @Test
  void newEpochWhoseHistoryWasTrimmed_resetsToTheOldestMessageHeld() {
    FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
    PushHub hub = hub(broker);
    RecordingSink sink = connect(hub, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish(hub, "a", 2);
    await().until(() -> sink.messageCount() == 2);
    List<String> expected = new ArrayList<>(story(sink));

    broker.loseHistory(InMemoryBroker.builder().historySize(3).build());
    broker.fate = m -> m.offset() < 10 ? FlakyBroker.Fate.DROP : FlakyBroker.Fate.PASS;
    publish(hub, "a", 10); // the new epoch holds 8..10
    expected.addAll(resetThen(epoch(hub, "a"), 7, 8, 10));
    await().until(() -> story(sink).size() == expected.size());
    assertThat(story(sink)).containsExactlyElementsOf(expected);
  }

  @Test
  void subscriberAlreadyInTheNewEpoch_whenTheRouteResets_getsNoSecondReset() {
    FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
    PushHub hub = hub(broker);
    RecordingSink before = connect(hub, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish(hub, "a", 2);
    await().until(() -> before.messageCount() == 2);

    broker.loseHistory(InMemoryBroker.create());
    broker.fate = m -> FlakyBroker.Fate.DROP; // the route does not see the new epoch yet
    publish(hub, "a", 3);
    String epoch = epoch(hub, "a");
    // A newcomer starts at the new epoch's head, ahead of its node's route.
    RecordingSink newcomer = connect(hub, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 2);
    broker.fate = m -> FlakyBroker.Fate.PASS;
    publish(hub, "a", 1);

    await().until(() -> before.messageCount() == 6 && newcomer.messageCount() == 1);
    assertThat(story(before).subList(2, 7)).containsExactlyElementsOf(resetThen(epoch, 0, 1, 4));
    assertThat(story(newcomer)).containsExactly(epoch + "/4");
  }

  @Test
  void catchingUpSubscriber_whenTheHistoryIsLost_continuesFromTheNewStart() {
    FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
    PushHub hub = hub(broker);
    publish(hub, "a", 5);
    Position old = hub.channel("a").position().toCompletableFuture().join().withOffset(1);
    broker.loseHistory(InMemoryBroker.create());
    publish(hub, "a", 4);
    RecordingSink sink = connect(hub, Cursor.empty().with("a", old), "a");
    await().until(() -> sink.messageCount() == 4);
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish(hub, "a", 2);
    await().until(() -> sink.messageCount() == 6);
    assertThat(story(sink)).containsExactlyElementsOf(resetThen(epoch(hub, "a"), 0, 1, 6));
  }
}
