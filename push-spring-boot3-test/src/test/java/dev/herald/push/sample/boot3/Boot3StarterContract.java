package dev.herald.push.sample.boot3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.client.Ack;
import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.core.SpringVersion;
import org.springframework.security.core.SpringSecurityCoreVersion;

/**
 * The starter, built against Spring Boot 4, in a Spring Boot 3.5 application: the signed-in user is
 * Herald's user on every transport, client publishes get through Spring Security's CSRF protection,
 * and Actuator shows Herald's health and meters. {@link Boot3TomcatTest} runs it on Tomcat 10.1,
 * {@link Boot3JettyTest} on Jetty 12.0.
 */
abstract class Boot3StarterContract {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired PushHub hub;
  @Autowired WebServerApplicationContext context;

  /** Checks the container's own name and version. */
  abstract void checkContainer(String webServerClass);

  @Test
  void runsOnSpringBoot35_onTheContainerItNames() {
    assertThat(SpringBootVersion.getVersion()).isEqualTo("3.5.7");
    assertThat(SpringVersion.getVersion()).startsWith("6.2.");
    assertThat(SpringSecurityCoreVersion.getVersion()).startsWith("6.5.");
    checkContainer(context.getWebServer().getClass().getSimpleName());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyTransport_deliversToTheSignedInUser_onTheirOwnChannel(Transport transport)
      throws Exception {
    Boot3Session alice = Boot3Session.signIn(port, "alice");
    List<Message> mine = new CopyOnWriteArrayList<>();
    try (HeraldClient client = alice.client(transport)) {
      // user/alice is open to alice alone: hearing on it proves Herald saw her as its user.
      client.subscribe("user/alice", mine::add);
      awaitLive("user/alice", mine);

      String text = "order " + UUID.randomUUID();
      hub.channel("user/alice").publish("order.placed", Map.of("text", text));

      await().atMost(WAIT).until(() -> has(mine, text));
      Message message = find(mine, text);
      assertThat(message.event()).isEqualTo("order.placed");
      assertThat(JSON.readTree(message.data()).path("text").asText()).isEqualTo(text);
      assertThat(client.transport()).isEqualTo(transport);
    }
  }

  @Test
  void aUsersChannel_isRefusedToOthersAndToAnonymousClients() throws Exception {
    assertThat(Boot3Session.anonymous(port).get("push/sse?channel=user/alice").statusCode())
        .isEqualTo(403);
    Boot3Session bob = Boot3Session.signIn(port, "bob");
    assertThat(bob.get("push/poll?channel=user/alice").statusCode()).isEqualTo(403);
    assertThat(bob.get("push/sse?channel=user/alice").statusCode()).isEqualTo(403);
  }

  @ParameterizedTest
  @EnumSource(
      value = Transport.class,
      names = {"WEBSOCKET", "SSE"})
  void clientPublishes_getThroughSpringSecuritysCsrfProtection(Transport transport)
      throws Exception {
    Boot3Session alice = Boot3Session.signIn(port, "alice");
    Boot3Session bob = Boot3Session.signIn(port, "bob");
    List<Message> notes = new CopyOnWriteArrayList<>();
    try (HeraldClient reader = bob.client(Transport.SSE);
        HeraldClient writer = alice.client(transport)) {
      reader.subscribe("notes", notes::add);
      awaitLive("notes", notes);

      String text = "hello " + UUID.randomUUID();
      // Over SSE the client publishes with POST /push/publish, which carries no CSRF token.
      Ack ack =
          writer
              .publish("notes", "note", Map.of("text", text))
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(ack.offset()).isPositive();
      await().atMost(WAIT).until(() -> has(notes, text));
    }
  }

  @Test
  void payloads_areWrittenWithSpringBootsObjectMapper() throws Exception {
    // Boot 3.5's Jackson 2 mapper writes java.time types as ISO text; a plain mapper cannot.
    Message message =
        hub.channel("news")
            .publish("dated", Map.of("at", java.time.Instant.EPOCH))
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertThat(message.data()).isEqualTo("{\"at\":\"1970-01-01T00:00:00Z\"}");
  }

  @Test
  void actuator_showsHeraldsHealthAndMeters() throws Exception {
    Boot3Session alice = Boot3Session.signIn(port, "alice");
    var response = alice.get("actuator/health");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode herald = JSON.readTree(response.body()).at("/components/herald");
    assertThat(herald.path("status").asText()).isEqualTo("UP");
    JsonNode details = herald.path("details");
    assertThat(details.path("connections").isInt()).isTrue();
    assertThat(details.path("draining").asBoolean(true)).isFalse();
    assertThat(details.path("closed").asBoolean(true)).isFalse();
    assertThat(details.path("broker").asText()).isEqualTo("UP");
    assertThat(details.has("brokerDetail")).isTrue();

    var meter = alice.get("actuator/metrics/herald.connections");
    assertThat(meter.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(meter.body()).at("/availableTags/0/tag").asText())
        .isEqualTo("transport");
  }

  /**
   * Publishes probes until one arrives: a subscribe is live only once the server has it, which the
   * client does not announce.
   */
  private void awaitLive(String channel, List<Message> received) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              hub.channel(channel).publish("probe", Map.of("text", "probe"));
              return has(received, "probe");
            });
  }

  static boolean has(List<Message> messages, String text) {
    return messages.stream().anyMatch(m -> m.data().contains(text));
  }

  private static Message find(List<Message> messages, String text) {
    return messages.stream().filter(m -> m.data().contains(text)).findFirst().orElseThrow();
  }
}
