package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.PushHub;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.UnavailableException;
import jakarta.websocket.server.ServerContainer;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushWebSocketTest {
  private final PushHub hub = PushHub.builder().build();

  @AfterEach
  void closeHub() {
    hub.close();
  }

  private static ServletContext contextWithoutWebSocket() {
    return (ServletContext)
        Proxy.newProxyInstance(
            PushWebSocketTest.class.getClassLoader(),
            new Class<?>[] {ServletContext.class},
            (proxy, method, args) -> null);
  }

  @Test
  void register_badPath_isRefusedNamingIt() {
    ServletContext context = contextWithoutWebSocket();

    for (String path : new String[] {"push/ws", "/push/*", "/push/{id}", "/", "/a b", "/ws?x=1"}) {
      assertThatThrownBy(() -> PushWebSocket.register(context, hub, path))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("was \"" + path + "\"");
    }
    assertThatThrownBy(() -> PushWebSocket.register(context, hub, null))
        .hasMessageEndingWith("was null");
  }

  @Test
  void register_webappWithoutWebSocketContainer_failsWithAHint() {
    assertThatThrownBy(() -> PushWebSocket.register(contextWithoutWebSocket(), hub, "/push/ws"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("jakarta.websocket.server.ServerContainer")
        .hasMessageContaining("JakartaWebSocketServletContainerInitializer");
  }

  @Test
  void registerDeferred_findsTheContainerWhenTheServletStarts_orFailsItsStartWithTheHint()
      throws Exception {
    Map<String, Object> attributes = new ConcurrentHashMap<>();
    Map<String, Object> registered = new ConcurrentHashMap<>();
    ServletContext context = recordingContext(attributes, registered);

    PushWebSocket endpoint =
        PushWebSocket.registerDeferred(context, hub, "/push/ws", PushWebSocketOptions.defaults());

    assertThat(endpoint.path()).isEqualTo("/push/ws");
    assertThat(registered).containsEntry("mapping", "/push/ws").containsEntry("loadOnStartup", 1);
    Servlet servlet = (Servlet) registered.get("servlet");
    // Still no WebSocket container when the servlet container starts the servlet: it fails.
    assertThatThrownBy(() -> servlet.init(config(context)))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("jakarta.websocket.server.ServerContainer");

    // Set up by then (Tomcat's WebSocket initializer ran after the registering code): it starts.
    attributes.put(
        ServerContainer.class.getName(),
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ServerContainer.class},
            (proxy, method, args) -> null));
    servlet.init(config(context));
  }

  /** A webapp being started: keeps attributes, and records the one servlet registered. */
  private static ServletContext recordingContext(
      Map<String, Object> attributes, Map<String, Object> registered) {
    ServletRegistration.Dynamic registration =
        (ServletRegistration.Dynamic)
            Proxy.newProxyInstance(
                PushWebSocketTest.class.getClassLoader(),
                new Class<?>[] {ServletRegistration.Dynamic.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "addMapping" -> {
                        registered.put("mapping", ((String[]) args[0])[0]);
                        yield Set.of();
                      }
                      case "setLoadOnStartup" -> {
                        registered.put("loadOnStartup", args[0]);
                        yield null;
                      }
                      default -> null;
                    });
    return (ServletContext)
        Proxy.newProxyInstance(
            PushWebSocketTest.class.getClassLoader(),
            new Class<?>[] {ServletContext.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAttribute" -> attributes.get((String) args[0]);
                  case "getContextPath" -> "";
                  case "addServlet" -> {
                    registered.put("servlet", args[1]);
                    yield registration;
                  }
                  default -> null;
                });
  }

  private static ServletConfig config(ServletContext context) {
    return (ServletConfig)
        Proxy.newProxyInstance(
            PushWebSocketTest.class.getClassLoader(),
            new Class<?>[] {ServletConfig.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getServletContext" -> context;
                  case "getServletName" -> "herald-websocket:/push/ws";
                  default -> null;
                });
  }
}
