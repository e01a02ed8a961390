package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What keeps a WebSocket endpoint safe and bounded, run against a real container by each subclass:
 * the handshake's origin check and authentication, flood and slow-reader protection, dead-peer
 * detection, and connection churn without leaks.
 */
abstract class WebSocketSafetyContract extends ContainerContract {
  private static final AtomicInteger CHANNELS = new AtomicInteger();

  WebSocketSafetyContract(TestServer.Kind kind) {
    super(kind);
  }

  private TestSocket open(String pathAndQuery, Map<String, String> headers) {
    return track(TestSocket.open(app.ws(pathAndQuery), headers));
  }

  private static String channel(String prefix) {
    return prefix + "/s" + CHANNELS.incrementAndGet();
  }

  // ---- origin

  @ParameterizedTest(name = "origin_{0}_isRefusedWith403")
  @ValueSource(
      strings = {
        "http://evil.example",
        "http://127.0.0.1:1",
        "http://127.0.0.1.evil.example",
        "null",
        "not an origin"
      })
  void origin_foreign_isRefusedWith403BeforeTheUpgrade(String origin) {
    int status = TestSocket.refusedStatus(app.ws("/push/ws"), Map.of("Origin", origin));

    assertThat(status).isEqualTo(403);
  }

  @Test
  void origin_sameAsHost_isAccepted() {
    TestSocket socket = open("/push/ws", Map.of("Origin", app.sameOrigin()));

    assertThat(socket.next("ready").path("clientId").asText()).isNotEmpty();
  }

  @Test
  void origin_missing_isAcceptedAsNonBrowserClient() {
    TestSocket socket = open("/push/ws", Map.of());

    assertThat(socket.next("ready").path("clientId").asText()).isNotEmpty();
  }

  @Test
  void origin_listed_isAcceptedOnlyWhereListed() {
    Map<String, String> listed = Map.of("Origin", "https://app.example.com");

    open("/origins/ws", listed).next("ready");
    open("/origins/ws", Map.of("Origin", "https://APP.example.com:443")).next("ready");
    open("/origins/ws", Map.of("Origin", app.sameOrigin())).next("ready");
    assertThat(
            TestSocket.refusedStatus(
                app.ws("/origins/ws"), Map.of("Origin", "https://other.example.com")))
        .isEqualTo(403);
    assertThat(TestSocket.refusedStatus(app.ws("/push/ws"), listed)).isEqualTo(403);
  }

  // ---- identity

  @Test
  void identity_bearerHeader_becomesTheUserTheAuthorizerSees() {
    TestSocket socket = open("/push/ws", Map.of("Authorization", "Bearer t-alice"));
    socket.next("ready");

    socket.subscribe("private/alice");
    socket.send("{\"type\":\"subscribe\",\"channel\":\"private/bob\",\"ref\":\"b\"}");
    JsonNode error = socket.next("error");

    assertThat(error.path("code").asText()).isEqualTo("forbidden");
    assertThat(error.path("ref").asText()).isEqualTo("b");
    socket.assertNothingElse();
  }

  @Test
  void identity_accessTokenQueryParameter_becomesTheUser() {
    TestSocket socket = open("/push/ws?access_token=t-bob", Map.of());
    socket.next("ready");

    socket.subscribe("private/bob");
    socket.assertNothingElse();
  }

  @Test
  void identity_containerPrincipal_becomesTheUser() {
    TestSocket socket = open("/push/ws", Map.of("X-Test-User", "carol"));
    socket.next("ready");

    socket.subscribe("private/carol");
    socket.send("{\"type\":\"subscribe\",\"channel\":\"private/alice\"}");

    assertThat(socket.next("error").path("code").asText()).isEqualTo("forbidden");
  }

  @Test
  void identity_noCredentials_isAnonymousAndRefusedPrivateChannels() {
    TestSocket socket = open("/push/ws", Map.of());
    socket.next("ready");

    socket.send("{\"type\":\"subscribe\",\"channel\":\"private/alice\",\"ref\":\"a\"}");

    assertThat(socket.next("error").path("code").asText()).isEqualTo("forbidden");
  }

  @Test
  void identity_invalidToken_isRefusedWith401BeforeTheUpgrade() {
    assertThat(
            TestSocket.refusedStatus(
                app.ws("/push/ws"), Map.of("Authorization", "Bearer not-a-token")))
        .isEqualTo(401);
    assertThat(TestSocket.refusedStatus(app.ws("/push/ws?access_token=nope"), Map.of()))
        .isEqualTo(401);
  }

  // ---- query string

