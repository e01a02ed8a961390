package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.HubObserver;
import dev.herald.push.spi.Replay;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lock contract with an inline executor ({@code Runnable::run}, as benchmarks use): the hub
 * never calls the executor, a sink, the broker or application code while the calling thread holds a
 * connection's or a route's lock. Every such call below checks the locks of the thread it runs on
 * and records a violation, with the stack that led to it.
 */
class LockContractTest {
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final List<PresenceEvent> presence = new CopyOnWriteArrayList<>();
  private Hub hub;

  @AfterEach
  void close() {
    if (hub != null) {
      hub.close();
    }
  }

  /** Records a violation if this thread holds any Herald connection or route lock. */
  private void check(String call) {
    boolean held = hub != null && hub.holdsAnyLock();
    for (Connection c : connections) {
      held |= ((ConnectionImpl) c).holdsLock();
    }
    if (held) {
      StringBuilder where = new StringBuilder(call).append(" was called with a Herald lock held");
      for (StackTraceElement e : new Throwable().getStackTrace()) {
        if (e.getClassName().startsWith("dev.herald.push.")
            && !e.getClassName().startsWith(LockContractTest.class.getName())) {
          where.append("\n  at ").append(e);
        }
      }
      violations.add(where.toString());
    }
  }

  private Hub hub(int maxQueuedFrames, OverflowPolicy policy) {
    Executor inline =
        task -> {
          check("Executor.execute");
          task.run();
        };
    hub =
        new Hub(
            new HubSettings(
                new CheckingBroker(InMemoryBroker.builder().historySize(5000).build()),
                true,
                Authorizer.ALLOW_ALL,
                Authenticator.NONE,
                new JsonCodec(new ObjectMapper(), 64 * 1024, 32),
                maxQueuedFrames,
                1 << 20,
                policy,
                64,
                10,
                Duration.ofHours(1),
                inline,
                List.of(
                    new HubSettings.ClientRule(
                        "chat/*",
                        m -> {
                          check("ClientMessageHandler.handle");
                          return m;
                        })),
                List.of(
                    e -> {
                      check("PresenceListener.onPresence");
                      presence.add(e);
                    }),
                new CheckingObserver(),
                OriginList.NONE,
                ProxyList.NONE,
                ConnectionLimits.UNLIMITED,
                ConnectionLimits.UNLIMITED,
                ConnectionLimits.UNLIMITED,
                ConnectionLimits.UNLIMITED,
                Duration.ofSeconds(5),
                List.of(),
                1024,
                Duration.ofMillis(50)));
    return hub;
  }

  private Connection connect(Sink sink, WireFormat format, List<String> channels, Cursor since) {
    Client client = new Client(Hub.newClientId(), "ann", null);
    Connection c = hub.connect(client, format, sink, channels, since);
    connections.add(c);
    return c;
  }

  private Message publish(String channel, int i) {
    return hub.publish(channel, "tick", String.valueOf(i)).toCompletableFuture().join();
  }

  @Test
  void subscribeReplayLiveClientPublishAndClose_neverCallOutwardsUnderALock() {
    hub(1024, OverflowPolicy.CLOSE);
    Position start = hub.broker().position("a").toCompletableFuture().join();
    for (int i = 0; i < 35; i++) {
      publish("a", i); // history to replay, in batches of 10
    }
    Sink sink = new Sink();
    Connection c =
        connect(sink, WireFormat.WEBSOCKET, List.of("a"), Cursor.empty().with("a", start));
    await().until(() -> sink.offsets("a").size() == 35);

    c.subscribe("b", null).toCompletableFuture().join();
    await().until(() -> hub.subscriberCount("b") == 1);
    publish("a", 35);
    publish("b", 0);
    Message ack = c.publish("chat/1", "say", "\"hi\"").toCompletableFuture().join();
    c.sendAck("r1", ack);
    c.sendPong();
    await().until(() -> sink.offsets("a").size() == 36 && sink.offsets("b").size() == 1);

    assertThat(c.unsubscribe("b")).isTrue();
    c.close(CloseReason.SHUTDOWN);

    assertThat(sink.offsets("a")).hasSize(36).doesNotHaveDuplicates().isSorted();
    assertThat(sink.types())
        .contains(Frame.Type.READY, Frame.Type.SUBSCRIBED, Frame.Type.ACK, Frame.Type.PONG);
    assertThat(sink.closedWith).isEqualTo(CloseReason.SHUTDOWN);
    assertThat(presence).extracting(PresenceEvent::kind).contains(PresenceEvent.Kind.LEAVE);
    assertThat(violations).isEmpty();
  }

  @Test
  void resumeWithABacklogLargerThanTheOutbox_pacesWithoutALockHeld() {
    hub(40, OverflowPolicy.CLOSE);
    Position start = hub.broker().position("a").toCompletableFuture().join();
    for (int i = 0; i < 300; i++) {
      publish("a", i);
    }
    Sink sink = new Sink();
    connect(sink, WireFormat.NDJSON, List.of("a"), Cursor.empty().with("a", start));
    await().until(() -> sink.offsets("a").size() == 300 || sink.closedWith != null);
    assertThat(sink.closedWith).isNull();
    assertThat(sink.offsets("a")).hasSize(300).doesNotHaveDuplicates().isSorted();
    assertThat(violations).isEmpty();
  }

