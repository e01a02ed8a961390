package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.ErrorCode;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.Replay;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The broker SPI contract of {@link RedisBroker} against a real Redis. */
class RedisBrokerTest {
  private RedisServer redis;
  private final List<RedisBroker> brokers = new ArrayList<>();

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() {
    brokers.forEach(RedisBroker::close);
    if (redis != null) {
      redis.close();
    }
  }

  private RedisBroker broker() {
    return broker(RedisBroker.builder().redisUri(redis.uri()));
  }

  private RedisBroker broker(RedisBroker.Builder builder) {
    RedisBroker b = builder.build();
    brokers.add(b);
    return b;
  }

  private static <T> T get(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void publish_assignsDenseOffsetsFromOne_andPositionReportsTheHead() {
    RedisBroker a = broker();
    RedisBroker b = broker();
    Position empty = get(a.position("chat/lobby"));
    assertThat(empty.offset()).isZero();

    Message first = get(a.publish("chat/lobby", "chat", "{\"n\":1}", null));
    Message second = get(b.publish("chat/lobby", "chat", "{\"n\":2}", "client-7"));

    assertThat(first.offset()).isEqualTo(1);
    assertThat(second.offset()).isEqualTo(2);
    assertThat(first.epoch()).isEqualTo(empty.epoch()).isEqualTo(second.epoch());
    assertThat(second.publisherId()).isEqualTo("client-7");
    assertThat(second.time()).isAfterOrEqualTo(first.time());
    assertThat(get(b.position("chat/lobby"))).isEqualTo(new Position(empty.epoch(), 2));
  }

  @Test
  void position_ofANewChannel_keepsItsEpochOnEveryNode() {
    RedisBroker a = broker();
    RedisBroker b = broker();
    Position p1 = get(a.position("news"));
    Position p2 = get(b.position("news"));
    Position other = get(a.position("sports"));

    assertThat(p1).isEqualTo(p2).isEqualTo(new Position(p1.epoch(), 0));
    assertThat(other.epoch()).isNotEqualTo(p1.epoch());
  }

  @Test
  void replay_returnsExactlyTheMessagesAfterThePosition_inBatches() {
    RedisBroker a = broker();
    for (int i = 1; i <= 10; i++) {
      get(a.publish("c", "e", "{\"n\":" + i + "}", i % 2 == 0 ? "p" + i : null));
    }
    String epoch = get(a.position("c")).epoch();

    Replay batch = get(a.replay("c", new Position(epoch, 3), 4));
    assertThat(batch.reset()).isFalse();
    assertThat(batch.head()).isEqualTo(new Position(epoch, 10));
    assertThat(batch.messages()).extracting(Message::offset).containsExactly(4L, 5L, 6L, 7L);
    assertThat(batch.messages())
        .extracting(Message::data)
        .containsExactly("{\"n\":4}", "{\"n\":5}", "{\"n\":6}", "{\"n\":7}");
    assertThat(batch.messages())
        .extracting(Message::publisherId)
        .containsExactly("p4", null, "p6", null);

    assertThat(get(a.replay("c", new Position(epoch, 7), 100)).messages())
        .extracting(Message::offset)
        .containsExactly(8L, 9L, 10L);
    Replay atHead = get(a.replay("c", new Position(epoch, 10), 100));
    assertThat(atHead.reset()).isFalse();
    assertThat(atHead.messages()).isEmpty();
    assertThat(get(a.replay("c", new Position(epoch, 0), 100)).messages()).hasSize(10);
  }

  @Test
  void replay_resets_forAnotherEpoch_andBeyondTheHead() {
    RedisBroker a = broker();
    get(a.publish("c", "e", "1", null));
    Position head = get(a.position("c"));

    Replay otherEpoch = get(a.replay("c", new Position("someOtherEpoch", 1), 10));
    Replay beyond = get(a.replay("c", new Position(head.epoch(), 5), 10));

    assertThat(otherEpoch.reset()).isTrue();
    assertThat(otherEpoch.head()).isEqualTo(head);
    // Another epoch restarts before the oldest message held; beyond the head, at the head.
    assertThat(otherEpoch.start()).isEqualTo(head.withOffset(0));
    assertThat(beyond.reset()).isTrue();
    assertThat(beyond.head()).isEqualTo(head);
    assertThat(beyond.start()).isEqualTo(head);
  }

  @Test
  void replay_resets_whenThePositionIsOlderThanTheHistoryHolds() {
    RedisBroker a = broker(RedisBroker.builder().redisUri(redis.uri()).historySize(10));
    for (int i = 1; i <= 300; i++) {
      a.publish("c", "e", Integer.toString(i), null);
    }
    Position head = get(a.position("c"));
    assertThat(head.offset()).isEqualTo(300);

    Replay tooOld = get(a.replay("c", new Position(head.epoch(), 5), 10));
    assertThat(tooOld.reset()).isTrue();
    // It restarts just before the oldest message the stream holds, so all of them can follow.
    assertThat(tooOld.start().offset()).isBetween(6L, 290L);
    Replay fromStart = get(a.replay("c", tooOld.start(), 10));
    assertThat(fromStart.reset()).isFalse();
    assertThat(fromStart.messages().get(0).offset()).isEqualTo(tooOld.start().offset() + 1);
    Replay recent = get(a.replay("c", new Position(head.epoch(), 290), 100));
    assertThat(recent.reset()).isFalse();
    assertThat(recent.messages()).extracting(Message::offset).startsWith(291L).endsWith(300L);
  }

  @Test
  void replay_resets_whenTheMessagesAfterThePositionAreOlderThanTheMaxAge() {
    RedisBroker a =
        broker(RedisBroker.builder().redisUri(redis.uri()).historyMaxAge(Duration.ofMillis(300)));
    get(a.publish("c", "e", "1", null));
    get(a.publish("c", "e", "2", null));
    String epoch = get(a.position("c")).epoch();
    assertThat(get(a.replay("c", new Position(epoch, 0), 10)).messages()).hasSize(2);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> get(a.replay("c", new Position(epoch, 0), 10)).reset());
    // Still the same history: a client that had everything resumes without a reset.
    Replay level = get(a.replay("c", new Position(epoch, 2), 10));
    assertThat(level.reset()).isFalse();
    assertThat(level.messages()).isEmpty();

    // Messages too old to keep are not held, even while the stream still has them: a reset
    // restarts after them.
    get(a.publish("c", "e", "3", null));
    Replay reset = get(a.replay("c", new Position("someOtherEpoch", 1), 10));
    assertThat(reset.reset()).isTrue();
    assertThat(reset.start()).isEqualTo(new Position(epoch, 2));
    assertThat(get(a.replay("c", reset.start(), 10)).messages())
        .extracting(Message::data)
        .containsExactly("3");
  }