  @ParameterizedTest(name = "query_{0}_isRefusedWith400")
  @ValueSource(
      strings = {
        "access_token=%ZZ|bad_request|access_token",
        "access_token=t-alice%A|bad_request|access_token",
        "access_token=%C3%28|bad_request|access_token",
        "since=AAAA%ZZ|bad_cursor|since",
        "channel=chat%ZZ|bad_channel|channel",
        "x=1&channel=%C3%28|bad_channel|channel"
      })
  void query_malformed_isRefusedWith400BeforeTheUpgrade(String testCase) throws Exception {
    String[] parts = testCase.split("\\|");
    // With a valid bearer header the token parameter is never read: the query is refused anyway.
    for (String auth : new String[] {null, "Bearer t-alice"}) {
      String answer = rawHandshake("/push/ws?" + parts[0], auth);

      assertThat(answer).startsWith("HTTP/1.1 400 ");
      JsonNode error = TestSocket.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(error.path("type").asText()).isEqualTo("error");
      assertThat(error.path("code").asText()).isEqualTo(parts[1]);
      assertThat(error.path("message").asText())
          .startsWith("the query parameter \"" + parts[2] + "\" is malformed");
    }
  }

  @Test
  void query_encodedToken_isDecodedBeforeItIsChecked() {
    // "t-øbb +/€": a multi-byte character, a space as +, an escaped + and /.
    TestSocket socket = open("/push/ws?access_token=t-%C3%B8bb+%2B%2F%E2%82%AC", Map.of());
    socket.next("ready");

    socket.subscribe("private/obb");
    socket.assertNothingElse();
    assertThat(
            TestSocket.refusedStatus(
                app.ws("/push/ws?access_token=t-%C3%B8bb%2B%2B%2F%E2%82%AC"), Map.of()))
        .isEqualTo(401);
  }

