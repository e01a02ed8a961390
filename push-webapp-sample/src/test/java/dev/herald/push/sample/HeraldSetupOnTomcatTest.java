package dev.herald.push.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.PushHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the sample webapp, {@code web.xml} and all, on Tomcat under the context path {@code
 * /shop} and drives it with the JDK's HTTP and WebSocket clients: the page and {@code herald.js}
 * are served, an order placed through the app's own servlet reaches SSE and WebSocket subscribers,
 * the authorizer keeps other channels closed, the app still does its job, and stopping the
 * container closes the hub and every connection.
 *
 * <p>The build runs this class twice, on Tomcat 11 and on Tomcat 10.1; the system property {@code
 * herald.expectedTomcat} names the version each run must find.
 */
class HeraldSetupOnTomcatTest {
  private static final Logger LOG = LoggerFactory.getLogger(HeraldSetupOnTomcatTest.class);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private SampleTomcat tomcat;

  @BeforeEach
  void deploy() throws Exception {
    tomcat = SampleTomcat.start();
    assertThat(tomcat.available()).as("the webapp started").isTrue();
  }

  @AfterEach
  void undeploy() throws Exception {
    if (tomcat != null) {
      tomcat.close();
    }
  }

  @Test
  void deploy_runsOnTheTomcatThisRunNames() {
    String expected = System.getProperty("herald.expectedTomcat");
    LOG.info("Testing the sample on Apache Tomcat {}", SampleTomcat.version());
    assertThat(expected)
        .as("the system property herald.expectedTomcat, which the pom sets for each run")
        .isNotBlank();
    // ServerInfo numbers 11.0.27 as 11.0.27.0.
    assertThat(SampleTomcat.version()).startsWith(expected + ".");
  }

