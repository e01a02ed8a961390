package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.ErrorCode;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis restarted empty while one node keeps publishing: the other node's clients are reset to the
 * start of the new epoch and handed every message acknowledged in it, whenever their reset comes.
 */
class RedisRestartTest {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRestartTest.class);
  private static final Duration TIMEOUT = Duration.ofMillis(800);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int ROUNDS = 5;
  private static final int CLIENTS = 3;
  private static final int PER_EPOCH = 100;

  private RedisServer redis;
  private final List<Node> nodes = new ArrayList<>();
  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void startRedis() {
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    pacer.shutdownNow();
    pacer.awaitTermination(10, TimeUnit.SECONDS);
    nodes.forEach(Node::close);
    if (redis != null) {
      redis.close();
    }
  }

  private Node node() {
    // History large enough that nothing acknowledged in the test is trimmed.
    Node n = Node.start(redis.uri(), b -> b.commandTimeout(TIMEOUT).historySize(100_000));
    nodes.add(n);
    return n;
  }

  @Test
  void redisRestartedEmptyWhileANodePublishes_theOtherNodesClientsGetEveryAcknowledgedMessage()
      throws Exception {
    Node a = node();
    Node b = node();
    List<Node.Client> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(b.connect(List.of("room"), null));
    }
    RedisClusterTest.awaitLive(clients, "room");

    // Node A publishes every few milliseconds whatever Redis does; what Redis acknowledged is kept.
    Map<Position, String> acked = new ConcurrentHashMap<>();
    AtomicReference<Message> lastAcked = new AtomicReference<>();
    AtomicInteger failures = new AtomicInteger();
    List<Throwable> unexpected = new CopyOnWriteArrayList<>();
    AtomicInteger sequence = new AtomicInteger();
    AtomicBoolean paused = new AtomicBoolean();
    pacer.scheduleAtFixedRate(
        () -> {
          if (paused.get()) {
            return;
          }
          try {
            Message m =
                a.hub
                    .channel("room")
                    .publish("e", sequence.incrementAndGet())
                    .toCompletableFuture()
                    .join();
            acked.put(m.position(), m.data());
            lastAcked.set(m);
          } catch (CompletionException e) {
            if (e.getCause() instanceof PushException p && p.code() == ErrorCode.UNAVAILABLE) {
              failures.incrementAndGet();
            } else {
              unexpected.add(e);
            }
          }
        },
        0,
        4,
        TimeUnit.MILLISECONDS);

    Set<String> epochs = new LinkedHashSet<>();
    await().atMost(WAIT).until(() -> lastAcked.get() != null && lastAcked.get().offset() >= 50);
    epochs.add(lastAcked.get().epoch());
    for (int round = 1; round <= ROUNDS; round++) {
      // A message acknowledged just before a kill may die with Redis before node B could fetch
      // it: that loss is Redis's. So the kill waits until B's clients have what was acknowledged
      // (however late their reset came, the epoch's history still held it all); A is paused only
      // for that moment and keeps trying throughout the outage and the restart.
      paused.set(true);
      pacer.submit(() -> {}).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      awaitEveryClientAt(clients, lastAcked.get());
      int failedBefore = failures.get();
      redis.kill();
      paused.set(false);
      await().atMost(WAIT).until(() -> failures.get() > failedBefore);
      redis.restart();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Message m = lastAcked.get();
                return !epochs.contains(m.epoch()) && m.offset() >= PER_EPOCH;
              });
      epochs.add(lastAcked.get().epoch());
    }
    pacer.shutdown();
    assertThat(pacer.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(unexpected).isEmpty();
    Message last = lastAcked.get();
    Position head = new Position(last.epoch(), last.offset());
    assertThat(epochs).hasSize(ROUNDS + 1);
    List<String> newEpochs = new ArrayList<>(epochs).subList(1, ROUNDS + 1);

    Map<Integer, Integer> skippedPerClient = new LinkedHashMap<>();
    for (int i = 0; i < clients.size(); i++) {
      Node.Client client = clients.get(i);
      // In order, no duplicate, each epoch change announced by a reset.
      await().atMost(WAIT).until(() -> client.assertExact("room").equals(head));
      Map<Position, Integer> seen = new HashMap<>();
      Map<Position, String> data = new HashMap<>();
      for (RecordingSink.Received m : client.sink().messages("room")) {
        Position p = new Position(m.epoch(), m.offset());
        seen.merge(p, 1, Integer::sum);
        data.put(p, m.data());
      }
      List<Position> skipped =
          acked.keySet().stream().filter(p -> !seen.containsKey(p)).sorted(byOffset()).toList();
      skippedPerClient.put(i, skipped.size());
      LOG.info(
          "client {}: {} acknowledged, {} received, {} skipped, resets {}",
          i,
          acked.size(),
          seen.size(),
          skipped.size(),
          client.sink().resets("room").stream().map(r -> r.epoch() + "/" + r.offset()).toList());
      assertThat(skipped).as("acknowledged messages client %s never got", i).isEmpty();
      for (Map.Entry<Position, String> e : acked.entrySet()) {
        assertThat(seen.get(e.getKey())).as("copies of %s", e.getKey()).isEqualTo(1);
        assertThat(data.get(e.getKey())).isEqualTo(e.getValue());
      }
      // One reset per restart, each to the start of the new epoch.
      assertThat(client.sink().resets("room"))
          .extracting(r -> r.epoch() + "/" + r.offset())
          .containsExactlyElementsOf(newEpochs.stream().map(e -> e + "/0").toList());
    }
    LOG.info(
        "{} restarts, {} acknowledged, {} refused; skipped per client {}",
        ROUNDS,
        acked.size(),
        failures.get(),
        skippedPerClient);
  }

  private static void awaitEveryClientAt(List<Node.Client> clients, Message mark) {
    for (Node.Client client : clients) {
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Position at = client.assertExact("room");
                return at.epoch().equals(mark.epoch()) && at.offset() >= mark.offset();
              });
    }
  }

  private static java.util.Comparator<Position> byOffset() {
    return java.util.Comparator.comparing(Position::epoch).thenComparingLong(Position::offset);
  }
}
