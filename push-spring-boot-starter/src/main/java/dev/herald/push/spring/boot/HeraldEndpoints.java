package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;
import dev.herald.push.websocket.PushWebSocket;
import jakarta.servlet.ServletContext;
import org.springframework.boot.web.servlet.ServletContextInitializer;

/**
 * Registers Herald's servlets while the container starts the application, as the listener of a
 * plain webapp does: {@code PushServlet} at {@code <path>/*} and, unless {@code
 * herald.websocket.enabled=false}, the WebSocket endpoint at {@code <path>/ws}.
 *
 * <p>Jetty sets up its WebSocket container before Spring Boot's initializers run; Tomcat's
 * WebSocket initializer runs after them, so the WebSocket endpoint finds its container when the
 * servlet container starts it ({@link PushWebSocket#registerDeferred}).
 */
final class HeraldEndpoints implements ServletContextInitializer {
  private final PushHub hub;
  private final HeraldProperties properties;
  private volatile PushWebSocket webSocket;

  HeraldEndpoints(PushHub hub, HeraldProperties properties) {
    this.hub = hub;
    this.properties = properties;
  }

  /** The path the endpoints are under, checked: starts with {@code /}, no trailing one. */
  String basePath() {
    String path = properties.getPath();
    if (path == null
        || !path.startsWith("/")
        || path.endsWith("/")
        || path.contains("*")
        || path.contains("//")) {
      throw new IllegalArgumentException(
          "herald.path must start with / and end without one, without wildcards, such as /push;"
              + " was "
              + (path == null ? "empty" : "\"" + path + "\""));
    }
    return path;
  }

  @Override
  public void onStartup(ServletContext context) {
    String base = basePath();
    HubSettingsFromProperties.servlet(properties, hub).register(context, base + "/*");
    if (!properties.getWebsocket().isEnabled()) {
      return;
    }
    // Tomcat sets up its WebSocket container after Spring Boot's initializers have run.
    webSocket =
        PushWebSocket.registerDeferred(
            context, hub, base + "/ws", HubSettingsFromProperties.webSocketOptions(properties));
  }

  /** WebSockets open now on the endpoint this registered; 0 before it has or without one. */
  int openSockets() {
    PushWebSocket registered = webSocket;
    return registered == null ? 0 : registered.openSockets();
  }
}