  @Test
  void deploy_servesThePage_andTheHeraldScript() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.body())
        .contains("<script src=\"push/herald.js\"></script>")
        .contains("Herald.connect('push')")
        .contains("subscribe('orders'");

    // The page's relative src, resolved as a browser resolves it against the page under /shop/.
    URI scriptUri = tomcat.http("/").resolve("push/herald.js");
    assertThat(scriptUri.getPath()).isEqualTo("/shop/push/herald.js");
    HttpResponse<String> script =
        http.send(HttpRequest.newBuilder(scriptUri).GET().build(), BodyHandlers.ofString());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).contains("javascript"));
    assertThat(script.body()).contains("Herald");
  }

  @Test
  void placeOrder_reachesAnSseSubscriber() throws Exception {
    SseRecorder sse = openSse("orders");

    assertThat(placeOrder("espresso").statusCode()).isEqualTo(201);

    await().atMost(WAIT).until(() -> sse.events().size() == 2);
    List<SseRecorder.Event> events = sse.events();
    assertThat(events.get(0).name()).isEqualTo("ready");
    assertThat(events.get(1).name()).isEqualTo("message");
    JsonNode message = JSON.readTree(events.get(1).data());
    assertThat(message.path("channel").asText()).isEqualTo("orders");
    assertThat(message.path("event").asText()).isEqualTo("order.created");
    assertThat(message.path("data").path("id").asLong()).isEqualTo(1);
    assertThat(message.path("data").path("item").asText()).isEqualTo("espresso");
    assertThat(sse.ended()).isFalse();
  }

  @Test
  void placeOrder_reachesAWebSocketSubscriber() throws Exception {
    WebSocketRecorder socket = new WebSocketRecorder();
    WebSocket ws = openWebSocket(socket);
    ws.sendText("{\"type\":\"subscribe\",\"channel\":\"orders\",\"ref\":\"s1\"}", true)
        .get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> hasType(socket.frames(), "subscribed"));

    assertThat(placeOrder("flat white").statusCode()).isEqualTo(201);

    await().atMost(WAIT).until(() -> socket.frames().size() == 3);
    List<JsonNode> frames = parse(socket.frames());
    assertThat(frames)
        .extracting(f -> f.path("type").asText())
        .containsExactly("ready", "subscribed", "message");
    JsonNode message = frames.get(2);
    assertThat(message.path("channel").asText()).isEqualTo("orders");
    assertThat(message.path("event").asText()).isEqualTo("order.created");
    assertThat(message.path("data").path("item").asText()).isEqualTo("flat white");
    assertThat(socket.close()).isNull();
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
  }

  @Test
  void subscribe_toAChannelTheAuthorizerRefuses_isForbidden() throws Exception {
    for (String channel : List.of("user/alice", "inventory")) {
      HttpResponse<String> sse =
          http.send(
              HttpRequest.newBuilder(tomcat.http("/push/sse?channel=" + channel))
                  .header("Accept", "text/event-stream")
                  .GET()
                  .build(),
              BodyHandlers.ofString());
      assertThat(sse.statusCode()).as(channel).isEqualTo(403);
      assertThat(JSON.readTree(sse.body()).path("code").asText()).isEqualTo("forbidden");
    }

    WebSocketRecorder socket = new WebSocketRecorder();
    WebSocket ws = openWebSocket(socket);
    ws.sendText("{\"type\":\"subscribe\",\"channel\":\"user/alice\",\"ref\":\"s1\"}", true)
        .get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> hasType(socket.frames(), "error"));
    JsonNode error = parse(socket.frames()).get(1);
    assertThat(error.path("code").asText()).isEqualTo("forbidden");
    assertThat(error.path("ref").asText()).isEqualTo("s1");
    assertThat(socket.close()).as("a refused subscribe leaves the socket open").isNull();
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
  }

  @Test
  void malformedQuery_isRefusedWith400_neverServedAsIfTheParameterWereAbsent() throws Exception {
    // Tomcat 10.1 drops a parameter it cannot decode ("Character decoding failed"): a damaged
    // cursor must not become a fresh subscribe. Sent as raw bytes, which a URI would re-encode.
    for (String transport : List.of("sse", "stream", "poll")) {
      String answer = rawGet("/push/" + transport + "?channel=orders&since=AAAA%ZZ", "");
      assertThat(answer).as(transport).startsWith("HTTP/1.1 400 ");
      JsonNode error = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
      assertThat(error.path("code").asText()).isEqualTo("bad_cursor");
      assertThat(error.path("message").asText()).contains("\"since\"");
      assertThat(rawGet("/push/" + transport + "?channel=ord%ZZers", ""))
          .startsWith("HTTP/1.1 400 ")
          .contains("\"code\":\"bad_channel\"");
    }
    String handshake =
        rawGet(
            "/push/ws?access_token=%ZZ",
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
    assertThat(handshake).startsWith("HTTP/1.1 400 ").contains("\"code\":\"bad_request\"");
    assertThat(tomcat.hub().connectionCount()).isZero();
  }

  /** A GET with {@code target} sent as is; returns the head and, if it has a length, the body. */
  private String rawGet(String target, String headers) throws Exception {
    URI base = tomcat.http("/");
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET "
              + SampleTomcat.CONTEXT_PATH
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + headers
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      java.io.InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while (head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0) {
        head.append((char) b);
      }
      java.util.regex.Matcher length =
          java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      if (length.find()) {
        head.append(
            new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8));
      }
      return head.toString();
    }
  }

  @Test
  void theApp_keepsDoingItsOwnJob() throws Exception {
    HttpResponse<String> first = placeOrder("tea");
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(first.body()).isEqualTo("1");
    assertThat(first.headers().firstValue("Location")).hasValue("/shop/orders/1");
    assertThat(placeOrder("cake").statusCode()).isEqualTo(201);
    assertThat(placeOrder("   ").statusCode()).isEqualTo(400);

    HttpResponse<String> list = get("/orders");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("1 tea\n2 cake\n");
    // Nobody was subscribed, yet the hub stored both orders: a page opened now can replay them.
    assertThat(
            tomcat
                .hub()
                .channel("orders")
                .position()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .offset())
        .isEqualTo(2);
  }

  @Test
  void startAndStop_sayWhatHeraldDoes_atInfo() throws Exception {
    tomcat.close();
    tomcat = null;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    System.setErr(new java.io.PrintStream(new TeeStream(original, captured), true, "UTF-8"));
    try {
      tomcat = SampleTomcat.start();
      assertThat(tomcat.available()).isTrue();
      tomcat.stop();
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log)
        .containsPattern(
            "INFO dev\\.herald\\.push\\.Hub - Herald hub \\d+ started: broker InMemoryBroker")
        .contains("Herald HTTP transports at /shop/push/*")
        .contains("Herald WebSocket at /shop/push/ws")
        .containsPattern("Herald hub stopped: closed \\d+ connections in \\d+ ms");
  }

  /** Writes to both streams. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }

  @Test
  void stoppingTomcat_closesTheHub_andEveryConnection() throws Exception {
    PushHub hub = tomcat.hub();
    SseRecorder sse = openSse("orders");
    WebSocketRecorder socket = new WebSocketRecorder();
    WebSocket ws = openWebSocket(socket);
    ws.sendText("{\"type\":\"subscribe\",\"channel\":\"orders\"}", true).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> hasType(socket.frames(), "subscribed"));
    assertThat(hub.connectionCount()).isEqualTo(2);

    tomcat.stop();

    assertThat(hub.isClosed()).isTrue();
    assertThat(hub.connectionCount()).isZero();
    await().atMost(WAIT).until(sse::ended);
    SseRecorder.Event last = sse.events().get(sse.events().size() - 1);
    assertThat(last.name()).isEqualTo("error");
    assertThat(JSON.readTree(last.data()).path("code").asText()).isEqualTo("server_shutdown");
    await().atMost(WAIT).until(() -> socket.close() != null);
    // 1001 going away. Tomcat closes its sessions itself as the webapp stops, before the listener
    // closes the hub, so the reason is Tomcat's ("The web application is stopping"), not
    // server_shutdown; either way the client reconnects and resumes.
    assertThat(socket.close()).startsWith("1001 ");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(tomcat.http(path)).GET().build(), BodyHandlers.ofString());
  }

  private HttpResponse<String> placeOrder(String item) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(tomcat.http("/orders"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "item="
                        + java.net.URLEncoder.encode(
                            item, java.nio.charset.StandardCharsets.UTF_8)))
            .build();
    return http.send(request, BodyHandlers.ofString());
  }

  /** Opens an SSE stream and returns once its {@code ready} event has arrived. */
  private SseRecorder openSse(String channel) throws Exception {
    SseRecorder sse = new SseRecorder();
    URI uri = tomcat.http("/push/sse?channel=" + channel);
    CompletableFuture<Integer> status = new CompletableFuture<>();
    // The response completes only when the stream ends; the status is taken as headers arrive.
    http.sendAsync(
        HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build(),
        info -> {
          status.complete(info.statusCode());
          return BodySubscribers.fromLineSubscriber(sse);
        });
    assertThat(status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
    await().atMost(WAIT).until(() -> !sse.events().isEmpty());
    return sse;
  }

  private WebSocket openWebSocket(WebSocketRecorder recorder) throws Exception {
    return http.newWebSocketBuilder()
        .buildAsync(tomcat.ws("/push/ws"), recorder)
        .get(10, TimeUnit.SECONDS);
  }

  private static boolean hasType(List<String> frames, String type) throws Exception {
    return parse(frames).stream().anyMatch(f -> f.path("type").asText().equals(type));
  }

  private static List<JsonNode> parse(List<String> frames) throws Exception {
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String frame : frames) {
      nodes.add(JSON.readTree(frame));
    }
    return nodes;
  }
}