  @Test
  void flushedRedis_givesTheChannelANewEpoch_andOldPositionsReset() {
    RedisBroker a = broker();
    get(a.publish("c", "e", "1", null));
    Position before = get(a.position("c"));

    assertThat(redis.command("FLUSHALL")).isEqualTo("+OK");

    Replay replay = get(a.replay("c", before, 10));
    assertThat(replay.reset()).isTrue();
    assertThat(replay.head().epoch()).isNotEqualTo(before.epoch());
    assertThat(replay.head().offset()).isZero();
    Message next = get(a.publish("c", "e", "2", null));
    assertThat(next.epoch()).isEqualTo(replay.head().epoch());
    assertThat(next.offset()).isEqualTo(1);
  }

  @Test
  void subscribe_deliversMessagesPublishedOnAnyNode_andCloseStopsAndUnsubscribes() {
    RedisBroker a = broker();
    RedisBroker b = broker();
    Recorder heard = new Recorder();
    BrokerSubscription sub = get(a.subscribe("room", heard));
    assertThat(get(a.liveChannels())).containsExactly("room");
    assertThat(numsub("herald:{room}:live")).isEqualTo(1);

    get(b.publish("room", "chat", "{\"text\":\"héllo wörld\"}", "ü-client"));
    get(a.publish("room", "chat", "\"second\"", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> heard.messages.size() == 2);
    Message m = heard.messages.get(0);
    assertThat(m.offset()).isEqualTo(1);
    assertThat(m.data()).isEqualTo("{\"text\":\"héllo wörld\"}");
    assertThat(m.publisherId()).isEqualTo("ü-client");
    assertThat(heard.messages.get(1).offset()).isEqualTo(2);

    sub.close();
    sub.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> numsub("herald:{room}:live") == 0);
    assertThat(get(a.liveChannels())).isEmpty();
    get(b.publish("room", "chat", "3", null));
    // A later subscriber's first message proves the third was delivered to nobody here.
    Recorder later = new Recorder();
    get(a.subscribe("room", later));
    get(b.publish("room", "chat", "4", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> later.messages.size() == 1);
    assertThat(heard.messages).hasSize(2);
  }

  @Test
  void subscribe_twoListenersShareOneRedisSubscription_untilTheLastCloses() {
    RedisBroker a = broker();
    Recorder one = new Recorder();
    Recorder two = new Recorder();
    BrokerSubscription s1 = get(a.subscribe("room", one));
    BrokerSubscription s2 = get(a.subscribe("room", two));
    get(a.publish("room", "e", "1", null));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> one.messages.size() == 1 && two.messages.size() == 1);

    s1.close();
    get(a.publish("room", "e", "2", null));
    await().atMost(Duration.ofSeconds(5)).until(() -> two.messages.size() == 2);
    assertThat(one.messages).hasSize(1);
    assertThat(numsub("herald:{room}:live")).isEqualTo(1);
    s2.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> numsub("herald:{room}:live") == 0);
  }

  @Test
  void keys_carryThePrefixAndTheChannelAsHashTag() {
    RedisBroker a = broker(RedisBroker.builder().redisUri(redis.uri()).keyPrefix("app1:"));
    get(a.publish("chat/lobby", "e", "1", null));
    get(a.join("chat/lobby", new Member("c1", null, Instant.now())));

    assertThat(redis.command("EXISTS", "app1:{chat/lobby}:meta")).isEqualTo(":1");
    assertThat(redis.command("EXISTS", "app1:{chat/lobby}:log")).isEqualTo(":1");
    assertThat(redis.command("EXISTS", "app1:{chat/lobby}:members")).isEqualTo(":1");
    assertThat(redis.command("EXISTS", "app1:node:" + a.nodeId())).isEqualTo(":1");
    // The hash tag alone picks the slot, so a channel's keys share one node of a Redis Cluster.
    // (A standalone Redis answers CLUSTER KEYSLOT with an error, so the client computes it.)
    assertThat(SlotHash.getSlot("app1:{chat/lobby}:log"))
        .isEqualTo(SlotHash.getSlot("app1:{chat/lobby}:members"))
        .isEqualTo(SlotHash.getSlot("chat/lobby"))
        .isNotEqualTo(SlotHash.getSlot("app1:{chat/other}:log"));
  }

  @Test
  void presence_joinAndLeave_areSeenOnEveryNode() {
    RedisBroker a = broker();
    RedisBroker b = broker();
    Instant since = Instant.ofEpochMilli(1_700_000_000_000L);
    get(a.join("room", new Member("c1", "alice", since)));
    get(b.join("room", new Member("c2", null, since.plusSeconds(1))));

    assertThat(get(b.members("room")))
        .containsExactly(
            new Member("c1", "alice", since), new Member("c2", null, since.plusSeconds(1)));
    get(a.leave("room", new Member("c1", "alice", since)));
    assertThat(get(b.members("room"))).extracting(Member::clientId).containsExactly("c2");
    assertThat(get(a.members("other"))).isEmpty();
  }

  @Test
  void presence_membersOfANodeThatStopped_expireWithItsHeartbeat() {
    RedisBroker a = broker();
    // A node that died: its entry stays, its node key lapses.
    redis.command("HSET", "herald:{room}:members", "ghost", "deadnode1 1700000000000 -");
    redis.command("SET", "herald:node:deadnode1", "1", "PX", "400");
    get(a.join("room", new Member("c1", null, Instant.now())));

    assertThat(get(a.members("room")))
        .extracting(Member::clientId)
        .containsExactlyInAnyOrder("c1", "ghost");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> get(a.members("room")).stream().noneMatch(m -> m.clientId().equals("ghost")));
    // The reader cleaned the dead entry up.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> redis.command("HEXISTS", "herald:{room}:members", "ghost").equals(":0"));
  }

  @Test
  void presence_isWrittenAgain_afterRedisLostIt() {
    RedisBroker a =
        broker(RedisBroker.builder().redisUri(redis.uri()).presenceTimeout(Duration.ofMillis(300)));
    RedisBroker b = broker();
    get(a.join("room", new Member("c1", null, Instant.now())));
    redis.command("FLUSHALL");
    assertThat(get(b.members("room"))).isEmpty();

    await().atMost(Duration.ofSeconds(5)).until(() -> get(b.members("room")).size() == 1);
  }

  @Test
  void close_withdrawsThisNodesMembers_andLaterCallsFail() {
    RedisBroker a = broker();
    RedisBroker b = broker();
    get(a.join("room", new Member("c1", null, Instant.now())));
    a.close();

    assertThat(get(b.members("room"))).isEmpty();
    assertThat(redis.command("EXISTS", "herald:node:" + a.nodeId())).isEqualTo(":0");
    assertThatThrownBy(() -> get(a.publish("room", "e", "1", null)))
        .hasRootCauseInstanceOf(PushException.class)
        .rootCause()
        .hasMessageContaining("closed");
  }

  @Test
  void badArguments_failTheStage_withoutTouchingRedis() {
    RedisBroker a = broker();
    assertThatThrownBy(() -> get(a.publish("bad channel", "e", "1", null)))
        .rootCause()
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_CHANNEL));
    assertThatThrownBy(() -> get(a.replay("c", new Position("e", 0), 0)))
        .rootCause()
        .hasMessage("limit must be > 0, was 0");
  }

  @Test
  void build_failsWithUnavailable_whenRedisCannotBeReached() {
    redis.kill();
    assertThatThrownBy(
            () ->
                RedisBroker.builder()
                    .redisUri(redis.uri())
                    .commandTimeout(Duration.ofMillis(500))
                    .build())
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
        .hasMessageContaining("cannot connect to Redis at " + redis.host() + ":" + redis.port());
  }

  @Test
  void builder_rejectsBadSettings_namingTheBadValue() {
    RedisBroker.Builder b = RedisBroker.builder();
    assertThatThrownBy(() -> b.historySize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("historySize must be > 0, was 0");
    assertThatThrownBy(() -> b.historyMaxAge(Duration.ZERO))
        .hasMessage("historyMaxAge must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> b.commandTimeout(Duration.ofSeconds(-1)))
        .hasMessage("commandTimeout must be at least 1 ms, was PT-1S");
    assertThatThrownBy(() -> b.presenceTimeout(Duration.ofMillis(10)))
        .hasMessage("presenceTimeout must be at least 100 ms, was PT0.01S");
    assertThatThrownBy(() -> b.keyPrefix("my{app}:"))
        .hasMessage(
            "keyPrefix may hold only printable ASCII without spaces or braces, was \"my{app}:\"");
    assertThatThrownBy(() -> b.redisUri("http://user:secret@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("redisUri is not a valid Redis URI, was \"http://***@host\"")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> b.redisUri(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.redisUri("redis-cluster://user:secret@10.0.0.1:7000,,10.0.0.2:7000"))
        .hasMessageStartingWith("redisUri is not a valid Redis URI, was \"redis-cluster://***@")
        .hasMessageEndingWith("empty host in the node list")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> b.redisUri("redis-cluster://10.0.0.1:7000/3"))
        .hasMessageEndingWith("a Redis Cluster has no database number");
    assertThat(b.redisUri("redis-cluster://10.0.0.1:7000,10.0.0.2:7001?timeout=5s")).isSameAs(b);
    assertThat(b.redisUri("rediss-cluster://user:pw@redis.internal:6380")).isSameAs(b);
  }

  private long numsub(String channel) {
    return (Long) ((List<?>) redis.call("PUBSUB", "NUMSUB", channel)).get(1);
  }

  /** Records what a broker feed delivers. Thread-safe. */
  static final class Recorder implements BrokerListener {
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final AtomicInteger resyncs = new AtomicInteger();

    @Override
    public void onMessage(Message message) {
      messages.add(message);
    }

    @Override
    public void onResync() {
      resyncs.incrementAndGet();
    }
  }
}