  /**
   * Sends a WebSocket upgrade request with {@code target} as raw bytes, unlike a URI class that
   * would re-encode it, and returns the answer: head and body of a refusal, the head of a 101.
   */
  private String rawHandshake(String target, String authorization) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", app.port())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + app.port()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.US_ASCII);
      Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
      if (!text.startsWith("HTTP/1.1 101") && length.find()) {
        text +=
            new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
      }
      return text;
    }
  }

  // ---- abuse

  @Test
  void flood_framesOverTheRate_getRateLimitedErrorsThenCloseWith1008() {
    String channel = channel("chat");
    TestSocket socket = open("/limited/ws", Map.of());
    socket.next("ready");

    Set<String> acked = new HashSet<>();
    for (int i = 0; i < TestApp.LIMITED_BURST; i++) {
      socket.send(publish(channel, "p" + i));
    }
    for (int i = 0; i < TestApp.LIMITED_BURST; i++) {
      acked.add(socket.next("ack").path("ref").asText());
    }
    long limitedBefore = app.hub.stats().rateLimited();
    List<String> refused = new ArrayList<>();
    for (int i = 0; i < TestApp.LIMITED_REFUSALS - 1; i++) {
      socket.send(publish(channel, "f" + i));
      JsonNode error = socket.next("error");
      assertThat(error.path("code").asText()).isEqualTo("rate_limited");
      refused.add(error.path("ref").asText());
    }
    socket.send(publish(channel, "last"));
    TestSocket.Closed closed = socket.awaitClosed();

    assertThat(acked).containsExactlyInAnyOrder("p0", "p1", "p2", "p3", "p4");
    assertThat(refused).containsExactly("f0", "f1", "f2");
    assertThat(closed.code()).isEqualTo(1008);
    assertThat(closed.reason()).isEqualTo("rate_limited");
    // Every refused frame is counted, the last one included.
    assertThat(app.hub.stats().rateLimited() - limitedBefore).isEqualTo(TestApp.LIMITED_REFUSALS);
    assertThat(app.hub.channel(channel).position().toCompletableFuture().join().offset())
        .isEqualTo(TestApp.LIMITED_BURST);
  }

  private static String publish(String channel, String ref) {
    return "{\"type\":\"publish\",\"channel\":\""
        + channel
        + "\",\"data\":{},\"ref\":\""
        + ref
        + "\"}";
  }

  @Test
  void slowReader_isClosedAsSlowConsumer_whileOthersKeepReceivingEverything() {
    String channel = channel("firehose");
    TestSocket slow = open("/slow/ws", Map.of());
    slow.next("ready");
    slow.subscribe(channel);
    TestSocket fast = open("/slow/ws", Map.of());
    fast.next("ready");
    fast.subscribe(channel);
    int baseline = fast.received();

    slow.stopReading();
    String pad = "z".repeat(8 * 1024);
    int published = 0;
    // Rounds the fast reader keeps up with, until the slow one's outbox overflows.
    while (app.slowHub.connectionCount() == 2 && published < 4000) {
      for (int i = 0; i < 20; i++) {
        app.slowHub
            .channel(channel)
            .publish("blob", Map.of("n", published++, "pad", pad))
            .toCompletableFuture()
            .join();
      }
      int expected = baseline + published;
      await().atMost(Duration.ofSeconds(10)).until(() -> fast.received() >= expected);
    }
    assertThat(app.slowHub.connectionCount()).as("the slow reader was closed").isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      app.slowHub
          .channel(channel)
          .publish("blob", Map.of("n", published++, "pad", ""))
          .toCompletableFuture()
          .join();
    }

    List<JsonNode> fastMessages = fast.next(published);
    assertThat(fastMessages)
        .extracting(m -> m.path("data").path("n").asInt())
        .isEqualTo(java.util.stream.IntStream.range(0, published).boxed().toList());
    fast.assertNothingElse();

    slow.resumeReading();
    TestSocket.Closed closed = slow.awaitClosed();
    assertThat(closed.code()).isEqualTo(4000);
    assertThat(closed.reason()).isEqualTo("slow_consumer");
    int slowCount = slow.received() - 2;
    List<JsonNode> slowMessages = slow.next(slowCount);
    assertThat(slowMessages)
        .extracting(m -> m.path("data").path("n").asInt())
        .isEqualTo(java.util.stream.IntStream.range(0, slowCount).boxed().toList());
    assertThat(slowCount).isLessThan(published);
  }

  @Test
  void stalledWrite_peerThatStopsReadingMidStream_isClosedAfterSendTimeout() {
    String channel = channel("stall");
    TestSocket socket = open("/stall/ws", Map.of());
    socket.next("ready");
    socket.subscribe(channel);

    socket.stopReading();
    String pad = "s".repeat(60 * 1024);
    // Far more than the socket buffers hold, far less than the outbox: only the stalled write
    // can tell that this peer is gone.
    for (int i = 0; i < 400; i++) {
      app.stallHub
          .channel(channel)
          .publish("blob", Map.of("n", i, "pad", pad))
          .toCompletableFuture()
          .join();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> app.stallHub.connectionCount() == 0);

    socket.resumeReading();
    TestSocket.Closed closed = socket.awaitClosed();
    assertThat(closed.code()).isEqualTo(4000);
    assertThat(closed.reason()).isEqualTo("slow_consumer");
    int count = socket.received() - 2;
    assertThat(socket.next(count))
        .extracting(m -> m.path("data").path("n").asInt())
        .isEqualTo(java.util.stream.IntStream.range(0, count).boxed().toList());
    assertThat(count).isLessThan(400);
  }

  // ---- liveness

  @Test
  void idle_peerAnsweringPings_staysOpenPastTheIdleTimeout() {
    TestSocket socket = open("/idle/ws", Map.of());
    socket.next("ready");

    await()
        .during(Duration.ofMillis(3000))
        .atMost(Duration.ofSeconds(6))
        .until(() -> !socket.isClosed());

    assertThat(socket.pings()).isGreaterThan(5);
    socket.assertNothingElse();
  }

  @Test
  void idle_halfOpenPeer_isPingedThenClosedWithIdleTimeout() throws Exception {
    long start = System.nanoTime();
    try (RawSocket peer = new RawSocket(app.port(), "/idle/ws")) {
      List<RawSocket.ServerFrame> frames = new ArrayList<>();
      RawSocket.ServerFrame frame;
      do {
        frame = peer.read();
        frames.add(frame);
      } while (frame.opcode() != 0x8 && frames.size() < 1000);
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(frames.get(0).opcode()).isEqualTo(0x1);
      assertThat(frames.get(0).text()).contains("\"type\":\"ready\"");
      assertThat(frames).filteredOn(f -> f.opcode() == 0x9).isNotEmpty();
      assertThat(frame.opcode()).isEqualTo(0x8);
      assertThat(frame.closeCode()).isEqualTo(1001);
      assertThat(frame.closeReason()).isEqualTo("idle_timeout");
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(2000);
    }
  }

  /**
   * A peer that reads steadily but never catches up, so that a write to it is in flight at nearly
   * every check: it still gets pings, behind the data, and its pongs keep it open past the idle
   * timeout. Reading at its own pace, it gets every message, in order.
   */
  @Test
  void idle_peerReadingSteadilyBehindItsWrites_isPingedAndStaysOpen() throws Exception {
    String channel = channel("busy");
    String pad = "b".repeat(16 * 1024);
    // Twice what the kernel's buffers hold (the server's send buffer grows up to tcp_wmem's
    // largest, 4 MiB by default; the peer's is 64 KiB), so that the outbox is never empty and a
    // write always waits for the peer.
    int backlog = (int) Math.max(600, 2 * (largestSendBuffer() + 64 * 1024) / pad.length());
    long runNanos = TimeUnit.SECONDS.toNanos(7);
    Pattern number = Pattern.compile("\"n\":(\\d+)");
    AtomicInteger read = new AtomicInteger();
    AtomicInteger pongs = new AtomicInteger();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch subscribed = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try (RawSocket peer = new RawSocket(app.port(), "/busy/ws", 64 * 1024)) {
      Future<?> reading =
          reader.submit(
              () -> {
                try {
                  StringBuilder text = new StringBuilder();
                  long readStart = System.nanoTime();
                  while (!done.get()) {
                    RawSocket.ServerFrame frame = peer.read();
                    if (frame.opcode() == 0x9) {
                      peer.sendPong(frame.payload());
                      pongs.incrementAndGet();
                      continue;
                    } else if (frame.opcode() == 0x8) {
                      problems.add("closed: " + frame.closeCode() + " " + frame.closeReason());
                      return;
                    }
                    text.append(frame.text());
                    if (!frame.fin()) {
                      continue;
                    }
                    String message = text.toString();
                    text.setLength(0);
                    if (message.startsWith("{\"type\":\"subscribed\"")) {
                      subscribed.countDown();
                    } else if (message.startsWith("{\"type\":\"message\"")) {
                      Matcher m = number.matcher(message);
                      int expected = read.get();
                      if (!m.find() || Integer.parseInt(m.group(1)) != expected) {
                        problems.add("message " + expected + " was not next");
                        return;
                      }
                      // 2,000 messages a second (32 MB/s), far slower than the server writes on
                      // the loopback; a late wake-up is caught up at once.
                      long ahead =
                          readStart + read.incrementAndGet() * 500_000L - System.nanoTime();
                      if (ahead > 1_000_000) {
                        Thread.sleep(ahead / 1_000_000);
                      }
                    }
                  }
                } catch (Exception e) {
                  if (!done.get()) {
                    problems.add(e.toString());
                  }
                }
              });
      peer.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();

      int published = 0;
      long start = System.nanoTime();
      while (System.nanoTime() - start < runNanos && problems.isEmpty()) {
        if (published - read.get() < backlog) {
          app.stallHub.channel(channel).publish("blob", Map.of("n", published++, "pad", pad));
        } else {
          Thread.sleep(1);
        }
      }
      int pongsInRun = pongs.get();
      int readInRun = read.get();
      done.set(true);

      assertThat(problems).as("what the peer saw").isEmpty();
      assertThat(app.stallHub.connectionCount()).as("the peer's connection").isEqualTo(1);
      // Seven seconds of 100-ms pings, each behind up to a backlog of data.
      assertThat(pongsInRun).as("pings answered").isGreaterThan(10);
      assertThat(readInRun).as("messages read").isGreaterThan(2 * backlog);
      peer.close();
      reading.get(10, TimeUnit.SECONDS);
    } finally {
      reader.shutdownNow();
    }
  }

  /** The largest send buffer the kernel grows a TCP socket's to, or 4 MiB if it does not say. */
  private static long largestSendBuffer() {
    try {
      String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
      return Long.parseLong(wmem[2]);
    } catch (IOException | RuntimeException e) {
      return 4L << 20;
    }
  }

  // ---- churn

  @Test
  void connectDrop_thousandCycles_leaveNoConnectionsChannelsOrTimers() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> app.hub.connectionCount() == 0);
    String shared = channel("churn");
    int cycles = 1000;
    int workers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int worker = w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = worker; i < cycles; i += workers) {
                    cycle(i, i % 2 == 0 ? shared : shared + "-" + i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(app.hub.connectionCount()).as("connections").isZero();
              assertThat(app.hub.activeChannelCount()).as("channels").isZero();
              assertThat(app.main.openSockets()).as("open sockets").isZero();
              assertThat(app.main.keepAlive().watchedSockets()).as("liveness checks").isZero();
            });
  }

  /** One connection that subscribes and goes away in one of three ways. */
  private void cycle(int i, String channel) {
    TestSocket socket = TestSocket.open(app.ws("/push/ws"));
    socket.next("ready");
    switch (i % 3) {
      case 0 -> {
        socket.subscribe(channel);
        socket.abort();
      }
      case 1 -> {
        socket.subscribe(channel);
        socket.closeNormally();
        assertThat(socket.awaitClosed().code()).isEqualTo(1000);
      }
      default -> {
        // Gone while the subscribe may still be in flight.
        socket.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        socket.abort();
      }
    }
  }
}
