package dev.herald.push.servlet;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import dev.herald.push.PushHub;
import dev.herald.push.spi.AccessPolicy;
import dev.herald.push.spi.AccessPolicy.OriginVerdict;
import dev.herald.push.spi.WireFormat;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's HTTP transports in one servlet, mapped at a base path such as {@code /push/*}: {@code
 * GET …/sse} (Server-Sent Events), {@code GET …/stream} (NDJSON), {@code GET …/poll} (long polling)
 * and {@code POST …/publish}, as docs/protocol.md describes. It runs on Servlet 6.0 async and
 * non-blocking I/O only, so no container thread waits on an idle or slow client. Thread-safe.
 *
 * <p>Register it programmatically, from a {@code ServletContainerInitializer} or a {@code
 * ServletContextListener}:
 *
 * <pre>{@code
 * PushServlet.builder(hub)
 *     .build()
 *     .register(servletContext, "/push/*");        // async supported
 * }</pre>
 *
 * <p>Which origins may call and who the caller is are the hub's {@link
 * dev.herald.push.spi.AccessPolicy}, shared with the WebSocket endpoint: see {@link
 * PushHub.Builder#allowedOrigins} and {@link PushHub.Builder#trustedProxies}.
 *
 * <p>or in {@code web.xml}, with the hub put in the servlet context attribute {@value
 * #HUB_ATTRIBUTE} by the application's own {@code ServletContextListener} before the servlet
 * starts:
 *
 * <pre>{@code
 * <servlet>
 *   <servlet-name>herald</servlet-name>
 *   <servlet-class>dev.herald.push.servlet.PushServlet</servlet-class>
 *   <init-param><!-- optional; these are the defaults -->
 *     <param-name>herald.allowedOrigins</param-name><param-value></param-value>
 *   </init-param>
 *   <init-param>
 *     <param-name>herald.pollTimeoutSeconds</param-name><param-value>25</param-value>
 *   </init-param>
 *   <init-param>
 *     <param-name>herald.sseRetryMillis</param-name><param-value>3000</param-value>
 *   </init-param>
 *   <init-param><!-- where the hub is found -->
 *     <param-name>herald.hubAttribute</param-name><param-value>dev.herald.push.PushHub</param-value>
 *   </init-param>
 *   <load-on-startup>1</load-on-startup>
 *   <async-supported>true</async-supported>
 * </servlet>
 * <servlet-mapping>
 *   <servlet-name>herald</servlet-name>
 *   <url-pattern>/push/*</url-pattern>
 * </servlet-mapping>
 * }</pre>
 *
 * <p>Heartbeats, size and nesting limits, channels per connection and who may publish where are the
 * hub's settings ({@link PushHub.Builder}); the request body limit of {@code publish} is the hub's
 * {@code maxMessageBytes}. The servlet never closes the hub; on {@link #destroy()} it closes the
 * connections it serves.
 */
public final class PushServlet extends HttpServlet {
  /** The servlet context attribute where a servlet made by {@code web.xml} finds its hub. */
  public static final String HUB_ATTRIBUTE = "dev.herald.push.PushHub";

  private static final Logger LOG = LoggerFactory.getLogger(PushServlet.class);

  private enum Route {
    SSE("/sse", "GET"),
    STREAM("/stream", "GET"),
    POLL("/poll", "GET"),
    PUBLISH("/publish", "POST"),
    HEALTH("/health", "GET"),
    SCRIPT("/herald.js", "GET"),
    MODULE("/herald.mjs", "GET");

    final String path;
    final String method;

    Route(String path, String method) {
      this.path = path;
      this.method = method;
    }

    static Route of(String path) {
      for (Route r : values()) {
        if (r.path.equals(path)) {
          return r;
        }
      }
      return null;
    }
  }

  private transient PushHub hub;
  private transient AccessPolicy access;
  private transient Duration pollTimeout;
  private transient Duration sseRetry;
  private transient HttpTransports transports;
  private transient boolean healthEndpoint;
  private final transient ClientScript script = ClientScript.classic();
  private final transient ClientScript module = ClientScript.module();

  /**
   * For {@code web.xml}: the servlet takes its hub from the servlet context attribute {@value
   * #HUB_ATTRIBUTE} (or the one its {@code herald.hubAttribute} init parameter names) and its
   * settings from init parameters. Code should use {@link #builder(PushHub)} instead.
   */
  public PushServlet() {}

  private PushServlet(Builder b) {
    this.hub = b.hub;
    this.access = b.access();
    this.pollTimeout = b.pollTimeout;
    this.sseRetry = b.sseRetry;
    this.healthEndpoint = b.healthEndpoint;
  }

  /** Starts configuring a servlet that serves {@code hub}. */
  public static Builder builder(PushHub hub) {
    return new Builder(hub);
  }

  /**
   * Registers this servlet in {@code context} at {@code urlPattern} with async support, as a {@code
   * ServletContainerInitializer} or a declared {@code ServletContextListener} may. Two servlets
   * (say, for two hubs) can be registered at two patterns.
   *
   * @param urlPattern a path mapping ending in {@code /*}, such as {@code /push/*}
   * @return the registration, for further settings
   * @throws IllegalArgumentException if the pattern does not end in {@code /*}
   * @throws IllegalStateException if the pattern or the servlet's name is taken already
   */
  public ServletRegistration.Dynamic register(ServletContext context, String urlPattern) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(urlPattern, "urlPattern");
    if (!urlPattern.startsWith("/") || !urlPattern.endsWith("/*")) {
      throw new IllegalArgumentException(
          "urlPattern must be a path mapping such as /push/*, was \"" + urlPattern + "\"");
    }
    String name = "herald-push " + urlPattern;
    ServletRegistration.Dynamic registration = context.addServlet(name, this);
    if (registration == null) {
      throw new IllegalStateException("a servlet named \"" + name + "\" is registered already");
    }
    registration.setAsyncSupported(true);
    registration.setLoadOnStartup(1);
    Set<String> conflicts = registration.addMapping(urlPattern);
    if (!conflicts.isEmpty()) {
      throw new IllegalStateException(
          "urlPattern " + urlPattern + " is mapped to another servlet already");
    }
    return registration;
  }

  /**
   * Reads the hub and settings if {@code web.xml} made this servlet, and starts the transports (and
   * their poll timer). Called by the container.
   */
  @Override
  public void init() throws ServletException {
    if (hub == null) {
      configureFromInitParameters();
    }
    transports = new HttpTransports(hub, pollTimeout, sseRetry);
    LOG.info(
        "Herald HTTP transports at {}{} (sse, stream, poll, publish{}), long polls up to {} s,"
            + " {}",
        getServletContext().getContextPath(),
        mappings(),
        healthEndpoint ? ", health" : "",
        pollTimeout.toSeconds(),
        access);
  }

  private String mappings() {
    ServletRegistration registration = getServletContext().getServletRegistration(getServletName());
    return registration == null ? "" : String.join(" ", registration.getMappings());
  }

  private void configureFromInitParameters() throws ServletException {
    String attribute = initParameter("herald.hubAttribute", HUB_ATTRIBUTE);
    Object found = getServletContext().getAttribute(attribute);
    if (!(found instanceof PushHub pushHub)) {
      throw new ServletException(
          "PushServlet needs a PushHub in the servlet context attribute \""
              + attribute
              + "\", set by a ServletContextListener before the servlet starts; found "
              + (found == null ? "nothing" : found.getClass().getName()));
    }
    try {
      Builder b = builder(pushHub);
      String list = initParameter("herald.allowedOrigins", "");
      b.allowedOrigins(
          Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
      b.pollTimeout(
          Duration.ofSeconds(
              longParameter("herald.pollTimeoutSeconds", b.pollTimeout.toSeconds())));
      b.sseRetry(Duration.ofMillis(longParameter("herald.sseRetryMillis", b.sseRetry.toMillis())));
      b.healthEndpoint(Boolean.parseBoolean(initParameter("herald.healthEndpoint", "false")));
      this.healthEndpoint = b.healthEndpoint;
      this.hub = b.hub;
      this.access = b.access();
      this.pollTimeout = b.pollTimeout;
      this.sseRetry = b.sseRetry;
    } catch (IllegalArgumentException e) {
      throw new ServletException("PushServlet " + getServletName() + ": " + e.getMessage(), e);
    }
  }

  private String initParameter(String name, String fallback) {
    String value = getInitParameter(name);
    return value == null ? fallback : value.trim();
  }

  private long longParameter(String name, long fallback) {
    String value = initParameter(name, null);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was \"" + value + "\"");
    }
  }

  /** Stops the poll timer and closes the connections this servlet serves. */
  @Override
  public void destroy() {
    if (transports != null) {
      transports.close();
    }
  }

  /** Routes every request; answers unknown paths 404 and wrong methods 405. */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    try {
      String path = request.getPathInfo();
      Route route = path == null ? null : Route.of(path);
      if (route == Route.HEALTH && !healthEndpoint) {
        route = null;
      }
      if (route == null) {
        throw new HttpError(
            HttpServletResponse.SC_NOT_FOUND,
            HttpError.NOT_FOUND,
            "no such endpoint; the transports are /sse, /stream, /poll and /publish, the client"
                + " /herald.js and /herald.mjs");
      }
      if (route == Route.HEALTH && healthEndpoint && request.getMethod().equals("GET")) {
        // For load balancers and orchestrators, which send no Origin: no origin check.
        HealthEndpoint.serve(hub.health(), response);
        return;
      }
      if ((route == Route.SCRIPT || route == Route.MODULE) && request.getMethod().equals("GET")) {
        // The client script is public, like any static file: no origin check.
        (route == Route.SCRIPT ? script : module).serve(request, response);
        return;
      }
      OriginVerdict verdict = access.checkOrigin(ServletAccess.view(request));
      if (verdict == OriginVerdict.REFUSED) {
        throw HttpError.of(ErrorCode.FORBIDDEN, "origin not allowed");
      }
      if (verdict == OriginVerdict.ALLOWED) {
        ServletAccess.addCorsHeaders(access, request, response);
      }
      String method = request.getMethod();
      if (method.equals("OPTIONS")) {
        options(request, response, route, verdict);
        return;
      }
      if (!method.equals(route.method)) {
        throw new HttpError(
                HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                HttpError.METHOD_NOT_ALLOWED,
                route.path + " takes " + route.method + ", not " + RequestParams.printable(method))
            .header("Allow", route.method + ", OPTIONS");
      }
      if (!request.isAsyncSupported()) {
        LOG.error("PushServlet is registered without async support; register it with register()");
        throw HttpError.of(ErrorCode.INTERNAL, "the push servlet is misconfigured");
      }
      switch (route) {
        case SSE -> transports.stream(request, response, WireFormat.SSE);
        case STREAM -> transports.stream(request, response, WireFormat.NDJSON);
        case POLL -> transports.poll(request, response);
        case PUBLISH -> transports.publish(request, response);
        case HEALTH -> HealthEndpoint.serve(hub.health(), response);
        case SCRIPT -> script.serve(request, response);
        case MODULE -> module.serve(request, response);
        default -> throw new IllegalStateException(route.name());
      }
    } catch (HttpError e) {
      refuse(request, response, e);
    } catch (PushException e) {
      refuse(request, response, HttpError.of(e));
    } catch (RuntimeException e) {
      LOG.warn("Unexpected failure serving {} {}", request.getMethod(), request.getPathInfo(), e);
      refuse(request, response, HttpError.of(ErrorCode.INTERNAL, "an unexpected error occurred"));
    }
  }

  /**
   * Sends an error answer, closing the connection when the request's body is still on its way. The
   * container could keep the connection for another request only by reading that body first; Jetty
   * instead closes it after the answer, which it has already sent whole without saying so, and a
   * client that kept the connection would find its next request failing.
   */
  private static void refuse(
      HttpServletRequest request, HttpServletResponse response, HttpError error)
      throws IOException {
    if (bodyStillComing(request)) {
      // On the response, not the error: an HttpError is immutable once thrown.
      response.setHeader("Connection", "close");
    }
    error.send(response);
  }

  /**
   * Whether the request has a body that has not all arrived. Only for a request whose body was not
   * read: a publish whose body was read answers its refusal itself ({@link
   * HttpTransports#publish}).
   */
  private static boolean bodyStillComing(HttpServletRequest request) {
    long length = request.getContentLengthLong();
    if (length == 0 || (length < 0 && request.getHeader("Transfer-Encoding") == null)) {
      return false;
    }
    try {
      return length < 0 || request.getInputStream().available() < length;
    } catch (IOException | IllegalStateException e) {
      return true;
    }
  }

  private void options(
      HttpServletRequest request,
      HttpServletResponse response,
      Route route,
      OriginVerdict verdict) {
    String asked = request.getHeader("Access-Control-Request-Method");
    if (asked != null && !asked.equals(route.method)) {
      throw new HttpError(
              HttpServletResponse.SC_METHOD_NOT_ALLOWED,
              HttpError.METHOD_NOT_ALLOWED,
              route.path + " takes " + route.method + ", not " + RequestParams.printable(asked))
          .header("Allow", route.method + ", OPTIONS");
    }
    if (verdict == OriginVerdict.ALLOWED && asked != null) {
      ServletAccess.addPreflightHeaders(access, request, response, route.method);
    }
    response.setHeader("Allow", route.method + ", OPTIONS");
    response.setStatus(HttpServletResponse.SC_NO_CONTENT);
  }

  /** Configures a {@link PushServlet}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final PushHub hub;
    private List<String> allowedOrigins = List.of();
    private Duration pollTimeout = Duration.ofSeconds(25);
    private Duration sseRetry = Duration.ofSeconds(3);
    private boolean healthEndpoint;

    private Builder(PushHub hub) {
      this.hub = Objects.requireNonNull(hub, "hub");
    }

    /**
     * Other origins whose pages may use this servlet's endpoints, in addition to the hub's {@link
     * PushHub.Builder#allowedOrigins}; {@code "*"} allows every origin, without credentials.
     * Replaces any earlier list given here.
     *
     * @deprecated list origins once, on the hub, so that every transport allows the same ones
     * @throws IllegalArgumentException naming the first entry that is not an origin
     */
    @Deprecated
    public Builder allowedOrigins(String... origins) {
      return allowedOrigins(Arrays.asList(Objects.requireNonNull(origins, "origins")));
    }

    /**
     * As {@link #allowedOrigins(String...)}.
     *
     * @deprecated list origins once, on the hub, so that every transport allows the same ones
     */
    @Deprecated
    public Builder allowedOrigins(List<String> origins) {
      Objects.requireNonNull(origins, "origins");
      hub.transportContext().accessPolicy().withAllowedOrigins(origins);
      this.allowedOrigins = List.copyOf(origins);
      return this;
    }

    /** The hub's policy with this servlet's own additions. */
    private AccessPolicy access() {
      return hub.transportContext().accessPolicy().withAllowedOrigins(allowedOrigins);
    }

    /**
     * How long a long poll waits for a message before it answers with an empty list, and the most a
     * client's {@code timeout} parameter may ask for; whole seconds from 1 to 3,600. Default 25
     * seconds, below the usual 30-second proxy timeouts.
     */
    public Builder pollTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "pollTimeout");
      if (timeout.toMillis() < 1000
          || timeout.toSeconds() > RequestParams.MAX_TIMEOUT_SECONDS
          || timeout.toMillis() % 1000 != 0) {
        throw new IllegalArgumentException(
            "pollTimeout must be whole seconds from 1 to "
                + RequestParams.MAX_TIMEOUT_SECONDS
                + ", was "
                + timeout);
      }
      this.pollTimeout = timeout;
      return this;
    }

    /**
     * The reconnection delay SSE clients are told in the {@code retry:} field, from 1 ms to one
     * hour; default 3 seconds.
     */
    public Builder sseRetry(Duration retry) {
      Objects.requireNonNull(retry, "sseRetry");
      if (retry.toMillis() < 1 || retry.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("sseRetry must be from 1 ms to 1 hour, was " + retry);
      }
      this.sseRetry = retry;
      return this;
    }

    /**
     * Whether to serve {@code GET …/health}: the hub's {@link PushHub#health()} as JSON, {@code
     * 200} while the hub takes new clients and {@code 503} when it is closed, draining or its
     * broker is down, for load balancers' readiness checks. It answers any caller, without an
     * origin check, and tells only the hub's status, the broker's and the number of connections;
     * off by default.
     */
    public Builder healthEndpoint(boolean serve) {
      this.healthEndpoint = serve;
      return this;
    }

    /** Builds the servlet; register it with {@link PushServlet#register}. */
    public PushServlet build() {
      return new PushServlet(this);
    }
  }
}
