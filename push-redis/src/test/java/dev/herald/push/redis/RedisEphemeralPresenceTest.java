package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ephemeral messages and presence with data between nodes on one real Redis. */
class RedisEphemeralPresenceTest {
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

  @Test
  void anEphemeralMessage_reachesTheOtherNode_isNeverStored_andAResumeSkipsIt() {
    CrossNodeLiveChecks.ephemeralCrossesNodes_andAResumeSkipsIt(node(), node(), "board/e");
    // Nothing but the three strokes is in the stream.
    assertThat(redis.command("XLEN", "herald:{board/e}:log")).isEqualTo(":3");
  }

  @Test
  void membersData_joinsAndLeaves_areSeenOnTheOtherNode() {
    CrossNodeLiveChecks.presenceWithDataCrossesNodes(node(), node(), "board/p");
  }

  @Test
  void aMemberOfANodeThatDied_isToldAsALeave_whenItsEntryIsCleanedUp() {
    Node a = node();
    // A dead node's member with data: its node key is about to lapse.
    redis.command(
        "HSET",
        "herald:{board/d}:members",
        "ghost",
        "deadnode1 1700000000000 =-1 12 {\"name\":\"G\"}");
    redis.command("SET", "herald:node:deadnode1", "1", "PX", "300");
    Node.Client watcher = a.connect(List.of("board/d"), null, null, List.of("board/d"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.sink().json("members").isEmpty());
    assertThat(watcher.sink().json("members").get(0).get("members").toString()).contains("ghost");
    // Any read of the members after the key lapsed cleans the entry up and says so.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              a.hub.channel("board/d").members().toCompletableFuture().join();
              return watcher.sink().json("leave").stream()
                  .anyMatch(l -> l.get("member").get("clientId").asText().equals("ghost"));
            });
    assertThat(
            watcher.sink().json("leave").stream()
                .filter(l -> l.get("member").get("clientId").asText().equals("ghost"))
                .findFirst()
                .orElseThrow()
                .get("member")
                .get("data")
                .get("name")
                .asText())
        .isEqualTo("G");
  }
}
