package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Authenticator;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.PushHub;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * herald.js in headless Chromium against an application deployed under the context path {@code
 * /shop}, as a WAR would be: pages load {@code push/herald.js} and connect to {@code 'push'}, both
 * relative, and the bearer token comes from a function that fetches a fresh one from the
 * application. The authenticator revokes every token when the test says so, so a client that did
 * not ask its function again on reconnect would never get back in.
 */
class BrowserTokenAndBaseTest {
  private static final String CONTEXT = "/shop";

  private static Browser browser;
  private static Server server;
  private static PushHub hub;
  private static final TokenDesk desk = new TokenDesk();

  /** Each request to the push endpoints: its path and where it carried a token. */
  private static final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    hub =
        PushHub.builder()
            .authenticator(desk)
            .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
            .build();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(CONTEXT);
    context.addServlet(new ServletHolder(new Pages()), "*.html");
    context.addServlet(new ServletHolder(new TokenServlet()), "/token");
    context.addFilter(new FilterHolder(recorder()), "/push/*", EnumSet.of(DispatcherType.REQUEST));
    Transports.mount(context, hub);
    server.setHandler(context);
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.stop();
    }
    if (hub != null) {
      hub.close();
    }
  }

  @BeforeEach
  void reset() {
    desk.reset();
    requests.clear();
  }

  @AfterEach
  void closeClient() {
    browser.js("if (window.h) { window.h.close(); window.h = null; }");
  }

  private static String origin() {
    return "http://localhost:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Records which push requests carried a token in the header and which in the query. */
  private static Filter recorder() {
    return (request, response, chain) -> {
      HttpServletRequest http = (HttpServletRequest) request;
      String path = http.getRequestURI().substring((CONTEXT + "/push/").length());
      if (!path.equals("herald.js") && !path.equals("herald.mjs")) {
        String where =
            (http.getHeader("Authorization") != null ? " header" : "")
                + (http.getParameter("access_token") != null ? " query" : "");
        requests.add(path + where);
      }
      chain.doFilter(request, response);
    };
  }

  /**
   * Opens a page below the context's root whose {@code <base href="../">} makes the context root
   * its base: resolving against the page's own address instead of {@code document.baseURI} would
   * look for the push endpoints at {@code /shop/orders/push}, where nothing answers.
   */
  private static void openOrdersPage() {
    browser.driver().get(origin() + CONTEXT + "/orders/view.html");
    assertThat(browser.js("return typeof Herald;")).isEqualTo("object");
  }

  /** Connects with the given options plus a token function that fetches a fresh token. */
  private static String connectWithTokenFunction(String channel, String options) {
    return (String)
        browser.jsAsync(
            "const [channel, options, done] = arguments;"
                + "window.got = []; window.events = []; window.tokenCalls = 0;"
                + "const o = JSON.parse(options);"
                + "o.token = () => { tokenCalls++;"
                + "  return fetch('token', {method: 'POST'}).then(r => r.text()); };"
                + "window.h = Herald.connect('push', o);"
                + "['open','close','error','transport'].forEach(e =>"
                + "  h.on(e, d => events.push(e + ':' + (d.transport || d.code || d.reason))));"
                + "h.subscribe(channel, m => got.push(m.offset));"
                + "const off = h.on('open', () => { off(); done(h.base.href); });",
            channel,
            options);
  }

  private static String options(String transport) {
    return "{\"transports\":[\""
        + transport
        + "\"],\"remember\":false,\"minBackoff\":50,\"maxBackoff\":300,\"pollTimeout\":2}";
  }

  @SuppressWarnings("unchecked")
  private static List<Long> got() {
    return ((List<Object>) browser.js("return window.got;"))
        .stream().map(o -> ((Number) o).longValue()).collect(Collectors.toList());
  }

  private static void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("tick", Map.of("i", i)).toCompletableFuture().join();
    }
  }

  private static int tokenCalls() {
    return ((Number) browser.js("return window.tokenCalls;")).intValue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse", "stream", "poll"})
  void tokenFunction_isAskedAgainOnReconnect_andTheFreshTokenGetsBackIn(String transport) {
    String channel = "orders/" + transport;
    openOrdersPage();

    String base = connectWithTokenFunction(channel, options(transport));

    assertThat(base).isEqualTo(origin() + CONTEXT + "/push");
    assertThat(browser.js("return h.transport;")).isEqualTo(transport);
    assertThat(desk.accepted()).startsWith("g1-t1");
    publish(channel, 2);
    await().atMost(Duration.ofSeconds(15)).until(() -> got().size() == 2);

    // Every token handed out so far stops working, and every connection is dropped: the client
    // gets back in only with a token its function fetches after this point.
    int callsBefore = tokenCalls();
    desk.revokeAll();
    hub.disconnectAll();
    publish(channel, 3);

    await().atMost(Duration.ofSeconds(20)).until(() -> got().size() >= 5);
    assertThat(got()).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(tokenCalls()).isGreaterThan(callsBefore);
    assertThat(desk.accepted()).anyMatch(t -> t.startsWith("g2-"));
    assertThat(desk.refused()).allMatch(t -> t.startsWith("g1-"));

    // A publish carries a token from the function too: over HTTP it is a request of its own.
    Object offset =
        browser.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "h.publish(arguments[0], 'note', {text: 'from the page'})"
                + " .then(a => done(a.offset), e => done(e.code + ': ' + e.message));",
            "chat/" + transport);
    assertThat(offset).isEqualTo(1L);

    // The token travels in the Authorization header wherever the browser API can set one.
    String endpoint = transport.equals("websocket") ? "ws" : transport;
    String expected = transport.equals("websocket") || transport.equals("sse") ? "query" : "header";
    assertThat(requests).filteredOn(r -> r.startsWith(endpoint)).isNotEmpty();
    assertThat(requests)
        .filteredOn(r -> r.startsWith(endpoint) || r.startsWith("publish"))
        .allMatch(r -> r.endsWith(" " + (r.startsWith("publish") ? "header" : expected)), expected);
  }

  @Test
  void syncTokenFunction_servesTheTokenItReturnsAtEachReconnect() {
    openOrdersPage();
    browser.js("window.tokenNow = arguments[0];", desk.issue());
    Object opened =
        browser.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "window.got = []; window.closes = 0;"
                + "window.h = Herald.connect('push', {transports: ['stream'], remember: false,"
                + "  minBackoff: 50, maxBackoff: 200, token: () => window.tokenNow});"
                + "h.subscribe('orders/sync', m => got.push(m.offset));"
                + "h.on('close', () => closes++);"
                + "const off = h.on('open', () => { off(); done('open'); });");
    assertThat(opened).isEqualTo("open");

    desk.revokeAll();
    hub.disconnectAll();
    // Refused with the old token: the client keeps trying, with backoff.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ((Number) browser.js("return window.closes;")).intValue() >= 3);
    assertThat(browser.js("return h.state;")).isEqualTo("connecting");

    browser.js("window.tokenNow = arguments[0];", desk.issue());
    publish("orders/sync", 1);
    await().atMost(Duration.ofSeconds(15)).until(() -> got().equals(List.of(1L)));
    assertThat(browser.js("return h.state;")).isEqualTo("open");
  }

  @Test
  void failingTokenFunction_isAnErrorEventAndARetry_notAReasonToLeaveTheTransport() {
    openOrdersPage();
    Object opened =
        browser.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "window.events = []; let calls = 0;"
                + "window.h = Herald.connect('push', {transports: ['websocket', 'sse'],"
                + "  remember: false, minBackoff: 50, maxBackoff: 200, maxFailuresPerTransport: 1,"
                + "  token: () => ++calls < 3 ? Promise.reject(new Error('login server down'))"
                + "    : fetch('token', {method: 'POST'}).then(r => r.text())});"
                + "h.on('error', e => events.push(e.code + ': ' + e.message));"
                + "h.subscribe('orders/failing', () => {});"
                + "const off = h.on('open', () => { off(); done(h.transport); });");

    assertThat(opened).isEqualTo("websocket");
    @SuppressWarnings("unchecked")
    List<String> events = (List<String>) browser.js("return window.events;");
    assertThat(events)
        .containsExactly("token_failed: login server down", "token_failed: login server down");
  }

  @Test
  void moduleEntry_importsTheScriptAndExportsItsApi() {
    browser.driver().get(origin() + CONTEXT + "/orders/module.html");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.js("return window.imported || null;") != null);
    assertThat(browser.js("return window.imported;")).isEqualTo("function:function:0.1.0:true");

    Object base =
        browser.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "window.got = [];"
                + "window.h = window.moduleConnect('push', {transports: ['sse'], remember: false,"
                + "  token: () => fetch('token', {method: 'POST'}).then(r => r.text())});"
                + "h.subscribe('orders/module', m => got.push(m.offset));"
                + "const off = h.on('open', () => { off(); done(h.base.href); });");
    assertThat(base).isEqualTo(origin() + CONTEXT + "/push");
    publish("orders/module", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> got().equals(List.of(1L)));
  }

  /**
   * Hands out tokens and accepts only those of the current generation; {@link #revokeAll} starts a
   * new one. Thread-safe.
   */
  static final class TokenDesk implements Authenticator {
    private final AtomicInteger generation = new AtomicInteger(1);
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final List<String> accepted = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();

    String issue() {
      String token = "g" + generation.get() + "-t" + issued.incrementAndGet();
      valid.add(token);
      return token;
    }

    void revokeAll() {
      generation.incrementAndGet();
      valid.clear();
    }

    void reset() {
      generation.set(1);
      issued.set(0);
      valid.clear();
      accepted.clear();
      refused.clear();
    }

    /** Distinct tokens accepted, in order. */
    List<String> accepted() {
      return accepted.stream().distinct().collect(Collectors.toList());
    }

    List<String> refused() {
      return List.copyOf(refused);
    }

    @Override
    public String authenticate(String token) {
      if (valid.contains(token)) {
        accepted.add(token);
        return "buyer";
      }
      refused.add(token);
      return null;
    }
  }

  /** {@code POST /shop/token}: a fresh token as plain text. */
  static final class TokenServlet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("text/plain;charset=utf-8");
      response.setHeader("Cache-Control", "no-store");
      response.getWriter().write(desk.issue());
    }
  }

  /**
   * The application's pages, all below {@code /shop/orders/} with {@code <base href="../">}: one
   * loads herald.js as a classic script, the other imports herald.mjs in a module script.
   */
  static final class Pages extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String script =
          switch (request.getServletPath()) {
            case "/orders/view.html" -> "<script src=\"push/herald.js\"></script>";
            case "/orders/module.html" ->
                "<script type=\"module\">\n"
                    + "import Herald, { connect, version } from './push/herald.mjs';\n"
                    + "window.moduleConnect = connect;\n"
                    + "window.imported = [typeof Herald.connect, typeof connect, version,"
                    + " Herald === globalThis.Herald].join(':');\n"
                    + "</script>";
            default -> null;
          };
      if (script == null) {
        response.sendError(404);
        return;
      }
      response.setContentType("text/html;charset=utf-8");
      response
          .getWriter()
          .write(
              "<!doctype html><html><head><meta charset=\"utf-8\"><base href=\"../\">"
                  + script
                  + "</head><body><h1>Orders</h1></body></html>");
    }
  }
}
