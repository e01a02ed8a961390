package dev.herald.push.websocket;

import dev.herald.push.Client;
import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import dev.herald.push.spi.AccessDecision;
import dev.herald.push.spi.TransportContext;
import dev.herald.push.spi.WireFormat;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket handshake of one registered endpoint: checks the request, the {@code Origin} and
 * the client's credentials with full access to the HTTP request, refuses with a status before
 * anything is upgraded, and otherwise hands the request to the container's {@link
 * ServerContainer#upgradeHttpToWebSocket}. Thread-safe; runs on container request threads.
 *
 * <p>The checks cannot live in a {@code ServerEndpointConfig.Configurator}: its {@code checkOrigin}
 * sees the {@code Origin} but not the {@code Host} it must be compared with, and {@code
 * modifyHandshake} runs too late to refuse with a status.
 */
final class HandshakeServlet extends HttpServlet {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeServlet.class);

  private final PushWebSocket endpoint;

  /**
   * The container's WebSocket support: given at registration, or looked up in {@link #init()} for
   * an endpoint registered before the container set it up. The container calls {@code init()}
   * before any request, so every request thread sees it set.
   */
  private ServerContainer container;

  /** {@code container} may be null: {@link #init()} then looks it up. */
  HandshakeServlet(PushWebSocket endpoint, ServerContainer container) {
    this.endpoint = endpoint;
    this.container = container;
  }

  @Override
  public void init() throws ServletException {
    if (container == null) {
      Object attribute = getServletContext().getAttribute(ServerContainer.class.getName());
      if (!(attribute instanceof ServerContainer found)) {
        throw new UnavailableException(PushWebSocket.missingContainer());
      }
      container = found;
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    // Jetty blocks for good if asked to upgrade a request it then declines, so anything that is
    // not a well-formed upgrade is answered here.
    boolean http2 = "CONNECT".equals(request.getMethod()) && isHttp2(request);
    if (!http2 && !isHttp1Upgrade(request)) {
      response.setHeader("Upgrade", "websocket");
      response.setHeader("Connection", "Upgrade");
      refuse(response, 426, "bad_request", "this endpoint only speaks WebSocket");
      return;
    }
    if (!"13".equals(request.getHeader("Sec-WebSocket-Version"))) {
      response.setHeader("Sec-WebSocket-Version", "13");
      refuse(response, 426, "bad_request", "only WebSocket version 13 is supported");
      return;
    }
    if (!http2 && isBlank(request.getHeader("Sec-WebSocket-Key"))) {
      refuse(response, 400, "bad_request", "the Sec-WebSocket-Key header is missing");
      return;
    }
    HandshakeRequest view;
    try {
      view = new HandshakeRequest(request);
    } catch (PushException malformedQuery) {
      refuse(response, 400, malformedQuery.code().wireName(), malformedQuery.getMessage());
      return;
    }
    TransportContext transport = endpoint.transport();
    if (transport.isClosed() || transport.isDraining()) {
      // Come back later, through the load balancer, most likely to another node.
      response.setHeader("Retry-After", String.valueOf(transport.retryAfter().toSeconds()));
      refuse(
          response,
          503,
          "unavailable",
          transport.isClosed() ? "the server is shutting down" : "the server is draining");
      return;
    }
    AccessDecision access = endpoint.access().decide(view);
    if (!access.isAllowed()) {
      if (access.refusal() == ErrorCode.UNAUTHORIZED) {
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      }
      refuse(response, access.httpStatus(), access.refusal().wireName(), access.message());
      return;
    }
    Client client = access.client();
    try {
      transport.admit(client, WireFormat.WEBSOCKET, null);
    } catch (PushException e) {
      // The node or the client's address is at a connection limit: refused before the upgrade.
      e.retryAfter()
          .ifPresent(
              retry -> {
                response.setHeader(
                    "Retry-After", String.valueOf(Math.max(1, (retry.toMillis() + 999) / 1000)));
              });
      refuse(response, e.code().httpStatus(), e.code().wireName(), e.getMessage());
      return;
    }
    ServerEndpointConfig config =
        ServerEndpointConfig.Builder.create(PushEndpoint.class, endpoint.path())
            .configurator(new EndpointFactory(endpoint, client))
            .build();
    try {
      container.upgradeHttpToWebSocket(request, response, config, Map.of());
    } catch (DeploymentException | RuntimeException e) {
      LOG.warn("WebSocket upgrade failed for {}", request.getRemoteAddr(), e);
      if (!response.isCommitted()) {
        refuse(response, 500, "internal", "the upgrade failed");
      }
    }
  }

  /** The webapp is stopping: the endpoint's timer threads end with it. */
  @Override
  public void destroy() {
    endpoint.keepAlive().shutdown();
  }

  private static boolean isHttp1Upgrade(HttpServletRequest request) {
    return "GET".equals(request.getMethod())
        && hasToken(request, "Upgrade", "websocket")
        && hasToken(request, "Connection", "upgrade");
  }

  private static boolean isHttp2(HttpServletRequest request) {
    String protocol = request.getProtocol();
    return protocol != null && protocol.startsWith("HTTP/2");
  }

  private static boolean hasToken(HttpServletRequest request, String header, String token) {
    Enumeration<String> values = request.getHeaders(header);
    while (values != null && values.hasMoreElements()) {
      for (String part : values.nextElement().split(",")) {
        if (part.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  private void refuse(HttpServletResponse response, int status, String code, String message)
      throws IOException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("type", "error");
    body.put("code", code);
    body.put("message", message);
    byte[] json = endpoint.transport().codec().toJson(body).getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(json.length);
    response.getOutputStream().write(json);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /** Hands the container the endpoint made for this one handshake's client. */
  private static final class EndpointFactory extends ServerEndpointConfig.Configurator {
    /** Delegates to the container's default configurator, which it looks up once. */
    private static final ServerEndpointConfig.Configurator CONTAINER_DEFAULT =
        new ServerEndpointConfig.Configurator();

    private final PushWebSocket endpoint;
    private final Client client;

    EndpointFactory(PushWebSocket endpoint, Client client) {
      this.endpoint = endpoint;
      this.client = client;
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
      // Already checked against the Host header by the servlet.
      return true;
    }

    /*
     * The negotiation is the container's default, through one shared configurator: a configurator's
     * default methods look the container's default up (a ServiceLoader scan) once per instance, and
     * there is an instance per handshake. That lookup was a fifth of the server's time in a
     * reconnect storm.
     */
    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
      return CONTAINER_DEFAULT.getNegotiatedSubprotocol(supported, requested);
    }

    @Override
    public List<Extension> getNegotiatedExtensions(
        List<Extension> installed, List<Extension> requested) {
      return CONTAINER_DEFAULT.getNegotiatedExtensions(installed, requested);
    }

    @Override
    public void modifyHandshake(
        ServerEndpointConfig sec,
        jakarta.websocket.server.HandshakeRequest request,
        HandshakeResponse response) {
      CONTAINER_DEFAULT.modifyHandshake(sec, request, response);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
      if (endpointClass != PushEndpoint.class) {
        throw new InstantiationException("unexpected endpoint class " + endpointClass.getName());
      }
      return endpointClass.cast(new PushEndpoint(endpoint, client));
    }
  }
}
