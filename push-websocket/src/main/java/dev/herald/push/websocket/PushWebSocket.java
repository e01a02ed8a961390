package dev.herald.push.websocket;

import dev.herald.push.PushHub;
import dev.herald.push.spi.AccessPolicy;
import dev.herald.push.spi.TransportContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.server.ServerContainer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's WebSocket endpoint on a webapp's Jakarta WebSocket container: one call registers it at a
 * path, with the origin check and client authentication done before the upgrade. Thread-safe.
 *
 * <p>Register it while the webapp starts, from a {@code ServletContainerInitializer} or a declared
 * {@code ServletContextListener}:
 *
 * <pre>{@code
 * @WebListener
 * public class PushSetup implements ServletContextListener {
 *   public void contextInitialized(ServletContextEvent e) {
 *     PushHub hub = ...;                       // the application's hub
 *     PushWebSocket.register(e.getServletContext(), hub, "/push/ws", PushWebSocketOptions.defaults());
 *   }
 * }
 * }</pre>
 *
 * <p>The handshake is a servlet at {@code path} that checks the request and then hands it to {@link
 * ServerContainer#upgradeHttpToWebSocket} (Jakarta WebSocket 2.1), so it runs on every container
 * that implements that API, and can answer with real HTTP statuses: 426 for a request that is not a
 * WebSocket upgrade, 503 once the hub is closed, and whatever the hub's {@link AccessPolicy} (the
 * same for every transport) says of the {@code Origin} and the client's credentials: 403 for an
 * origin that is neither the server's own nor allowed, 401 for a bearer token that is not accepted,
 * 500 if the {@code Authenticator} fails. The bearer token comes from the {@code Authorization}
 * header or the {@code access_token} query parameter, since browsers cannot set headers on a
 * WebSocket.
 */
public final class PushWebSocket {
  private static final Logger LOG = LoggerFactory.getLogger(PushWebSocket.class);

  private final TransportContext transport;
  private final AccessPolicy access;
  private final String path;
  private final PushWebSocketOptions options;
  private final KeepAlive keepAlive;
  private final AtomicInteger openSockets = new AtomicInteger();

  private PushWebSocket(PushHub hub, String path, PushWebSocketOptions options) {
    this.transport = hub.transportContext();
    this.access = transport.accessPolicy().withAllowedOrigins(options.extraOrigins());
    this.path = path;
    this.options = options;
    this.keepAlive = new KeepAlive(options.pingInterval().toMillis());
  }

  /** Registers the endpoint at {@code path} with {@link PushWebSocketOptions#defaults()}. */
  public static PushWebSocket register(ServletContext context, PushHub hub, String path) {
    return register(context, hub, path, PushWebSocketOptions.defaults());
  }

  /**
   * Registers the endpoint at {@code path}, such as {@code /push/ws}, in the webapp being started.
   * Call it once per path while the webapp initialises; the hub's lifecycle stays the
   * application's.
   *
   * @param path an exact path inside the webapp, starting with {@code /}, without wildcards
   * @return the registered endpoint, for its statistics
   * @throws IllegalArgumentException for a bad path
   * @throws IllegalStateException if the webapp has no WebSocket container, the path is already
   *     mapped, or the webapp is already started
   */
  public static PushWebSocket register(
      ServletContext context, PushHub hub, String path, PushWebSocketOptions options) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(options, "options");
    checkPath(path);
    ServerContainer container = serverContainer(context);
    if (container == null) {
      throw new IllegalStateException(missingContainer());
    }
    return register(context, hub, path, options, container);
  }

  /**
   * Registers the endpoint from code that runs before the container has set up its WebSocket
   * support, such as a Spring Boot {@code ServletContextInitializer} on Tomcat (Tomcat's WebSocket
   * initializer runs after Spring Boot's). The endpoint's servlet is registered now, to be loaded
   * at start-up, and looks the WebSocket container up then; in a webapp without WebSocket support
   * that servlet's start fails with the message {@link #register} would throw. Where the container
   * is already there, this is {@link #register}.
   *
   * @throws IllegalArgumentException for a bad path
   * @throws IllegalStateException if the path is already mapped or the webapp is already started
   */
  public static PushWebSocket registerDeferred(
      ServletContext context, PushHub hub, String path, PushWebSocketOptions options) {
    Objects.requireNonNull(context, "context");
    return register(context, hub, path, options, serverContainer(context));
  }

  private static ServerContainer serverContainer(ServletContext context) {
    return context.getAttribute(ServerContainer.class.getName()) instanceof ServerContainer c
        ? c
        : null;
  }

  static String missingContainer() {
    return "the webapp has no "
        + ServerContainer.class.getName()
        + " attribute: enable the container's Jakarta WebSocket support (Tomcat: the"
        + " tomcat-embed-websocket jar; Jetty: JakartaWebSocketServletContainerInitializer)"
        + " and register from a ServletContainerInitializer or a declared"
        + " ServletContextListener";
  }

  /** Registers with {@code container}, or with the one the servlet finds at start-up if null. */
  private static PushWebSocket register(
      ServletContext context,
      PushHub hub,
      String path,
      PushWebSocketOptions options,
      ServerContainer container) {
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(options, "options");
    checkPath(path);
    PushWebSocket endpoint = new PushWebSocket(hub, path, options);
    String name = "herald-websocket:" + path;
    ServletRegistration.Dynamic registration =
        context.addServlet(name, new HandshakeServlet(endpoint, container));
    if (registration == null) {
      throw new IllegalStateException("a servlet named " + name + " is already registered");
    }
    Set<String> conflicts = registration.addMapping(path);
    if (!conflicts.isEmpty()) {
      throw new IllegalStateException("path " + path + " is already mapped to another servlet");
    }
    registration.setAsyncSupported(true);
    if (container == null) {
      registration.setLoadOnStartup(1);
    }
    LOG.info(
        "Herald WebSocket at {}{}: frames up to {} bytes, {} per second, ping every {} s, {}",
        context.getContextPath(),
        path,
        options.maxFrameBytes(),
        options.maxFrameRate(),
        options.pingInterval().toSeconds(),
        endpoint.access);
    return endpoint;
  }

  /** The path the endpoint is mapped to inside its webapp. */
  public String path() {
    return path;
  }

  /** The options it was registered with. */
  public PushWebSocketOptions options() {
    return options;
  }

  /** How many of its sockets are open now. */
  public int openSockets() {
    return openSockets.get();
  }

  @Override
  public String toString() {
    return "PushWebSocket[" + path + ", " + openSockets() + " open]";
  }

  TransportContext transport() {
    return transport;
  }

  /** The hub's origin and identity policy with this endpoint's own origins added. */
  AccessPolicy access() {
    return access;
  }

  KeepAlive keepAlive() {
    return keepAlive;
  }

  void socketOpened() {
    openSockets.incrementAndGet();
  }

  void socketClosed() {
    openSockets.decrementAndGet();
  }

  private static void checkPath(String path) {
    if (path == null
        || path.length() < 2
        || !path.startsWith("/")
        || path.contains("*")
        || path.contains("{")
        || path.contains("?")
        || path.contains("#")
        || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      throw new IllegalArgumentException(
          "path must start with /, name something, and hold no wildcards, templates, query or spaces, was "
              + (path == null ? "null" : "\"" + path + "\""));
    }
  }
}