  @Test
  void overflowWithResetPolicy_resetsWithoutALockHeld() {
    hub(10, OverflowPolicy.RESET);
    Sink sink = new Sink();
    connect(sink, WireFormat.NDJSON, List.of("a"), null);
    await().until(() -> hub.subscriberCount("a") == 1);
    sink.stalled = true;
    for (int i = 0; i < 15; i++) {
      publish("a", i);
    }
    sink.resume();
    publish("a", 15);
    await().until(() -> sink.offsets("a").contains(16L));
    assertThat(sink.types()).contains(Frame.Type.RESET);
    assertThat(sink.closedWith).isNull();
    assertThat(violations).isEmpty();
  }

  @Test
  void overflowWithClosePolicy_closesWithoutALockHeld() {
    hub(10, OverflowPolicy.CLOSE);
    Sink sink = new Sink();
    connect(sink, WireFormat.NDJSON, List.of("a", "b"), null);
    await().until(() -> hub.subscriberCount("b") == 1);
    sink.stalled = true;
    for (int i = 0; i < 15; i++) {
      publish("a", i);
    }
    await().until(() -> sink.closedWith != null);
    assertThat(sink.closedWith).isEqualTo(CloseReason.SLOW_CONSUMER);
    assertThat(hub.activeChannels()).isZero();
    assertThat(presence)
        .filteredOn(e -> e.kind() == PresenceEvent.Kind.LEAVE)
        .extracting(PresenceEvent::channel)
        .containsExactlyInAnyOrder("a", "b");
    assertThat(violations).isEmpty();
  }

  /** A transport that checks the locks on every call and can hold writes back. */
  private final class Sink implements FrameSink {
    final List<Frame> frames = new CopyOnWriteArrayList<>();
    final List<WriteCallback> held = new ArrayList<>();
    volatile boolean stalled;
    volatile CloseReason closedWith;

    @Override
    public void write(List<Frame> batch, WriteCallback callback) {
      check("FrameSink.write");
      frames.addAll(batch);
      synchronized (held) {
        if (stalled) {
          held.add(callback);
          return;
        }
      }
      callback.succeeded();
    }

    void resume() {
      List<WriteCallback> callbacks;
      synchronized (held) {
        stalled = false;
        callbacks = new ArrayList<>(held);
        held.clear();
      }
      callbacks.forEach(WriteCallback::succeeded);
    }

    @Override
    public void close(CloseReason reason) {
      check("FrameSink.close");
      closedWith = reason;
    }

    List<Frame.Type> types() {
      return frames.stream().map(Frame::type).toList();
    }

    List<Long> offsets(String channel) {
      List<Long> offsets = new ArrayList<>();
      for (Frame f : frames) {
        if (f.type() == Frame.Type.MESSAGE) {
          var json = dev.herald.push.RecordingSink.parse(f);
          if (json.get("channel").asText().equals(channel)) {
            offsets.add(json.get("offset").asLong());
          }
        }
      }
      return offsets;
    }
  }

  /** An observer that checks the locks on every event: it is the application's code. */
  private final class CheckingObserver implements HubObserver {
    @Override
    public void connectionOpened(WireFormat format) {
      check("HubObserver.connectionOpened");
    }

    @Override
    public void connectionClosed(WireFormat format, CloseReason reason) {
      check("HubObserver.connectionClosed");
    }

    @Override
    public void subscribed(String channel) {
      check("HubObserver.subscribed");
    }

    @Override
    public void published(String channel, boolean stored, long nanos) {
      check("HubObserver.published");
    }

    @Override
    public void delivered(WireFormat format, int frames, long bytes) {
      check("HubObserver.delivered");
    }

    @Override
    public void replayed(String channel, int messages) {
      check("HubObserver.replayed");
    }

    @Override
    public void resumed(String channel, boolean recovered) {
      check("HubObserver.resumed");
    }

    @Override
    public void brokerLag(String channel, long millis) {
      check("HubObserver.brokerLag");
    }
  }

  /** The in-memory broker, checking the locks on every call into it. */
  private final class CheckingBroker implements Broker {
    private final InMemoryBroker delegate;

    CheckingBroker(InMemoryBroker delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletionStage<Message> publish(
        String channel, String event, String data, String publisherId) {
      check("Broker.publish");
      return delegate.publish(channel, event, data, publisherId);
    }

    @Override
    public CompletionStage<Void> publishEphemeral(EphemeralMessage message) {
      check("Broker.publishEphemeral");
      return delegate.publishEphemeral(message);
    }

    @Override
    public CompletionStage<Replay> replay(String channel, Position since, int limit) {
      check("Broker.replay");
      return delegate.replay(channel, since, limit);
    }

    @Override
    public CompletionStage<Position> position(String channel) {
      check("Broker.position");
      return delegate.position(channel);
    }

    @Override
    public CompletionStage<BrokerSubscription> subscribe(String channel, BrokerListener listener) {
      check("Broker.subscribe");
      return delegate
          .subscribe(channel, listener)
          .thenApply(
              sub ->
                  () -> {
                    check("BrokerSubscription.close");
                    sub.close();
                  });
    }

    @Override
    public CompletionStage<Void> join(String channel, Member member) {
      check("Broker.join");
      return delegate.join(channel, member);
    }

    @Override
    public CompletionStage<Void> leave(String channel, Member member) {
      check("Broker.leave");
      return delegate.leave(channel, member);
    }

    @Override
    public CompletionStage<List<Member>> members(String channel) {
      check("Broker.members");
      return delegate.members(channel);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
