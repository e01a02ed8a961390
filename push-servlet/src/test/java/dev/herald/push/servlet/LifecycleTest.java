package dev.herald.push.servlet;

import static dev.herald.push.servlet.Http.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.PushHub;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Collections;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Registration, two hubs side by side, hub shutdown and servlet destruction. */
class LifecycleTest {

  static Stream<Arguments> containers() {
    return Stream.of(
        Arguments.of("jetty", (TestServer.Container) TestServer::startJetty),
        Arguments.of("tomcat", (TestServer.Container) TestServer::startTomcat));
  }

  @OnBothContainers
  void register_twoHubsInOneContext_stayIndependent(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    try (SseClient main = SseClient.open(server, "/push/sse?channel=" + channel);
        SseClient small = SseClient.open(server, "/small/sse?channel=" + channel)) {
      main.ready();
      small.ready();
      publish(server.hub, channel, "e", "\"main\"");
      publish(server.small, channel, "e", "\"small\"");
      assertThat(main.next("message").json().get("data").asText()).isEqualTo("main");
      assertThat(small.next("message").json().get("data").asText()).isEqualTo("small");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void hubClosed_endsStreamsWithServerShutdownAndSseStaysEventSourceFriendly(
      String name, TestServer.Container container) throws Exception {
    PushHub hub = PushHub.builder().build();
    TestServer.Running running =
        container.start(
            (classes, context) -> PushServlet.builder(hub).build().register(context, "/push/*"));
    try {
      TestServer server = TestServer.at(running.port());
      try (SseClient sse = SseClient.open(server, "/push/sse?channel=a");
          NdjsonClient stream = NdjsonClient.open(server, "/push/stream?channel=a")) {
        sse.ready();
        stream.nextFrame();
        hub.close();

        SseClient.Event error = sse.next("error");
        assertThat(error.json().get("code").asText()).isEqualTo("server_shutdown");
        await().until(sse::ended);
        assertThat(stream.nextFrame().get("code").asText()).isEqualTo("server_shutdown");
      }
      // Any status but 200 would make EventSource give up for good.
      try (SseClient late = SseClient.open(server, "/push/sse?channel=a")) {
        assertThat(late.response.statusCode()).isEqualTo(200);
        assertThat(late.next("error").json().get("code").asText()).isEqualTo("unavailable");
        await().until(late::ended);
      }
      Http.assertError(Http.get(server, "/push/poll?channel=a"), 503, "unavailable");
    } finally {
      running.stopper().close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("containers")
  void servletDestroyed_closesItsConnectionsButNotTheHub(
      String name, TestServer.Container container) throws Exception {
    try (PushHub hub = PushHub.builder().build()) {
      TestServer.Running running =
          container.start(
              (classes, context) -> PushServlet.builder(hub).build().register(context, "/push/*"));
      TestServer server = TestServer.at(running.port());
      try (SseClient sse = SseClient.open(server, "/push/sse?channel=a")) {
        sse.ready();
        assertThat(hub.connectionCount()).isEqualTo(1);
        running.stopper().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.connectionCount() == 0);
        assertThat(hub.isClosed()).isFalse();
      }
    }
  }

  @Test
  void register_patternThatIsNotAPathMapping_rejectedNamingIt() {
    PushServlet servlet = PushServlet.builder(PushHub.builder().build()).build();
    ServletContext context = unusable(ServletContext.class);
    for (String pattern : new String[] {"/push", "push/*", "*.push", "/push/*/x"}) {
      assertThatThrownBy(() -> servlet.register(context, pattern))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("urlPattern must be a path mapping such as /push/*, was \"" + pattern + "\"");
    }
  }

  @Test
  void webXml_withoutHubAttribute_failsToStartNamingTheAttribute() {
    ServletContext context =
        (ServletContext)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> null);
    ServletConfig config =
        (ServletConfig)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {ServletConfig.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getServletContext" -> context;
                      case "getServletName" -> "herald";
                      case "getInitParameterNames" -> Collections.emptyEnumeration();
                      default -> null;
                    });
    assertThatThrownBy(() -> new PushServlet().init(config))
        .isInstanceOf(ServletException.class)
        .hasMessageContaining("\"dev.herald.push.PushHub\"")
        .hasMessageContaining("found nothing");
  }

  @SuppressWarnings("unchecked")
  static <T> T unusable(Class<T> type) {
    return (T)
        Proxy.newProxyInstance(
            LifecycleTest.class.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              throw new AssertionError("unexpected call " + method.getName());
            });
  }
}
