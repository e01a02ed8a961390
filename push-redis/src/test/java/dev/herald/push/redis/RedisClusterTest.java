package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.spi.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several hubs, each on its own {@link RedisBroker}, sharing channels through one real Redis. */
class RedisClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

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

  private Node node() {
    Node n = Node.start(redis.uri());
    nodes.add(n);
    return n;
  }

  static Message publish(Node node, String channel, Object data) {
    return node.hub.channel(channel).publish("e", data).toCompletableFuture().join();
  }

  @Test
  void publishOnOneNode_reachesClientsOnEveryNode() {
    Node a = node();
    Node b = node();
    Node c = node();
    List<Node.Client> clients =
        List.of(
            a.connect(List.of("room"), null),
            b.connect(List.of("room"), null),
            c.connect(List.of("room"), null));
    awaitLive(clients, "room");

    publish(a, "room", Map.of("from", "a"));
    publish(b, "room", Map.of("from", "b"));
    publish(c, "room", Map.of("from", "c"));

    for (Node.Client client : clients) {
      await().atMost(WAIT).until(() -> client.offsets("room").size() == 3);
      client.assertExact("room");
      assertThat(client.sink().messages("room"))
          .extracting(RecordingSink.Received::data)
          .containsExactly("{\"from\":\"a\"}", "{\"from\":\"b\"}", "{\"from\":\"c\"}");
    }
  }

  @Test
  void clientResumingOnAnotherNode_getsExactlyWhatItMissed() {
    Node a = node();
    Node b = node();
    Node c = node();
    Node.Client onA = a.connect(List.of("room", "news"), null);
    awaitLive(List.of(onA), "room");
    for (int i = 1; i <= 5; i++) {
      publish(c, "room", i);
    }
    publish(c, "news", "n1");
    await()
        .atMost(WAIT)
        .until(() -> onA.offsets("room").size() == 5 && onA.offsets("news").size() == 1);
    String cursor = onA.sink().lastCursor();
    onA.close();

    for (int i = 6; i <= 12; i++) {
      publish(c, "room", i);
    }
    publish(a, "news", "n2");
    Node.Client onB = b.connect(List.of("room", "news"), cursor);
    await()
        .atMost(WAIT)
        .until(() -> onB.offsets("room").size() == 7 && onB.offsets("news").size() == 1);
    publish(c, "room", 13);
    await().atMost(WAIT).until(() -> onB.offsets("room").size() == 8);

    assertThat(onB.offsets("room")).containsExactly(6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
    assertThat(onB.offsets("news")).containsExactly(2L);
    assertThat(onB.sink().resets("room")).isEmpty();
    onB.assertExact("room");
    onB.assertExact("news");
  }

  @Test
  void concurrentPublishingFromAllNodes_givesContiguousOffsetsAndOneOrderEverywhere()
      throws Exception {
    List<Node> cluster = List.of(node(), node(), node());
    List<Node.Client> clients =
        cluster.stream().map(n -> n.connect(List.of("race"), null)).toList();
    awaitLive(clients, "race");
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<CompletableFuture<List<Message>>> results = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      Node node = cluster.get(t % 3);
      int thread = t;
      results.add(
          CompletableFuture.supplyAsync(
              () -> {
                List<Message> stored = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                  stored.add(publish(node, "race", thread + "-" + i));
                }
                return stored;
              },
              pool));
    }
    List<Message> all = new ArrayList<>();
    for (CompletableFuture<List<Message>> r : results) {
      all.addAll(r.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();
    int total = 6 * perThread;

    assertThat(all)
        .extracting(Message::offset)
        .containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
    Map<Long, String> byOffset = new HashMap<>();
    all.forEach(m -> byOffset.put(m.offset(), m.data()));
    for (Node.Client client : clients) {
      await().atMost(WAIT).until(() -> client.offsets("race").size() == total);
      client.assertExact("race");
      for (RecordingSink.Received f : client.sink().messages("race")) {
        assertThat(f.data()).isEqualTo(byOffset.get(f.offset()));
      }
    }
  }

  @Test
  void tenThousandMessagesAcrossAHundredChannels_allArriveOnEveryNode() throws Exception {
    List<Node> cluster = List.of(node(), node(), node());
    List<String> channels = IntStream.range(0, 100).mapToObj(i -> "load/" + i).toList();
    List<Node.Client> clients = cluster.stream().map(n -> n.connect(channels, null)).toList();
    for (String channel : channels) {
      awaitLive(clients, channel);
    }
    List<CompletableFuture<Message>> sent = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      Node node = cluster.get(i % 3);
      sent.add(node.hub.channel(channels.get(i % 100)).publish("e", i).toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

    for (Node.Client client : clients) {
      await().atMost(Duration.ofSeconds(60)).until(() -> client.sink().messageCount() == 10_000);
      for (String channel : channels) {
        assertThat(client.assertExact(channel).offset()).isEqualTo(100);
        assertThat(client.sink().resets(channel)).isEmpty();
      }
    }
  }

  @Test
  void nodeClosedAndRestarted_itsClientsResumeWithoutLoss() {
    Node a = node();
    Node b = node();
    Node.Client onB = b.connect(List.of("room"), null);
    awaitLive(List.of(onB), "room");
    publish(a, "room", 1);
    publish(a, "room", 2);
    await().atMost(WAIT).until(() -> onB.offsets("room").size() == 2);
    String cursor = onB.sink().lastCursor();

    nodes.remove(b);
    b.close();
    assertThat(onB.sink().closeReason()).isEqualTo(CloseReason.SHUTDOWN);
    for (int i = 3; i <= 6; i++) {
      publish(a, "room", i);
    }
    Node restarted = node();
    Node.Client again = restarted.connect(List.of("room"), cursor);
    await().atMost(WAIT).until(() -> again.offsets("room").size() == 4);
    publish(restarted, "room", 7);
    await().atMost(WAIT).until(() -> again.offsets("room").size() == 5);

    assertThat(again.offsets("room")).containsExactly(3L, 4L, 5L, 6L, 7L);
    again.assertExact("room");
  }

  @Test
  void lastLocalSubscriberLeaving_unsubscribesTheNodeFromRedis() throws Exception {
    Node a = node();
    Node.Client one = a.connect(List.of("room"), null);
    Node.Client two = a.connect(List.of("room"), null);
    awaitLive(List.of(one, two), "room");
    assertThat(numsub("herald:{room}:live")).isEqualTo(1);

    one.close();
    assertThat(numsub("herald:{room}:live")).isEqualTo(1);
    two.close();
    await().atMost(WAIT).until(() -> numsub("herald:{room}:live") == 0);
    assertThat(a.broker.liveChannels().toCompletableFuture().get()).isEmpty();
  }

  @Test
  void presence_showsClientsOfEveryNode() {
    Node a = node();
    Node b = node();
    Node.Client onA = a.connect(List.of("room"), null);
    Node.Client onB = b.connect(List.of("room"), null);
    awaitLive(List.of(onA, onB), "room");

    await().atMost(WAIT).until(() -> members(b, "room").size() == 2);
    assertThat(members(b, "room"))
        .extracting(Member::clientId)
        .containsExactlyInAnyOrder(onA.connection().client().id(), onB.connection().client().id());
    onA.close();
    await().atMost(WAIT).until(() -> members(b, "room").size() == 1);
    assertThat(members(a, "room"))
        .extracting(Member::clientId)
        .containsExactly(onB.connection().client().id());
  }

  static List<Member> members(Node node, String channel) {
    return node.hub.channel(channel).members().toCompletableFuture().join();
  }

  /**
   * Waits for every client's ready frame: from then on its start position is fixed, so everything
   * published later reaches it, by replay or live.
   */
  static void awaitLive(List<Node.Client> clients, String channel) {
    await().atMost(WAIT).until(() -> clients.stream().allMatch(c -> c.sink().isReady()));
    for (Node.Client c : clients) {
      assertThat(c.start(channel)).isNotNull();
    }
  }

  private long numsub(String channel) {
    return (Long) ((List<?>) redis.call("PUBSUB", "NUMSUB", channel)).get(1);
  }
}
