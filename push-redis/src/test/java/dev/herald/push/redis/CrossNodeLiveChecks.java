package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Channel;
import dev.herald.push.Member;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Ephemeral messages and presence changes between two nodes, the same on one Redis and on a Redis
 * Cluster: both travel over the channel's live Pub/Sub channel, beside its stored messages.
 */
final class CrossNodeLiveChecks {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private CrossNodeLiveChecks() {}

  /**
   * An ephemeral message published on {@code a} reaches a client of {@code b}; a resume skips it.
   */
  static void ephemeralCrossesNodes_andAResumeSkipsIt(Node a, Node b, String channel) {
    Node.Client onB = b.connect(List.of(channel), null);
    await().atMost(WAIT).until(() -> onB.sink().isReady());
    await().atMost(WAIT).until(() -> b.hub.channel(channel).subscriberCount() == 1);
    Channel fromA = a.hub.channel(channel);
    fromA.publish("stroke", Map.of("n", 1)).toCompletableFuture().join();
    await().atMost(WAIT).until(() -> onB.offsets(channel).size() == 1);
    String cursor = onB.sink().lastCursor();

    // The live feed may take a moment to be in place on b: send until one arrives.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              fromA.publishEphemeral("cursor", Map.of("x", 7)).toCompletableFuture().join();
              return !ephemeral(onB).isEmpty();
            });
    JsonNode e = ephemeral(onB).get(0);
    assertThat(e.get("channel").asText()).isEqualTo(channel);
    assertThat(e.get("event").asText()).isEqualTo("cursor");
    assertThat(e.get("data").get("x").asInt()).isEqualTo(7);
    assertThat(e.has("offset")).isFalse();
    assertThat(e.has("cursor")).isFalse();

    fromA.publish("stroke", Map.of("n", 2)).toCompletableFuture().join();
    fromA.publishEphemeral("cursor", Map.of("x", 8)).toCompletableFuture().join();
    fromA.publish("stroke", Map.of("n", 3)).toCompletableFuture().join();
    await().atMost(WAIT).until(() -> onB.offsets(channel).size() == 3);
    onB.assertExact(channel);
    assertThat(fromA.position().toCompletableFuture().join().offset()).isEqualTo(3);

    // A client that resumes from after the first stroke gets strokes 2 and 3, no reset, no cursor.
    Node.Client resumed = b.connect(List.of(channel), cursor);
    await().atMost(WAIT).until(() -> resumed.offsets(channel).size() == 2);
    assertThat(resumed.offsets(channel)).containsExactly(2L, 3L);
    assertThat(resumed.sink().resets(channel)).isEmpty();
    assertThat(ephemeral(resumed)).isEmpty();
  }

  /** A member's data and its joins and leaves are seen by a client of the other node. */
  static void presenceWithDataCrossesNodes(Node a, Node b, String channel) {
    String annData = "{\"name\":\"Ann Lee\",\"color\":\"#e33\",\"note\":\"é ✓\"}";
    Node.Client ann = a.connect(List.of(channel), null, annData, List.of());
    await().atMost(WAIT).until(() -> ann.sink().isReady());
    await()
        .atMost(WAIT)
        .until(() -> b.hub.channel(channel).members().toCompletableFuture().join().size() == 1);
    assertThat(b.hub.channel(channel).members().toCompletableFuture().join())
        .extracting(Member::data)
        .containsExactly(annData);

    Node.Client watcher = b.connect(List.of(channel), null, "{\"name\":\"W\"}", List.of(channel));
    await().atMost(WAIT).until(() -> !watcher.sink().json("members").isEmpty());
    JsonNode snapshot = watcher.sink().json("members").get(0);
    assertThat(snapshot.get("members")).hasSize(2);
    assertThat(snapshot.get("members").get(0).get("data").get("name").asText())
        .isEqualTo("Ann Lee");
    assertThat(snapshot.get("members").get(0).get("data").get("note").asText()).isEqualTo("é ✓");

    Node.Client bob = a.connect(List.of(channel), null, "{\"name\":\"Bob\"}", List.of());
    String bobId = bob.connection().client().id();
    await()
        .atMost(WAIT)
        .until(
            () ->
                watcher.sink().json("join").stream()
                    .anyMatch(j -> j.get("member").get("clientId").asText().equals(bobId)));
    JsonNode join =
        watcher.sink().json("join").stream()
            .filter(j -> j.get("member").get("clientId").asText().equals(bobId))
            .findFirst()
            .orElseThrow();
    assertThat(join.get("channel").asText()).isEqualTo(channel);
    assertThat(join.get("member").get("data").get("name").asText()).isEqualTo("Bob");

    bob.close();
    await()
        .atMost(WAIT)
        .until(
            () ->
                watcher.sink().json("leave").stream()
                    .anyMatch(j -> j.get("member").get("clientId").asText().equals(bobId)));
  }

  private static List<JsonNode> ephemeral(Node.Client client) {
    return client.sink().json("message").stream()
        .filter(n -> n.path("ephemeral").asBoolean(false))
        .toList();
  }
}
