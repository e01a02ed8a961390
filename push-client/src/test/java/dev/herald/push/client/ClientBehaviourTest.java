package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client's own rules, against the real transports on embedded Jetty. */
class ClientBehaviourTest {
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

  private HeraldClient.Builder builder(String mount, Recorder recorder) {
    return HeraldClient.builder(server.base(mount))
        .listener(recorder)
        .reconnect(Duration.ofMillis(20), Duration.ofMillis(250))
        .idleTimeout(Duration.ofSeconds(1))
        .connectTimeout(Duration.ofSeconds(2));
  }

  private HeraldClient build(HeraldClient.Builder builder) {
    HeraldClient c = builder.build();
    clients.add(c);
    return c;
  }

  @Test
  void webSocket_refusedChannel_isReportedAndDropped_otherChannelsCarryOn() {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(Transport.WEBSOCKET));
    String open = TestServer.channel("open");
    String secret = "private/" + TestServer.channel("bob");
    client.subscribe(open, recorder.handler());
    Subscription refused = client.subscribe(secret, recorder.handler());

    await().until(() -> !refused.isActive());

    assertThat(recorder.errors)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo("forbidden");
              assertThat(e.channel()).isEqualTo(secret);
            });
    assertThat(client.channels()).containsExactly(open);
    await().until(() -> server.hub.channel(open).subscriberCount() == 1);
    TestServer.publish(server.hub, open, "n", "1");
    await().untilAsserted(() -> assertThat(recorder.data(open)).containsExactly("1"));
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void webSocket_publishWhileTheServerIsDown_isSentOnReconnectAndAcknowledged() throws Exception {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(Transport.WEBSOCKET));
    String channel = TestServer.channel("chat");
    client.subscribe(channel, recorder.handler());
    await().until(client::isOpen);

    CompletableFuture<Ack> ack;
    server.dropConnections();
    try {
      await().until(() -> !client.isOpen());
      ack = client.publish(channel, "said", "while down");
      assertThat(ack).isNotDone();
    } finally {
      server.restoreConnections();
    }

    assertThat(ack.get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
    await()
        .untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("\"while down\""));
  }

  @Test
  void publishFuture_waitedOnInsideACallback_refusesInsteadOfHanging() {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(Transport.WEBSOCKET));
    String channel = TestServer.channel("chat");
    AtomicReference<Throwable> seen = new AtomicReference<>();
    client.subscribe(
        channel,
        m -> {
          try {
            client.publish(channel, "echo", "x").join();
          } catch (Throwable t) {
            seen.set(t);
          }
        });
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    TestServer.publish(server.hub, channel, "n", "1");

    await().until(() -> seen.get() != null);
    assertThat(seen.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("chain with thenAccept");
  }

  @Test
  void defaultTransports_withoutAWebSocketEndpoint_fallBackToSse() {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("nows", recorder));
    String channel = TestServer.channel("fallback");
    client.subscribe(channel, recorder.handler());

    await().until(client::isOpen);

    assertThat(client.transport()).isEqualTo(Transport.SSE);
    assertThat(recorder.errors)
        .singleElement()
        .satisfies(e -> assertThat(e.status()).isEqualTo(404));
    assertThat(recorder.events).endsWith("transport:SSE", "open:SSE");
    TestServer.publish(server.hub, channel, "n", "1");
    await().untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("1"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void badBearerToken_isReportedAsUnauthorized(Transport transport) {
    Recorder recorder = new Recorder();
    HeraldClient client =
        build(builder("push", recorder).transports(transport).bearerToken("wrong-token"));
    client.subscribe(TestServer.channel("any"), recorder.handler());

    await().until(() -> !recorder.errors.isEmpty());

    HeraldException e = recorder.errors.get(0);
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.code()).isEqualTo("unauthorized");
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void twoHandlersOfOneChannel_shareOneSubscription() {
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    HeraldClient client = build(builder("push", first).transports(Transport.SSE));
    String channel = TestServer.channel("shared");
    Subscription one = client.subscribe(channel, first.handler());
    client.subscribe(channel, second.handler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    TestServer.publish(server.hub, channel, "n", "1");
    await().untilAsserted(() -> assertThat(second.data(channel)).containsExactly("1"));
    one.close();
    TestServer.publish(server.hub, channel, "n", "2");

    await().untilAsserted(() -> assertThat(second.data(channel)).containsExactly("1", "2"));
    assertThat(first.data(channel)).containsExactly("1");
    assertThat(client.channels()).containsExactly(channel);
    assertThat(server.hub.channel(channel).subscriberCount()).isEqualTo(1);
  }

  @Test
  void httpTransport_lastChannelLeft_endsTheConnection_nextSubscribeReopens() {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(Transport.STREAM));
    String a = TestServer.channel("a");
    Subscription sub = client.subscribe(a, recorder.handler());
    await().until(client::isOpen);

    sub.close();

    await().until(() -> server.hub.channel(a).subscriberCount() == 0);
    assertThat(client.isOpen()).isFalse();
    assertThat(recorder.events).endsWith("close:STREAM:unsubscribed");
    String b = TestServer.channel("b");
    client.subscribe(b, recorder.handler());
    await().until(client::isOpen);
    TestServer.publish(server.hub, b, "n", "1");
    await().untilAsserted(() -> assertThat(recorder.data(b)).containsExactly("1"));
    assertThat(recorder.count("open:")).isEqualTo(2);
  }

  @Test
  void throwingHandler_doesNotStopDelivery() {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(Transport.WEBSOCKET));
    String channel = TestServer.channel("throws");
    client.subscribe(
        channel,
        m -> {
          throw new IllegalStateException("the application failed");
        });
    client.subscribe(channel, recorder.handler());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);

    TestServer.publish(server.hub, channel, "n", "1");
    TestServer.publish(server.hub, channel, "n", "2");

    await().untilAsserted(() -> assertThat(recorder.data(channel)).containsExactly("1", "2"));
    assertThat(recorder.errors).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void blockedHandler_backlogIsHeldBackNotLost_thenDeliveredOnceInOrder(Transport transport)
      throws Exception {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(transport));
    String channel = TestServer.channel("slow");
    CountDownLatch release = new CountDownLatch(1);
    List<Message> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    client.subscribe(
        channel,
        m -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          got.add(m);
        });
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);
    int total = 3 * Engine.MAX_QUEUED_CALLBACKS;

    for (int i = 1; i <= total; i++) {
      TestServer.publish(server.hub, channel, "n", Integer.toString(i));
    }
    release.countDown();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(got).hasSize(total));
    assertThat(got.stream().map(Message::offset).collect(Collectors.toList()))
        .isEqualTo(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toList()));
  }

  @Test
  void close_failsPublishesStillWaiting_andRefusesNewOnes() throws Exception {
    Recorder recorder = new Recorder();
    HeraldClient client = build(builder("push", recorder).transports(Transport.WEBSOCKET));
    await().until(client::isOpen);
    String channel = TestServer.channel("chat");
    CompletableFuture<Ack> waiting;
    server.dropConnections();
    try {
      await().until(() -> !client.isOpen());
      waiting = client.publish(channel, "e", 1);
      client.close();
    } finally {
      server.restoreConnections();
    }
    CompletableFuture<Ack> late = client.publish(channel, "e", 2);

    for (CompletableFuture<Ack> f : List.of(waiting, late)) {
      assertThatThrownBy(f::join)
          .cause()
          .isInstanceOfSatisfying(
              HeraldException.class, e -> assertThat(e.code()).isEqualTo("closed"));
    }
    assertThat(recorder.events).doesNotContain("close:WEBSOCKET:client_closed");
  }
}
