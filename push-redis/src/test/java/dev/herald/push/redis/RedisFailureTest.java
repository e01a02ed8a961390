package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.ErrorCode;
import dev.herald.push.HealthStatus;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What clients see when Redis or a node's link to it fails, with real processes and sockets. */
class RedisFailureTest {
  private static final Duration TIMEOUT = Duration.ofMillis(800);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private RedisServer redis;
  private final List<Node> nodes = new ArrayList<>();

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
    if (redis != null) {
      redis.close();
    }
  }

  private Node node(String uri) {
    Node n = Node.start(uri, b -> b.commandTimeout(TIMEOUT));
    nodes.add(n);
    return n;
  }

  private static Message publish(Node node, String channel, Object data) {
    return node.hub.channel(channel).publish("e", data).toCompletableFuture().join();
  }

  /** Publishes and asserts that it fails with UNAVAILABLE within the command timeout and a bit. */
  private static void assertPublishFailsFast(Node node, String channel) {
    long start = System.nanoTime();
    assertThatThrownBy(() -> publish(node, channel, "lost"))
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusMillis(700));
  }

  @Test
  void redisKilledAndRestartedEmpty_publishesFailFast_thenClientsResetAndGoOn() {
    Node a = node(redis.uri());
    Node b = node(redis.uri());
    Node.Client onA = a.connect(List.of("room"), null);
    Node.Client onB = b.connect(List.of("room"), null);
    RedisClusterTest.awaitLive(List.of(onA, onB), "room");
    for (int i = 1; i <= 10; i++) {
      publish(i % 2 == 0 ? a : b, "room", i);
    }
    String oldEpoch = a.hub.channel("room").position().toCompletableFuture().join().epoch();
    await()
        .atMost(WAIT)
        .until(() -> onA.offsets("room").size() == 10 && onB.offsets("room").size() == 10);

    redis.kill();
    for (int i = 0; i < 3; i++) {
      assertPublishFailsFast(a, "room");
      assertPublishFailsFast(b, "room");
    }
    // A client connecting meanwhile is closed as unavailable, not left hanging.
    Node.Client during = a.connect(List.of("room"), null);
    await().atMost(WAIT).until(() -> during.sink().closeReason() != null);
    assertThat(during.sink().closeReason()).isEqualTo(CloseReason.UNAVAILABLE);
    assertThat(during.sink().isReady()).isFalse();

    redis.restart();
    // Delivery resumes by itself: publishing works again once the nodes have reconnected.
    Map<Long, String> acked = new HashMap<>();
    for (Node node : List.of(a, b)) {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () -> {
                Message m = publish(node, "room", "after-0");
                acked.put(m.offset(), m.data());
                return true;
              });
    }
    for (int i = 1; i <= 10; i++) {
      Message m = publish(i % 2 == 0 ? a : b, "room", "after-" + i);
      acked.put(m.offset(), m.data());
    }
    Position head = b.hub.channel("room").position().toCompletableFuture().join();
    assertThat(head.epoch()).isNotEqualTo(oldEpoch);

    for (Node.Client client : List.of(onA, onB)) {
      await().atMost(WAIT).until(() -> client.assertExact("room").equals(head));
      // History was lost with Redis, so the clients were told to reload, never left with a gap.
      assertThat(client.sink().resets("room"))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.epoch()).isEqualTo(head.epoch()));
      for (RecordingSink.Received m : client.sink().messages("room")) {
        if (m.epoch().equals(head.epoch())) {
          assertThat(m.data()).isEqualTo(acked.get(m.offset()));
        }
      }
      assertThat(client.connection().isOpen()).isTrue();
    }
  }

  @Test
  void redisKilledWhilePublishersRun_everyPublishSucceedsOrFailsFast_andNoClientHasASilentGap()
      throws Exception {
    Node a = node(redis.uri());
    Node b = node(redis.uri());
    Node.Client onA = a.connect(List.of("room"), null);
    Node.Client onB = b.connect(List.of("room"), null);
    RedisClusterTest.awaitLive(List.of(onA, onB), "room");
    Map<String, Message> acked = new ConcurrentHashMap<>();
    AtomicInteger failures = new AtomicInteger();
    AtomicLong slowest = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    List<Thread> publishers = new ArrayList<>();
    for (Node node : List.of(a, b)) {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; running.get(); i++) {
                  String data = "\"" + node.broker.nodeId() + "-" + i + "\"";
                  long start = System.nanoTime();
                  try {
                    acked.put(
                        data,
                        node.hub
                            .channel("room")
                            .publishJson("e", data)
                            .toCompletableFuture()
                            .join());
                  } catch (CompletionException e) {
                    if (e.getCause() instanceof PushException p
                        && p.code() == ErrorCode.UNAVAILABLE) {
                      failures.incrementAndGet();
                    } else {
                      unexpected.add(e);
                    }
                  }
                  slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
              });
      t.start();
      publishers.add(t);
    }
    await().atMost(WAIT).until(() -> acked.size() >= 200);
    redis.kill();
    await().atMost(WAIT).until(() -> failures.get() >= 20);
    redis.restart();
    int before = acked.size();
    await().atMost(WAIT).until(() -> acked.size() >= before + 200);
    running.set(false);
    for (Thread t : publishers) {
      t.join(10_000);
    }

    assertThat(unexpected).isEmpty();
    assertThat(Duration.ofNanos(slowest.get())).isLessThan(TIMEOUT.plusMillis(700));
    // A command can still meet a connection Lettuce is re-establishing: ask until Redis answers.
    Position head =
        await()
            .atMost(WAIT)
            .ignoreExceptions()
            .until(() -> a.hub.channel("room").position().toCompletableFuture().join(), p -> true);
    Map<Long, String> newest = new HashMap<>();
    acked.values().stream()
        .filter(m -> m.epoch().equals(head.epoch()))
        .forEach(m -> newest.put(m.offset(), m.data()));
    for (Node.Client client : List.of(onA, onB)) {
      await().atMost(WAIT).until(() -> client.assertExact("room").equals(head));
      assertThat(client.sink().resets("room")).isNotEmpty();
      for (RecordingSink.Received m : client.sink().messages("room")) {
        if (m.epoch().equals(head.epoch())) {
          assertThat(m.data()).isEqualTo(newest.get(m.offset()));
        }
      }
    }
  }

  @Test
  void nodeCutOffFromRedis_failsPublishesFast_thenCatchesUpFromTheStreamWithoutReset()
      throws Exception {
    try (RedisLink proxy = redis.link()) {
      Node a = node(proxy.uri());
      Node b = node(redis.uri());
      Node.Client onA = a.connect(List.of("room", "quiet"), null);
      RedisClusterTest.awaitLive(List.of(onA), "room");
      for (int i = 1; i <= 3; i++) {
        publish(b, "room", i);
      }
      await().atMost(WAIT).until(() -> onA.offsets("room").size() == 3);

      proxy.cut();
      assertPublishFailsFast(a, "room");
      for (int i = 4; i <= 15; i++) {
        publish(b, "room", i);
      }
      assertPublishFailsFast(a, "room");
      proxy.restore();

      // The missed messages come from the stream once the node resubscribed: nothing lost.
      await().atMost(WAIT).until(() -> onA.offsets("room").size() == 15);
      await().atMost(WAIT).ignoreExceptions().until(() -> publish(a, "room", 16) != null);
      await().atMost(WAIT).until(() -> onA.offsets("room").size() == 16);
      assertThat(onA.assertExact("room").offset()).isEqualTo(16);
      assertThat(onA.sink().resets("room")).isEmpty();
      assertThat(onA.sink().resets("quiet")).isEmpty();
      assertThat(onA.connection().isOpen()).isTrue();
    }
  }

  @Test
  void joinsAndLeavesDuringAnOutage_reachRedisOnceTheNodeIsBack() throws Exception {
    try (RedisLink proxy = redis.link()) {
      Node a = node(proxy.uri());
      Node b = node(redis.uri());
      Member stays = new Member("stays", null, java.time.Instant.now());
      Member goes = new Member("goes", null, java.time.Instant.now());
      a.broker.join("room", goes).toCompletableFuture().join();

      proxy.cut();
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () -> {
                try {
                  a.broker.join("room", stays).toCompletableFuture().join();
                  return false;
                } catch (CompletionException e) {
                  return true;
                }
              });
      assertThatThrownBy(() -> a.broker.leave("room", goes).toCompletableFuture().join())
          .hasCauseInstanceOf(PushException.class);
      proxy.restore();

      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(RedisClusterTest.members(b, "room"))
                      .extracting(Member::clientId)
                      .containsExactly("stays"));
    }
  }

  @Test
  void redisRestartedFromAnOlderSnapshot_resumingClientsResetInsteadOfSkippingNewMessages() {
    Node a = node(redis.uri());
    Node.Client live = a.connect(List.of("room"), null);
    Node.Client away = a.connect(List.of("room"), null);
    RedisClusterTest.awaitLive(List.of(live, away), "room");
    for (int i = 1; i <= 5; i++) {
      publish(a, "room", i);
    }
    assertThat(redis.command("SAVE")).isEqualTo("+OK");
    for (int i = 6; i <= 10; i++) {
      publish(a, "room", i);
    }
    await().atMost(WAIT).until(() -> away.offsets("room").size() == 10);
    String cursor = away.sink().lastCursor();
    away.close();

    // Redis comes back from a snapshot that holds only offsets 1 to 5.
    redis.kill();
    redis.restart();
    List<Message> after = new ArrayList<>();
    await().atMost(WAIT).ignoreExceptions().until(() -> after.add(publish(a, "room", "new-1")));
    for (int i = 2; i <= 7; i++) {
      after.add(publish(a, "room", "new-" + i));
    }
    Node.Client back = a.connect(List.of("room"), cursor);

    // Had the offsets 6 to 10 been handed out again, the returning client would have resumed
    // after 10 and silently missed new-1 to new-5. Instead, a new epoch: it resets.
    String epoch = after.get(0).epoch();
    assertThat(after).extracting(Message::epoch).containsOnly(epoch);
    assertThat(after).extracting(Message::offset).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    await().atMost(WAIT).until(() -> !back.sink().resets("room").isEmpty());
    assertThat(back.sink().resets("room").get(0).epoch()).isEqualTo(epoch);
    assertThat(back.assertExact("room")).isEqualTo(new Position(epoch, 7));
    await().atMost(WAIT).until(() -> live.assertExact("room").equals(new Position(epoch, 7)));
    assertThat(live.sink().resets("room")).isNotEmpty();
  }

  @Test
  void redisFlushedWhileClientsAreLive_theyGetResetThenTheNewHistory() {
    Node a = node(redis.uri());
    Node b = node(redis.uri());
    Node.Client onA = a.connect(List.of("room"), null);
    RedisClusterTest.awaitLive(List.of(onA), "room");
    publish(b, "room", 1);
    publish(b, "room", 2);
    await().atMost(WAIT).until(() -> onA.offsets("room").size() == 2);

    assertThat(redis.command("FLUSHALL")).isEqualTo("+OK");
    Message first = publish(b, "room", "new-1");
    publish(b, "room", "new-2");

    assertThat(first.offset()).isEqualTo(1);
    await().atMost(WAIT).until(() -> onA.offsets("room").size() == 4);
    assertThat(onA.sink().resets("room")).hasSize(1);
    assertThat(onA.assertExact("room")).isEqualTo(new Position(first.epoch(), 2));
  }

  @Test
  void health_followsTheConnections_downWhileRedisIsGone_upOnceBack() {
    Node a = node(redis.uri());
    List<BrokerHealth> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.broker.watchHealth(heard::add);
    assertThat(a.broker.health().status()).isEqualTo(HealthStatus.UP);
    assertThat(a.broker.health().detail()).startsWith("connected to Redis at ");
    assertThat(a.hub.health().status()).isEqualTo(HealthStatus.UP);

    redis.kill();
    await().atMost(WAIT).until(() -> a.hub.health().status() == HealthStatus.DOWN);
    assertThat(a.hub.health().broker().detail()).contains("disconnected from Redis");
    assertThat(a.hub.health().draining()).isFalse();

    redis.restart();
    await().atMost(WAIT).until(() -> a.hub.health().status() == HealthStatus.UP);
    assertThat(heard).extracting(BrokerHealth::status).contains(HealthStatus.DOWN);
    // The hub's own watcher hears a change before this one, on the same thread: wait for it here.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(heard.get(heard.size() - 1).status()).isEqualTo(HealthStatus.UP));
    assertThat(a.hub.stats().broker().healthChanges()).isGreaterThanOrEqualTo(2);

    a.broker.close();
    assertThat(a.broker.health().status()).isEqualTo(HealthStatus.DOWN);
    assertThat(a.broker.health().detail()).isEqualTo("closed");
  }
}
