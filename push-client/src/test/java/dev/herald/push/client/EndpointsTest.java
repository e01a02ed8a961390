package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointsTest {
  @Test
  void stream_encodesChannelsCursorAndTimeout() {
    Endpoints e = new Endpoints(URI.create("http://example.com:8080/app/push/"));

    assertThat(e.stream(Transport.SSE, List.of("chat/lobby", "a:b@c=d"), "1~x.y~z", -1))
        .hasToString(
            "http://example.com:8080/app/push/sse?channel=chat%2Flobby&channel=a%3Ab%40c%3Dd&since=1%7Ex.y%7Ez");
    assertThat(e.stream(Transport.POLL, List.of("a"), null, 25))
        .hasToString("http://example.com:8080/app/push/poll?channel=a&timeout=25");
  }

  @Test
  void webSocketAndPublish_sitBelowTheBase() {
    assertThat(new Endpoints(URI.create("http://h/push")).webSocket())
        .hasToString("ws://h/push/ws");
    assertThat(new Endpoints(URI.create("HTTPS://h:8443/push")).webSocket())
        .hasToString("wss://h:8443/push/ws");
    assertThat(new Endpoints(URI.create("https://h/push")).publish())
        .hasToString("https://h/push/publish");
  }

  @Test
  void base_mustBeAbsoluteHttpWithoutQuery() {
    for (String bad :
        new String[] {"ws://h/push", "/push", "http://h/push?x=1", "http://h/push#f"}) {
      assertThatThrownBy(() -> new Endpoints(URI.create(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("was " + bad);
    }
  }
}
