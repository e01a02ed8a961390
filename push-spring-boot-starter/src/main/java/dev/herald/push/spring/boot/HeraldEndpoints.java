package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocket;
import dev.herald.push.websocket.PushWebSocketOptions;
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
  private final String base;
  private final PushServlet servlet;
  private final PushWebSocketOptions webSocketOptions;
  private volatile PushWebSocket webSocket;

  /**
   * Checks every setting now, so that a bad property fails the application's start with the
   * builder's message rather than the container's.
   */
  HeraldEndpoints(PushHub hub, HeraldProperties properties) {
    this.hub = hub;
    this.base = basePath(properties.getPath());
    this.servlet = HubSettingsFromProperties.servlet(properties, hub);
    this.webSocketOptions =
        properties.getWebsocket().isEnabled()
            ? HubSettingsFromProperties.webSocketOptions(properties)
            : null;
  }

  /** The path the endpoints are under, checked: starts with {@code /}, no trailing one. */
  static String basePath(String path) {
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
    servlet.register(context, base + "/*");
    if (webSocketOptions != null) {
      // Tomcat sets up its WebSocket container after Spring Boot's initializers have run.
      webSocket = PushWebSocket.registerDeferred(context, hub, base + "/ws", webSocketOptions);
    }
  }

  /** The path the endpoints are under, such as {@code /push}. */
  String base() {
    return base;
  }

  /** WebSockets open now on the endpoint this registered; 0 before it has or without one. */
  int openSockets() {
    PushWebSocket registered = webSocket;
    return registered == null ? 0 : registered.openSockets();
  }
}
