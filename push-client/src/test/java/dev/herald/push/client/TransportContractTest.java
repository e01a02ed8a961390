package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client's promises, on each transport forced in turn, against the real servlet and WebSocket
 * transports on embedded Jetty: live delivery, publish, resume after the server drops the
 * connection, reset past the history, and channel changes while connected.
 */
class TransportContractTest {
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

  /**
   * A client forced onto one transport, reconnecting fast. The short idle and connect timeouts
   * matter for WebSocket: the JDK's socket misses about one abrupt server close in five (it never
   * calls onClose or onError), and only the client's ping, unanswered, reveals the dead socket.
   */
  private HeraldClient client(String mount, Transport transport, Recorder recorder) {
    HeraldClient c = builder(mount, transport, recorder).build();
    clients.add(c);
    return c;
  }

  private static HeraldClient.Builder builder(
      String mount, Transport transport, Recorder recorder) {
    return HeraldClient.builder(server.base(mount))
        .transports(transport)
        .listener(recorder)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(250))
        .idleTimeout(Duration.ofSeconds(1))
        .connectTimeout(Duration.ofSeconds(2));
  }

  private static List<String> numbers(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(Long::toString).collect(Collectors.toList());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void subscribe_liveMessages_arriveInOrderOnTheCallbackThread(Transport transport) {
    String channel = TestServer.channel("live");
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    client.subscribe(channel, recorder.handler());
    await().until(client::isOpen);

    for (int i = 1; i <= 5; i++) {
      TestServer.publish(server.hub, channel, "tick", Integer.toString(i));
    }

    await().untilAsserted(() -> assertThat(recorder.data(channel)).isEqualTo(numbers(1, 5)));
    Message first = recorder.of(channel).get(0);
    assertThat(first.event()).isEqualTo("tick");
    assertThat(first.offset()).isEqualTo(1);
    assertThat(recorder.events).containsExactly("transport:" + transport, "open:" + transport);
    assertThat(recorder.threads).allMatch(t -> t.startsWith("herald-client-callbacks-"));
    assertThat(client.transport()).isEqualTo(transport);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void publish_toAcceptingChannel_isAcknowledgedAndDelivered(Transport transport) {
    String channel = TestServer.channel("chat");
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    client.subscribe(channel, recorder.handler());
    await().until(client::isOpen);

    Ack ack = client.publish(channel, "said", java.util.Map.of("text", "hi")).join();

    assertThat(ack.channel()).isEqualTo(channel);
    assertThat(ack.offset()).isEqualTo(1);
    await()
        .untilAsserted(
            () -> assertThat(recorder.data(channel)).containsExactly("{\"text\":\"hi\"}"));
    assertThat(recorder.of(channel).get(0).epoch()).isEqualTo(ack.epoch());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void serverDrop_clientResumes_andReceivesWhatWasPublishedMeanwhileExactlyOnce(Transport transport)
      throws Exception {
    String channel = TestServer.channel("drop");
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    client.subscribe(channel, recorder.handler());
    await().until(client::isOpen);
    for (int i = 1; i <= 3; i++) {
      TestServer.publish(server.hub, channel, "n", Integer.toString(i));
    }
    await().untilAsserted(() -> assertThat(recorder.data(channel)).hasSize(3));

    server.dropConnections();
    try {
      await().until(() -> !client.isOpen());
      for (int i = 4; i <= 10; i++) {
        TestServer.publish(server.hub, channel, "n", Integer.toString(i));
      }
    } finally {
      server.restoreConnections();
    }
    await().untilAsserted(() -> assertThat(recorder.data(channel)).hasSize(10));
    TestServer.publish(server.hub, channel, "n", "11");

    await().untilAsserted(() -> assertThat(recorder.data(channel)).isEqualTo(numbers(1, 11)));
    assertThat(recorder.count("open:")).isEqualTo(2);
    assertThat(recorder.count("close:")).isEqualTo(1);
    assertThat(recorder.count("reset:")).isZero();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void resume_cursorOlderThanHistory_reportsResetThenEveryMessageHeldThenLive(Transport transport)
      throws Exception {
    String channel = TestServer.channel("reset");
    Recorder recorder = new Recorder();
    HeraldClient client = client("small", transport, recorder);
    // Each payload with the number of resets reported before it: handlers and the listener run on
    // one thread in the order the frames came.
    List<String> story = new CopyOnWriteArrayList<>();
    Consumer<Message> record = recorder.handler();
    client.subscribe(
        channel,
        m -> {
          story.add(m.data() + "@" + recorder.count("reset:"));
          record.accept(m);
        });
    await().until(client::isOpen);
    TestServer.publish(server.small, channel, "n", "1");
    await().untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("1"));

    server.dropConnections();
    Message last;
    try {
      await().until(() -> !client.isOpen());
      for (int i = 2; i <= 3 * TestServer.SMALL_HISTORY; i++) {
        TestServer.publish(server.small, channel, "n", Integer.toString(i));
      }
      last =
          TestServer.publish(
              server.small, channel, "n", Integer.toString(3 * TestServer.SMALL_HISTORY + 1));
    } finally {
      server.restoreConnections();
    }
    await().untilAsserted(() -> assertThat(recorder.count("reset:")).isEqualTo(1));
    Message live = TestServer.publish(server.small, channel, "n", "\"live\"");

    // The reset moved the client to just before the oldest message held; every one of them follows.
    List<String> expected = new ArrayList<>(List.of("1@0"));
    long oldestHeld = last.offset() - TestServer.SMALL_HISTORY + 1;
    for (long o = oldestHeld; o <= last.offset(); o++) {
      expected.add(o + "@1");
    }
    expected.add("\"live\"@1");
    await().untilAsserted(() -> assertThat(story).containsExactlyElementsOf(expected));
    assertThat(recorder.events).contains("reset:" + channel + ":" + last.epoch());
    assertThat(recorder.offsets(channel).subList(1, expected.size()))
        .containsExactlyElementsOf(
            LongStream.rangeClosed(oldestHeld, live.offset()).boxed().toList());
    assertThat(dev.herald.push.Cursor.decode(client.cursor()).position(channel))
        .isEqualTo(live.position());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void channelChanges_whileConnected_keepEveryChannelsPlace(Transport transport) {
    String a = TestServer.channel("a");
    String b = TestServer.channel("b");
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    Subscription subA = client.subscribe(a, recorder.handler());
    await().until(client::isOpen);
    TestServer.publish(server.hub, a, "n", "1");
    await().untilAsserted(() -> assertThat(recorder.data(a)).containsExactly("1"));

    // Published while B joins: A must get each exactly once, whatever the transport does.
    TestServer.publish(server.hub, a, "n", "2");
    client.subscribe(b, recorder.handler());
    TestServer.publish(server.hub, a, "n", "3");
    await().until(() -> server.hub.channel(b).subscriberCount() == 1);
    TestServer.publish(server.hub, b, "n", "1");
    TestServer.publish(server.hub, a, "n", "4");
    await()
        .untilAsserted(
            () -> {
              assertThat(recorder.data(a)).containsExactly("1", "2", "3", "4");
              assertThat(recorder.data(b)).containsExactly("1");
            });

    subA.close();
    assertThat(subA.isActive()).isFalse();
    assertThat(client.channels()).containsExactly(b);
    await().until(() -> server.hub.channel(a).subscriberCount() == 0);
    TestServer.publish(server.hub, a, "n", "5");
    TestServer.publish(server.hub, b, "n", "2");
    await().untilAsserted(() -> assertThat(recorder.data(b)).containsExactly("1", "2"));
    assertThat(recorder.data(a)).containsExactly("1", "2", "3", "4");
    assertThat(server.hub.channel(b).subscriberCount()).isEqualTo(1);
    assertThat(recorder.count("open:")).isEqualTo(1);
    assertThat(recorder.count("close:")).isZero();
    assertThat(recorder.errors).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void resumeFrom_savedCursor_newClientGetsExactlyWhatTheOldOneMissed(Transport transport) {
    String channel = TestServer.channel("saved");
    Recorder first = new Recorder();
    HeraldClient one = client("push", transport, first);
    one.subscribe(channel, first.handler());
    await().until(one::isOpen);
    TestServer.publish(server.hub, channel, "n", "1");
    TestServer.publish(server.hub, channel, "n", "2");
    await().untilAsserted(() -> assertThat(first.data(channel)).hasSize(2));
    String saved = one.cursor();
    one.close();
    await().until(() -> server.hub.channel(channel).subscriberCount() == 0);
    TestServer.publish(server.hub, channel, "n", "3");
    TestServer.publish(server.hub, channel, "n", "4");

    Recorder second = new Recorder();
    HeraldClient two = builder("push", transport, second).resumeFrom(saved).build();
    clients.add(two);
    two.subscribe(channel, second.handler());
    await().untilAsserted(() -> assertThat(second.data(channel)).containsExactly("3", "4"));
    TestServer.publish(server.hub, channel, "n", "5");
    await().untilAsserted(() -> assertThat(second.data(channel)).containsExactly("3", "4", "5"));
    assertThat(first.events).endsWith("close:" + transport + ":client_closed");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void close_releasesTheServerConnection(Transport transport) {
    String channel = TestServer.channel("release");
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    client.subscribe(channel, recorder.handler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    client.close();

    assertThat(client.isOpen()).isFalse();
    if (transport != Transport.POLL) {
      // A poll in flight ends with its timeout at the latest; streams and sockets end at once.
      await().until(() -> server.hub.channel(channel).subscriberCount() == 0);
    }
    TestServer.publish(server.hub, channel, "n", "1");
    assertThat(recorder.of(channel)).isEmpty();
    assertThat(recorder.events).endsWith("close:" + transport + ":client_closed");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void publish_refusedByServer_failsWithItsCode(Transport transport) {
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    String channel = TestServer.channel("news");
    client.subscribe(channel, recorder.handler());
    await().until(client::isOpen);

    var future = client.publish(channel, "said", "hi");

    await().until(future::isDone);
    assertThat(future)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            HeraldException.class,
            e -> {
              assertThat(e.code()).isEqualTo("forbidden");
              assertThat(e.channel()).isEqualTo(channel);
              assertThat(e.status()).isEqualTo(transport == Transport.WEBSOCKET ? 0 : 403);
            });
    assertThat(client.isOpen()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void bearerToken_isSentOnEveryTransport(Transport transport) {
    String channel = "private/" + TestServer.channel("alice");
    Recorder recorder = new Recorder();
    HeraldClient client =
        builder("push", transport, recorder).bearerToken(TestServer.TOKEN).build();
    clients.add(client);
    client.subscribe(channel, recorder.handler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    TestServer.publish(server.hub, channel, "n", "1");

    await().untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("1"));
    assertThat(recorder.errors).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void serverBounces_underSteadyPublishing_everyMessageArrivesOnceInOrder(Transport transport)
      throws Exception {
    String channel = TestServer.channel("steady");
    Recorder recorder = new Recorder();
    HeraldClient client = client("push", transport, recorder);
    client.subscribe(channel, recorder.handler());
    await().until(client::isOpen);
    int total = 300;
    Thread publisher =
        new Thread(
            () -> {
              for (int i = 1; i <= total; i++) {
                TestServer.publish(server.hub, channel, "n", Integer.toString(i));
                if (i % 50 == 0) {
                  java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                }
              }
            });
    publisher.start();
    for (int bounce = 0; bounce < 2; bounce++) {
      int seen = recorder.of(channel).size();
      await().until(() -> recorder.of(channel).size() > seen || !publisher.isAlive());
      try {
        server.dropConnections();
      } finally {
        server.restoreConnections();
      }
    }
    publisher.join();

    await().untilAsserted(() -> assertThat(recorder.of(channel)).hasSize(total));
    assertThat(recorder.offsets(channel))
        .isEqualTo(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toList()));
    assertThat(recorder.count("reset:")).isZero();
  }
}
