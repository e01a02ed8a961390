package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Position;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald nodes on a real Redis Cluster (three masters, three replicas, {@link LocalRedisCluster}):
 * sharded live delivery, resume across nodes, resharding of a busy channel's slot, and failovers
 * with and without lost messages. One cluster serves every test; the failover tests run last and
 * bring the killed node back as a replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterModeTest {
  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterModeTest.class);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern N = Pattern.compile("\"n\":(\\d+)");

  private static LocalRedisCluster cluster;
  private final List<Node> nodes = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    cluster = LocalRedisCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(Node::close);
  }

  private Node node() {
    Node n =
        Node.start(
            cluster.uri(),
            b -> b.commandTimeout(Duration.ofSeconds(1)).presenceTimeout(Duration.ofSeconds(3)));
    nodes.add(n);
    return n;
  }

  @Test
  @Order(1)
  void ephemeralMessagesAndPresence_crossNodes_overShardedPubSub() {
    Node a = node();
    Node b = node();
    CrossNodeLiveChecks.ephemeralCrossesNodes_andAResumeSkipsIt(a, b, "e/board");
    CrossNodeLiveChecks.presenceWithDataCrossesNodes(a, b, "p/board");
  }

  @Test
  @Order(1)
  void publishOnOneNode_reachesClientsOfTheOthers_onlyThroughTheChannelsShard() {
    Node a = node();
    Node b = node();
    Node c = node();
    List<String> channels = List.of("s/one", "s/two", "s/three", "s/four", "s/five", "s/six");
    Node.Client onB = b.connect(channels, null);
    Node.Client onC = c.connect(channels, null);
    RedisClusterTest.awaitLive(List.of(onB, onC), "s/one");

    for (String channel : channels) {
      for (int i = 1; i <= 3; i++) {
        RedisClusterTest.publish(a, channel, Map.of("n", i));
      }
    }

    for (Node.Client client : List.of(onB, onC)) {
      await()
          .atMost(WAIT)
          .until(() -> channels.stream().allMatch(ch -> client.offsets(ch).size() == 3));
      for (String channel : channels) {
        client.assertExact(channel);
        assertThat(client.sink().resets(channel)).isEmpty();
      }
    }
    // Sharded: each live channel is subscribed on its own slot's master only, never classic.
    Set<Integer> shards = ConcurrentHashMap.newKeySet();
    for (String channel : channels) {
      String live = "herald:{" + channel + "}:live";
      LocalRedisCluster.Instance owner = cluster.masterOf(cluster.slot(live));
      shards.add(owner.port);
      assertThat(shardSubscribers(owner, live)).isEqualTo(2L);
      for (LocalRedisCluster.Instance other : cluster.masters()) {
        if (other != owner) {
          assertThat(shardSubscribers(other, live)).isZero();
        }
        assertThat((List<?>) other.call("PUBSUB", "CHANNELS")).isEmpty();
      }
    }
    assertThat(shards).as("the channels spread over the shards").hasSizeGreaterThan(1);

    onB.close();
    onC.close();
    String live = "herald:{s/one}:live";
    LocalRedisCluster.Instance owner = cluster.masterOf(cluster.slot(live));
    await().atMost(WAIT).until(() -> shardSubscribers(owner, live) == 0L);
  }

  @Test
  @Order(2)
  void clientResumingOnAnotherNode_getsExactlyWhatItMissed() {
    Node a = node();
    Node b = node();
    Node.Client onA = a.connect(List.of("r/room"), null);
    RedisClusterTest.awaitLive(List.of(onA), "r/room");
    for (int i = 1; i <= 5; i++) {
      RedisClusterTest.publish(b, "r/room", i);
    }
    await().atMost(WAIT).until(() -> onA.offsets("r/room").size() == 5);
    String cursor = onA.sink().lastCursor();
    onA.close();
    for (int i = 6; i <= 9; i++) {
      RedisClusterTest.publish(a, "r/room", i);
    }

    Node.Client onB = b.connect(List.of("r/room"), cursor);
    await().atMost(WAIT).until(() -> onB.offsets("r/room").size() == 4);
    RedisClusterTest.publish(a, "r/room", 10);
    await().atMost(WAIT).until(() -> onB.offsets("r/room").size() == 5);

    assertThat(onB.offsets("r/room")).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(onB.sink().resets("r/room")).isEmpty();
    onB.assertExact("r/room");
  }

  @Test
  @Order(3)
  void reshardingTheBusyChannelsSlot_losesAndRepeatsNothing() throws Exception {
    String channel = "m/busy";
    Node a = node();
    Node b = node();
    Node c = node();
    List<Node.Client> clients =
        List.of(b.connect(List.of(channel), null), c.connect(List.of(channel), null));
    RedisClusterTest.awaitLive(clients, channel);
    int slot = cluster.slot("herald:{" + channel + "}:meta");
    LocalRedisCluster.Instance from = cluster.masterOf(slot);
    LocalRedisCluster.Instance to = cluster.otherMaster(from);

    try (Traffic traffic = new Traffic(a, channel)) {
      traffic.awaitAcknowledged(200);
      cluster.moveSlot(slot, from, to);
      int before = traffic.acknowledged.size();
      traffic.awaitAcknowledged(before + 200);
    }
    assertThat(cluster.masterOf(slot)).isSameAs(to);
    Traffic.Counts counts = null;
    for (Node.Client client : clients) {
      counts = Traffic.collect(client, channel, lastTraffic);
      client.assertExact(channel);
      assertThat(client.sink().resets(channel)).isEmpty();
      assertThat(counts.missing()).isZero();
    }
    LOG.info("Resharding slot {} during publishing: {}", slot, counts);
    // The feeds follow the slot.
    String live = "herald:{" + channel + "}:live";
    await().atMost(WAIT).until(() -> shardSubscribers(to, live) == 2L);
  }

  @Test
  @Order(4)
  void failoverAfterTheReplicaCaughtUp_resumesWithoutReset() throws Exception {
    String channel = "f/calm";
    Node a = node();
    Node b = node();
    List<Node.Client> clients =
        List.of(a.connect(List.of(channel), null), b.connect(List.of(channel), null));
    RedisClusterTest.awaitLive(clients, channel);
    for (int i = 1; i <= 20; i++) {
      RedisClusterTest.publish(a, channel, Map.of("n", i));
    }
    String epoch = clients.get(0).start(channel).epoch();
    LocalRedisCluster.Instance master =
        cluster.masterOf(cluster.slot("herald:{" + channel + "}:meta"));
    LocalRedisCluster.Instance replica = cluster.replicaOf(master);
    await("replica caught up")
        .atMost(WAIT)
        .until(() -> replicaOffset(master) == masterOffset(master));

    master.kill();
    cluster.awaitPromoted(replica);
    for (int i = 21; i <= 40; i++) {
      int n = i;
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () -> {
                RedisClusterTest.publish(b, channel, Map.of("n", n));
                return true;
              });
    }

    for (Node.Client client : clients) {
      await().atMost(WAIT).until(() -> client.offsets(channel).size() >= 40);
      Position at = client.assertExact(channel);
      assertThat(client.sink().resets(channel)).as("no reset: nothing was lost").isEmpty();
      assertThat(at.epoch()).isEqualTo(epoch);
      assertThat(numbers(client, channel)).hasSize(40);
    }
    master.restart();
    cluster.awaitHealthy();
  }

  @Test
  @Order(5)
  void failoverThatLostAcknowledgedMessages_resetsEveryClient() throws Exception {
    String channel = "f/lossy";
    Node a = node();
    Node b = node();
    List<Node.Client> clients =
        List.of(a.connect(List.of(channel), null), b.connect(List.of(channel), null));
    RedisClusterTest.awaitLive(clients, channel);
    Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    for (int i = 1; i <= 10; i++) {
      RedisClusterTest.publish(a, channel, Map.of("n", i));
      acknowledged.add(i);
    }
    String epoch = clients.get(0).start(channel).epoch();
    LocalRedisCluster.Instance master =
        cluster.masterOf(cluster.slot("herald:{" + channel + "}:meta"));
    LocalRedisCluster.Instance replica = cluster.replicaOf(master);
    await("replica caught up")
        .atMost(WAIT)
        .until(() -> replicaOffset(master) == masterOffset(master));

    // The replica stops hearing its master, which then acknowledges five more messages that only
    // it holds, and dies: the replica that takes over never had them.
    replica.signal("STOP");
    try {
      master.command("CLIENT", "KILL", "TYPE", "replica");
      for (int i = 11; i <= 15; i++) {
        RedisClusterTest.publish(a, channel, Map.of("n", i));
        acknowledged.add(i);
      }
      for (Node.Client client : clients) {
        await().atMost(WAIT).until(() -> client.offsets(channel).size() == 15);
      }
      master.kill();
    } finally {
      replica.signal("CONT");
    }
    cluster.awaitPromoted(replica);
    for (int i = 16; i <= 25; i++) {
      int n = i;
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () -> {
                RedisClusterTest.publish(b, channel, Map.of("n", n));
                return true;
              });
      acknowledged.add(i);
    }

    for (Node.Client client : clients) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !client.sink().resets(channel).isEmpty()
                      && numbers(client, channel).containsAll(Set.of(16, 25)));
      Position at = client.assertExact(channel);
      assertThat(at.epoch()).as("a new epoch: the history went backwards").isNotEqualTo(epoch);
      Set<Integer> delivered = Set.copyOf(numbers(client, channel));
      LOG.info(
          "Lossy failover: acknowledged {}, delivered {}, resets {}, acknowledged but not delivered"
              + " (covered by the reset) {}",
          acknowledged.size(),
          delivered.size(),
          client.sink().resets(channel).size(),
          acknowledged.stream().filter(n -> !delivered.contains(n)).count());
      assertThat(delivered).contains(16, 17, 18, 19, 20, 21, 22, 23, 24, 25);
    }
    master.restart();
    cluster.awaitHealthy();
  }

  @Test
  @Order(6)
  void masterKilledDuringContinuousPublishing_everyAcknowledgedMessageArrivesOrIsCoveredByReset()
      throws Exception {
    String channel = "f/busy";
    Node a = node();
    Node b = node();
    Node c = node();
    List<Node.Client> clients =
        List.of(b.connect(List.of(channel), null), c.connect(List.of(channel), null));
    RedisClusterTest.awaitLive(clients, channel);
    LocalRedisCluster.Instance master =
        cluster.masterOf(cluster.slot("herald:{" + channel + "}:meta"));
    LocalRedisCluster.Instance replica = cluster.replicaOf(master);

    try (Traffic traffic = new Traffic(a, channel)) {
      traffic.awaitAcknowledged(300);
      master.kill();
      cluster.awaitPromoted(replica);
      int before = traffic.acknowledged.size();
      traffic.awaitAcknowledged(before + 300);
    }
    for (Node.Client client : clients) {
      Traffic.Counts counts = Traffic.collect(client, channel, lastTraffic);
      client.assertExact(channel);
      LOG.info("Master killed during publishing: {}", counts);
      assertThat(counts.uncovered()).as("acknowledged, not delivered, no reset").isZero();
    }
    master.restart();
    cluster.awaitHealthy();
  }

  private static Traffic lastTraffic;

  /** A publisher that sends numbered messages until closed, counting what was acknowledged. */
  static final class Traffic implements AutoCloseable {
    final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Traffic(Node node, String channel) {
      lastTraffic = this;
      thread =
          new Thread(
              () -> {
                int n = 0;
                while (running.get()) {
                  int number = ++n;
                  try {
                    node.hub
                        .channel(channel)
                        .publish("e", Map.of("n", number))
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                    acknowledged.add(number);
                  } catch (Exception e) {
                    failed.incrementAndGet();
                  }
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "traffic");
      thread.start();
    }

    void awaitAcknowledged(int count) {
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= count);
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }

    /** What one client got of the traffic. */
    record Counts(int acknowledged, int failed, int delivered, int resets, int missing) {
      /** Acknowledged messages not delivered although the client got no reset. */
      int uncovered() {
        return resets > 0 ? 0 : missing;
      }
    }

    /** Waits until the client has every acknowledged message, or a reset and the newest ones. */
    static Counts collect(Node.Client client, String channel, Traffic traffic) {
      int newest = traffic.acknowledged.stream().max(Integer::compare).orElse(0);
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Set<Integer> got = Set.copyOf(numbers(client, channel));
                return got.contains(newest)
                    && (got.containsAll(traffic.acknowledged)
                        || !client.sink().resets(channel).isEmpty());
              });
      Set<Integer> got = Set.copyOf(numbers(client, channel));
      int missing = (int) traffic.acknowledged.stream().filter(n -> !got.contains(n)).count();
      return new Counts(
          traffic.acknowledged.size(),
          traffic.failed.get(),
          got.size(),
          client.sink().resets(channel).size(),
          missing);
    }
  }

  static List<Integer> numbers(Node.Client client, String channel) {
    List<Integer> numbers = new ArrayList<>();
    for (RecordingSink.Received m : client.sink().messages(channel)) {
      Matcher matcher = N.matcher(m.data());
      if (matcher.find()) {
        numbers.add(Integer.parseInt(matcher.group(1)));
      }
    }
    return numbers;
  }

  private static long shardSubscribers(LocalRedisCluster.Instance node, String shardChannel) {
    List<?> reply = (List<?>) node.call("PUBSUB", "SHARDNUMSUB", shardChannel);
    return (Long) reply.get(1);
  }

  private static long masterOffset(LocalRedisCluster.Instance master) {
    return field((String) master.call("INFO", "replication"), "master_repl_offset");
  }

  private static long replicaOffset(LocalRedisCluster.Instance master) {
    String info = (String) master.call("INFO", "replication");
    Matcher m = Pattern.compile("slave0:.*offset=(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static long field(String info, String name) {
    Matcher m = Pattern.compile(name + ":(\\d+)").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
