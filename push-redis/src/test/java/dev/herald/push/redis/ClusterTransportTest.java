package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three nodes, each a Jetty server with its own hub and {@link RedisBroker} on one real Redis:
 * messages published on one node reach SSE and WebSocket clients of the others, and a client that
 * reconnects to a different node resumes exactly.
 */
class ClusterTransportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static RedisServer redis;
  private static final List<WebNode> nodes = new ArrayList<>();

  /** One node: a hub on Redis behind Jetty with both transports. */
  static final class WebNode implements AutoCloseable {
    final PushHub hub;
    final Server server;

    WebNode(String redisUri) throws Exception {
      hub =
          PushHub.builder()
              .broker(RedisBroker.builder().redisUri(redisUri).build())
              .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
              .build();
      server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServletContainerInitializer(
          (classes, sc) -> PushServlet.builder(hub).build().register(sc, "/push/*"));
      JakartaWebSocketServletContainerInitializer.configure(
          context, (sc, container) -> PushWebSocket.register(sc, hub, "/push/ws"));
      server.setHandler(context);
      server.start();
    }

    URI uri(String path) {
      int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
      return URI.create("http://localhost:" + port + path);
    }

    @Override
    public void close() throws Exception {
      hub.close();
      server.stop();
    }
  }

  /** A bare SSE reader on the JDK client: message events with their ids. */
  static final class Sse implements AutoCloseable {
    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    volatile String lastId;
    volatile boolean ready;
    private final InputStream body;

    Sse(WebNode node, String channel, String lastEventId) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(
              node.uri("/push/sse?channel=" + URLEncoder.encode(channel, StandardCharsets.UTF_8)));
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      HttpResponse<InputStream> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      body = response.body();
      Thread reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String event = null;
        String id = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            if (id != null) {
              lastId = id;
            }
            if ("ready".equals(event)) {
              ready = true;
            } else if (event == null && data.length() > 0) {
              messages.add(JSON.readTree(data.toString()));
            }
            event = null;
            id = null;
            data.setLength(0);
          } else if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          }
        }
      } catch (IOException e) {
        // the test closed the stream
      }
    }

    List<Long> offsets() {
      return messages.stream().map(m -> m.get("offset").asLong()).collect(Collectors.toList());
    }

    @Override
    public void close() throws IOException {
      body.close();
    }
  }

  /** A bare WebSocket client on the JDK: every frame it receives, parsed. */
  static final class Ws implements WebSocket.Listener, AutoCloseable {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();

    Ws(WebNode node) {
      URI uri = URI.create(node.uri("/push/ws").toString().replace("http:", "ws:"));
      socket = HTTP.newWebSocketBuilder().buildAsync(uri, this).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(JSON.readTree(partial.toString()));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    void send(String json) {
      socket.sendText(json, true).join();
    }

    List<JsonNode> of(String type) {
      return frames.stream().filter(f -> f.get("type").asText().equals(type)).toList();
    }

    List<Long> offsets() {
      return of("message").stream().map(m -> m.get("offset").asLong()).collect(Collectors.toList());
    }

    String lastCursor() {
      String cursor = null;
      for (JsonNode f : frames) {
        if (f.has("cursor")) {
          cursor = f.get("cursor").asText();
        }
      }
      return cursor;
    }

    @Override
    public void close() {
      socket.abort();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    for (int i = 0; i < 3; i++) {
      nodes.add(new WebNode(redis.uri()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (WebNode node : nodes) {
      node.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static void publish(WebNode node, String channel, int n) {
    for (int i = 0; i < n; i++) {
      node.hub.channel(channel).publish("tick", Map.of("i", i)).toCompletableFuture().join();
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }

  @Test
  void publishOnOneNode_reachesSseAndWebSocketClientsOfTheOthers() throws Exception {
    String channel = "cluster/fanout";
    try (Sse sse = new Sse(nodes.get(1), channel, null);
        Ws ws = new Ws(nodes.get(2))) {
      ws.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      await().until(() -> sse.ready && !ws.of("subscribed").isEmpty());
      publish(nodes.get(0), channel, 5);
      await().until(() -> sse.messages.size() == 5 && ws.offsets().size() == 5);
      assertThat(sse.offsets()).containsExactlyElementsOf(range(1, 5));
      assertThat(ws.offsets()).containsExactlyElementsOf(range(1, 5));
    }
  }

  @Test
  void httpPublishOnOneNode_isAckedWithTheOffsetEveryNodeSees() throws Exception {
    String channel = "chat/cluster";
    try (Sse sse = new Sse(nodes.get(2), channel, null)) {
      await().until(() -> sse.ready);
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(nodes.get(0).uri("/push/publish"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"channel\":\""
                              + channel
                              + "\",\"event\":\"chat\",\"data\":{\"t\":1}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(202);
      long offset = JSON.readTree(response.body()).get("offset").asLong();
      await().until(() -> sse.messages.size() == 1);
      assertThat(sse.offsets()).containsExactly(offset);
    }
  }

  @Test
  void sseClient_reconnectingToAnotherNode_resumesExactly() throws Exception {
    String channel = "cluster/sse-resume";
    String cursor;
    try (Sse first = new Sse(nodes.get(0), channel, null)) {
      await().until(() -> first.ready);
      publish(nodes.get(1), channel, 3);
      await().until(() -> first.messages.size() == 3);
      cursor = first.lastId;
    }
    publish(nodes.get(2), channel, 4); // missed while away
    try (Sse second = new Sse(nodes.get(1), channel, cursor)) {
      await().until(() -> second.messages.size() == 4);
      publish(nodes.get(0), channel, 1);
      await().until(() -> second.messages.size() == 5);
      assertThat(second.offsets()).containsExactlyElementsOf(range(4, 8));
    }
  }

  @Test
  void webSocketClient_reconnectingToAnotherNode_resumesExactly() throws Exception {
    String channel = "cluster/ws-resume";
    String cursor;
    try (Ws first = new Ws(nodes.get(2))) {
      first.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
      await().until(() -> !first.of("subscribed").isEmpty());
      publish(nodes.get(0), channel, 2);
      await().until(() -> first.offsets().size() == 2);
      cursor = first.lastCursor();
    }
    publish(nodes.get(1), channel, 3);
    try (Ws second = new Ws(nodes.get(0))) {
      second.send(
          "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"since\":\"" + cursor + "\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> second.offsets().size() == 3);
      publish(nodes.get(2), channel, 1);
      await().until(() -> second.offsets().size() == 4);
      assertThat(second.offsets()).containsExactlyElementsOf(range(3, 6));
      assertThat(second.of("reset")).isEmpty();
    }
  }
}
