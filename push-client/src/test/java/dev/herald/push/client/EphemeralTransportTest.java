package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ephemeral messages on each transport forced in turn, against the real servlet and WebSocket
 * transports on embedded Jetty: they reach the ephemeral handlers only, never move positions, and
 * can be published; a resume after a mix of stored and ephemeral messages is exact.
 *
 * <p>An ephemeral message reaches only the subscriptions live at that moment; over long polling,
 * only a poll waiting at that moment. So the tests publish one every few milliseconds until one
 * arrives, as a client of a live feed would see them, rather than assume when a subscription or a
 * poll is in place.
 */
class EphemeralTransportTest {
  private static TestServer server;
  private final List<HeraldClient> clients = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = new TestServer();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(HeraldClient::close);
  }

  private HeraldClient client(Transport transport, Recorder recorder) {
    HeraldClient c =
        HeraldClient.builder(server.base("push"))
            .transports(transport)
            .listener(recorder)
            .reconnect(Duration.ofMillis(20), Duration.ofMillis(250))
            .idleTimeout(Duration.ofSeconds(1))
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    clients.add(c);
    return c;
  }

  /** Publishes ephemeral messages from the server side until {@code arrived} holds. */
  private static void publishEphemeralUntil(
      String channel, String json, Supplier<Boolean> arrived) {
    await()
        .pollInterval(Duration.ofMillis(25))
        .until(
            () -> {
              server.hub.channel(channel).publishEphemeralJson("cursor", json);
              return arrived.get();
            });
  }

  private static EphemeralMessage last(Recorder recorder, String channel) {
    List<EphemeralMessage> got = recorder.ephemeral.get(channel);
    return got.get(got.size() - 1);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void ephemeral_reachesTheEphemeralHandler_notTheMessageHandler_andMovesNoPosition(
      Transport transport) {
    String channel = TestServer.channel("board");
    Recorder both = new Recorder();
    Recorder storedOnly = new Recorder();
    HeraldClient client = client(transport, both);
    HeraldClient plain = client(transport, storedOnly);
    client.subscribe(channel, both.handler(), both.ephemeralHandler());
    plain.subscribe(channel, storedOnly.handler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 2);

    Message first = TestServer.publish(server.hub, channel, "n", "1");
    await().untilAsserted(() -> assertThat(both.data(channel)).containsExactly("1"));
    String before = client.cursor();
    publishEphemeralUntil(channel, "{\"x\":1.50}", () -> !both.ephemeralData(channel).isEmpty());
    assertThat(client.cursor()).isEqualTo(before);
    TestServer.publish(server.hub, channel, "n", "2");

    await()
        .untilAsserted(
            () -> {
              assertThat(both.data(channel)).containsExactly("1", "2");
              assertThat(storedOnly.data(channel)).containsExactly("1", "2");
            });
    assertThat(both.offsets(channel)).containsExactly(1L, 2L);
    assertThat(both.ephemeralData(channel)).isNotEmpty().allMatch("{\"x\":1.50}"::equals);
    EphemeralMessage e = last(both, channel);
    assertThat(e.channel()).isEqualTo(channel);
    assertThat(e.event()).isEqualTo("cursor");
    assertThat(e.publisherId()).isNull();
    assertThat(Cursor.decode(before).position(channel)).isEqualTo(first.position());
    assertThat(both.threads).allMatch(t -> t.startsWith("herald-client-callbacks-"));
    assertThat(storedOnly.ephemeral).isEmpty();
    assertThat(both.errors).isEmpty();
    assertThat(storedOnly.errors).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void resume_afterStoredAndEphemeralMessages_getsEveryStoredMessageOnce_withoutResetOrError(
      Transport transport) throws Exception {
    String channel = TestServer.channel("mix");
    Recorder recorder = new Recorder();
    HeraldClient client = client(transport, recorder);
    client.subscribe(channel, recorder.handler(), recorder.ephemeralHandler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    TestServer.publish(server.hub, channel, "n", "1");
    publishEphemeralUntil(channel, "\"a\"", () -> !recorder.ephemeralData(channel).isEmpty());
    TestServer.publish(server.hub, channel, "n", "2");
    server.hub.channel(channel).publishEphemeralJson("cursor", "\"a\"");
    await().untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("1", "2"));

    server.dropConnections();
    try {
      await().until(() -> !client.isOpen());
      TestServer.publish(server.hub, channel, "n", "3");
      server.hub.channel(channel).publishEphemeralJson("cursor", "\"away\"");
      TestServer.publish(server.hub, channel, "n", "4");
      server.hub.channel(channel).publishEphemeralJson("cursor", "\"away\"");
    } finally {
      server.restoreConnections();
    }
    await().untilAsserted(() -> assertThat(recorder.data(channel)).hasSize(4));
    int seen = recorder.ephemeralData(channel).size();
    publishEphemeralUntil(channel, "\"b\"", () -> recorder.ephemeralData(channel).size() > seen);
    Message live = TestServer.publish(server.hub, channel, "n", "5");

    await()
        .untilAsserted(
            () -> assertThat(recorder.data(channel)).containsExactly("1", "2", "3", "4", "5"));
    assertThat(recorder.offsets(channel)).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(recorder.ephemeralData(channel))
        .doesNotContain("\"away\"")
        .contains("\"a\"", "\"b\"");
    assertThat(recorder.count("reset:")).isZero();
    // Only the reconnect attempts made while the server refused connections: no protocol error.
    assertThat(recorder.errors).allMatch(e -> e.code().equals("connect_failed"));
    assertThat(recorder.count("open:")).isEqualTo(2);
    assertThat(Cursor.decode(client.cursor()).position(channel)).isEqualTo(live.position());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void publishEphemeral_isAcknowledgedAsEphemeral_deliveredLive_andTakesNoOffset(
      Transport transport) {
    String channel = TestServer.channel("chat");
    Recorder recorder = new Recorder();
    HeraldClient client = client(transport, recorder);
    client.subscribe(channel, recorder.handler(), recorder.ephemeralHandler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    List<Ack> acks = new ArrayList<>();
    await()
        .pollInterval(Duration.ofMillis(25))
        .until(
            () -> {
              acks.add(client.publishEphemeral(channel, "cursor", Map.of("x", 3)).join());
              return !recorder.ephemeralData(channel).isEmpty();
            });
    Ack json = client.publishEphemeralJson(channel, "cursor", "{\"x\":4}").join();
    Ack stored = client.publish(channel, "said", "hi").join();

    assertThat(acks).isNotEmpty().allMatch(a -> a.equals(Ack.ofEphemeral(channel)));
    assertThat(json).isEqualTo(Ack.ofEphemeral(channel));
    assertThat(json.ephemeral()).isTrue();
    assertThat(json.offset()).isZero();
    assertThat(json.epoch()).isNull();
    // The ephemeral messages took no offset: the first stored one is 1.
    assertThat(stored.ephemeral()).isFalse();
    assertThat(stored.offset()).isEqualTo(1);
    await().untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("\"hi\""));
    assertThat(recorder.ephemeralData(channel))
        .contains("{\"x\":3}")
        .allMatch(d -> d.equals("{\"x\":3}") || d.equals("{\"x\":4}"));
    assertThat(recorder.errors).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void publish_toAChannelTheHubMakesEphemeral_getsAnEphemeralAck(Transport transport) {
    String channel = TestServer.channel("chat/live");
    Recorder recorder = new Recorder();
    HeraldClient client = client(transport, recorder);
    client.subscribe(channel, recorder.handler(), recorder.ephemeralHandler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    CompletableFuture<Ack> ack = client.publish(channel, "typing", true);

    assertThat(ack.join()).isEqualTo(Ack.ofEphemeral(channel));
    assertThat(recorder.errors).isEmpty();
    assertThat(recorder.of(channel)).isEmpty();
  }
}
