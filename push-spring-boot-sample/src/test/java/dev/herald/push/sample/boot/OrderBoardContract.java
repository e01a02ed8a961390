package dev.herald.push.sample.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.client.Ack;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.Transport;
import dev.herald.push.examples.Browser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * What the order board must do on any container, through the starter alone: every transport carries
 * the user Spring Security signed in, the authorizer's roles hold, client publishes get through
 * with CSRF protection on, Actuator sees Herald, and a real browser page on herald.js works. {@link
 * TomcatOrderBoardTest} and {@link JettyOrderBoardTest} run it.
 */
abstract class OrderBoardContract {
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired PushHub hub;
  @Autowired WebServerApplicationContext context;

  /** The simple name the web server's class starts with, such as {@code Tomcat}. */
  abstract String expectedServer();

  @Test
  void runsOnTheContainerItNames() {
    assertThat(context.getWebServer().getClass().getSimpleName()).startsWith(expectedServer());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyTransport_carriesTheSignedInUser(Transport transport) throws Exception {
    BoardSession alice = BoardSession.signIn(port, "alice", "alice");
    List<Message> board = new CopyOnWriteArrayList<>();
    List<Message> mine = new CopyOnWriteArrayList<>();
    try (HeraldClient client = client(alice, transport)) {
      client.subscribe("orders", board::add);
      // user/alice is open to alice alone: hearing on it proves Herald saw her as its user.
      client.subscribe("user/alice", mine::add);
      alice.awaitLive(board, mine);

      String item = "tea-" + UUID.randomUUID();
      assertThat(alice.postJson("orders", "{\"item\":\"" + item + "\"}").statusCode())
          .isEqualTo(201);

      await().atMost(WAIT).until(() -> has(board, item) && has(mine, item));
      JsonNode order = data(find(board, item));
      assertThat(order.path("customer").asText()).isEqualTo("alice");
      assertThat(find(board, item).event()).isEqualTo("order.created");
      assertThat(find(mine, item).event()).isEqualTo("order.placed");
      assertThat(client.transport()).isEqualTo(transport);
    }
  }

  @Test
  void channels_areRefusedToWhoeverTheAuthorizerRefuses() throws Exception {
    BoardSession nobody = BoardSession.anonymous(port);
    assertThat(nobody.get("push/sse?channel=orders").statusCode())
        .as("anonymous: the push path is open, the channel is not")
        .isEqualTo(403);
    BoardSession alice = BoardSession.signIn(port, "alice", "alice");
    assertThat(alice.get("push/sse?channel=user/bob").statusCode()).isEqualTo(403);
    assertThat(alice.get("push/poll?channel=orders/admin").statusCode())
        .as("orders/admin needs ROLE_ADMIN")
        .isEqualTo(403);
  }

  @Test
  void adminChannel_reachesAdminsOnly_andShippingPublishesFromTheController() throws Exception {
    BoardSession alice = BoardSession.signIn(port, "alice", "alice");
    BoardSession bob = BoardSession.signIn(port, "bob", "bob");
    String item = "cake-" + UUID.randomUUID();
    long id =
        JSON.readTree(alice.postJson("orders", "{\"item\":\"" + item + "\"}").body())
            .get("id")
            .asLong();
    assertThat(alice.postJson("orders/" + id + "/ship", "{}").statusCode()).isEqualTo(403);

    List<Message> admin = new CopyOnWriteArrayList<>();
    List<Message> board = new CopyOnWriteArrayList<>();
    List<Message> bobs = new CopyOnWriteArrayList<>();
    try (HeraldClient client = client(bob, Transport.SSE)) {
      client.subscribe("orders/admin", admin::add);
      client.subscribe("orders", board::add);
      client.subscribe("user/bob", bobs::add);
      bob.awaitLive(board, bobs);

      assertThat(bob.postJson("orders/" + id + "/ship", "{}").statusCode()).isEqualTo(200);
      await().atMost(WAIT).until(() -> !admin.isEmpty());
      assertThat(data(admin.get(0)).path("id").asLong()).isEqualTo(id);
      assertThat(data(admin.get(0)).path("by").asText()).isEqualTo("bob");
      await()
          .atMost(WAIT)
          .until(
              () ->
                  board.stream()
                      .anyMatch(m -> m.event().equals("order.shipped") && m.data().contains(item)));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Transport.class,
      names = {"WEBSOCKET", "SSE"})
  void clientPublishes_getThroughWithCsrfOn_signedByTheServer(Transport transport)
      throws Exception {
    BoardSession alice = BoardSession.signIn(port, "alice", "alice");
    BoardSession bob = BoardSession.signIn(port, "bob", "bob");
    assertThat(alice.postJsonWithoutCsrf("orders", "{\"item\":\"x\"}").statusCode())
        .as("the application's own POSTs keep their CSRF protection")
        .isEqualTo(403);

    List<Message> notes = new CopyOnWriteArrayList<>();
    List<Message> board = new CopyOnWriteArrayList<>();
    List<Message> bobs = new CopyOnWriteArrayList<>();
    try (HeraldClient reader = client(bob, Transport.SSE);
        HeraldClient writer = client(alice, transport)) {
      reader.subscribe("notes", notes::add);
      reader.subscribe("orders", board::add);
      reader.subscribe("user/bob", bobs::add);
      bob.awaitLive(board, bobs);

      String text = "hello " + UUID.randomUUID();
      // Over SSE the client publishes with POST /push/publish, which carries no CSRF token.
      Ack ack =
          writer
              .publish("notes", "note", java.util.Map.of("text", text, "by", "mallory"))
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(ack.offset()).isPositive();
      await().atMost(WAIT).until(() -> has(notes, text));
      assertThat(data(find(notes, text)).path("by").asText())
          .as("the handler signs the note with the signed-in user, whatever the client wrote")
          .isEqualTo("alice");
    }
  }

  @Test
  void actuator_showsHeraldsHealthAndMeters() throws Exception {
    BoardSession alice = BoardSession.signIn(port, "alice", "alice");
    JsonNode health = JSON.readTree(alice.get("actuator/health").body());
    assertThat(health.at("/components/herald/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/herald/details/broker").asText()).isEqualTo("UP");

    HttpResponse<String> meter = alice.get("actuator/metrics/herald.connections");
    assertThat(meter.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(meter.body()).at("/availableTags/0/tag").asText())
        .isEqualTo("transport");
  }

  @Test
  void browserPage_onHeraldJs_isLive() throws Exception {
    try (Browser browser = Browser.start()) {
      var driver = browser.driver();
      driver.get("http://localhost:" + port + "/");
      // Spring Security sends the browser to its login form first.
      await().atMost(WAIT).until(() -> driver.getCurrentUrl().contains("/login"));
      driver.findElement(By.id("username")).sendKeys("alice");
      driver.findElement(By.id("password")).sendKeys("alice");
      driver.findElement(By.cssSelector("button[type=submit]")).click();

      await()
          .atMost(WAIT)
          .until(() -> driver.findElement(By.id("status")).getText().startsWith("live over"));
      assertThat(driver.findElement(By.id("status")).getText()).endsWith(" as alice");

      String item = "scone-" + UUID.randomUUID();
      driver.findElement(By.id("item")).sendKeys(item);
      driver.findElement(By.cssSelector("#place button")).click();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  driver.findElement(By.id("orders")).getText().contains(item)
                      && driver.findElement(By.id("mine")).getText().contains(item));

      String note = "hi " + UUID.randomUUID();
      driver.findElement(By.id("text")).sendKeys(note);
      driver.findElement(By.cssSelector("#note button")).click();
      await()
          .atMost(WAIT)
          .until(() -> driver.findElement(By.id("notes")).getText().contains("alice: " + note));
    }
  }

  private HeraldClient client(BoardSession session, Transport transport) {
    return HeraldClient.builder(session.base.resolve("push"))
        .transports(transport)
        .httpClient(session.http)
        .build();
  }

  private static boolean has(List<Message> messages, String text) {
    return messages.stream().anyMatch(m -> m.data().contains(text));
  }

  private static Message find(List<Message> messages, String text) {
    return messages.stream().filter(m -> m.data().contains(text)).findFirst().orElseThrow();
  }

  private static JsonNode data(Message message) throws Exception {
    return JSON.readTree(message.data());
  }

  static URI base(int port) {
    return URI.create("http://localhost:" + port + "/");
  }
}
