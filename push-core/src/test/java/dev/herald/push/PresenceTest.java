package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.WireFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PresenceTest {
  private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
  private final PushHub hub = PushHub.builder().presenceListener(events::add).build();

  @AfterEach
  void close() {
    hub.close();
  }

  @Test
  void joinAndLeave_areReportedInOrderWithTheMember() {
    Client ann = new Client("c1", "ann", null);
    Connection c =
        hub.transportContext()
            .connect(ann, WireFormat.NDJSON, new RecordingSink(), List.of("room"), null);
    await().until(() -> events.size() == 1);
    PresenceEvent join = events.get(0);
    assertThat(join.kind()).isEqualTo(PresenceEvent.Kind.JOIN);
    assertThat(join.channel()).isEqualTo("room");
    assertThat(join.member().clientId()).isEqualTo("c1");
    assertThat(join.member().user()).isEqualTo("ann");
    assertThat(hub.channel("room").members().toCompletableFuture().join())
        .extracting(Member::user)
        .containsExactly("ann");

    c.close(CloseReason.CLIENT_GONE);
    await().until(() -> events.size() == 2);
    assertThat(events.get(1).kind()).isEqualTo(PresenceEvent.Kind.LEAVE);
    assertThat(events.get(1).member()).isEqualTo(join.member());
    assertThat(hub.channel("room").members().toCompletableFuture().join()).isEmpty();
  }

  @Test
  void members_listEveryConnection() {
    hub.transportContext()
        .connect(
            new Client("c1", "ann", null),
            WireFormat.NDJSON,
            new RecordingSink(),
            List.of("room"),
            null);
    Connection bob =
        hub.transportContext()
            .connect(
                new Client("c2", "bob", null),
                WireFormat.NDJSON,
                new RecordingSink(),
                List.of("room"),
                null);
    hub.transportContext()
        .connect(
            new Client("c3", null, null),
            WireFormat.NDJSON,
            new RecordingSink(),
            List.of("other"),
            null);
    await().until(() -> events.size() == 3);
    assertThat(hub.channel("room").members().toCompletableFuture().join())
        .extracting(Member::clientId)
        .containsExactlyInAnyOrder("c1", "c2");
    bob.unsubscribe("room");
    await().until(() -> events.size() == 4);
    assertThat(hub.channel("room").members().toCompletableFuture().join())
        .extracting(Member::clientId)
        .containsExactly("c1");
  }

  @Test
  void failingListener_doesNotStopOthers() {
    List<PresenceEvent> second = new CopyOnWriteArrayList<>();
    try (PushHub h =
        PushHub.builder()
            .presenceListener(
                e -> {
                  throw new IllegalStateException("listener bug");
                })
            .presenceListener(second::add)
            .build()) {
      h.transportContext()
          .connect(
              new Client("c1", null, null),
              WireFormat.NDJSON,
              new RecordingSink(),
              List.of("room"),
              null);
      await().until(() -> second.size() == 1);
    }
  }
}
