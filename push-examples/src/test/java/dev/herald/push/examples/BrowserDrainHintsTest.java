package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * herald.js and a draining node, played by a filter in front of the demo's endpoints: refusals with
 * 503 and {@code Retry-After} (on SSE a {@code 200} stream with an {@code unavailable} error event,
 * as EventSource gives up on any other status), refusals for the connection limits with 429 and
 * {@code Retry-After} (on SSE a {@code rate_limited} error event with {@code retry}), and a poll
 * answered with {@code server_restart}. The client's own backoff is a minute, so only the server's
 * hints can bring it back within the test's bounds, and it must not fall back to another transport.
 */
class BrowserDrainHintsTest {
  private Browser browser;
  private DemoServer demo;
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

  @BeforeEach
  void startBrowser() throws Exception {
    browser = Browser.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  private void start(Filter drain) throws Exception {
    demo =
        DemoServer.start(
            new DemoOptions(0, null, false),
            context ->
                context.addFilter(
                    new FilterHolder(drain), "/push/*", EnumSet.of(DispatcherType.REQUEST)));
  }

  /** How many requests to the transport's path came so far, this one included. */
  private int count(HttpServletRequest request) {
    String path = request.getRequestURI();
    return seen.computeIfAbsent(path.substring(path.lastIndexOf('/') + 1), p -> new AtomicInteger())
        .incrementAndGet();
  }

  private static void answer(HttpServletResponse response, int status, String type, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType(type);
    response.setHeader("Cache-Control", "no-store");
    if (status == 503 || status == 429) {
      response.setHeader("Retry-After", "1");
    }
    response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }

  /** Connects with the transports given and a minute of backoff; collects closes and opens. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> connect(String transports, String channel) {
    browser.driver().get("http://localhost:" + demo.port() + "/");
    return (Map<String, Object>)
        browser.jsAsync(
            "const [transports, channel, done] = arguments;"
                + "const s = document.createElement('script'); s.src = 'push/herald.js';"
                + "s.onload = () => {"
                + "  window.got = []; window.closes = []; window.opens = []; window.errors = [];"
                + "  window.h = Herald.connect('push', {transports: JSON.parse(transports),"
                + "    remember: false, minBackoff: 60000, maxBackoff: 60000});"
                + "  h.on('close', d => closes.push(d.transport + ': ' + d.reason + ' in ' + d.delay));"
                + "  h.on('error', e => errors.push(e.code));"
                + "  h.on('open', d => { opens.push(d.transport);"
                + "    if (opens.length === 1) done({transport: d.transport, closes: closes.slice()}); });"
                + "  h.subscribe(channel, m => got.push(m.offset));"
                + "};"
                + "document.head.appendChild(s);",
            transports,
            channel);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sse", "stream", "poll"})
  void refusedWhileDraining_retriesWithinRetryAfter_onTheSameTransport(String transport)
      throws Exception {
    String unavailable =
        "{\"type\":\"error\",\"code\":\"unavailable\",\"message\":\"draining\",\"retry\":1000}";
    start(
        (request, response, chain) -> {
          HttpServletRequest http = (HttpServletRequest) request;
          HttpServletResponse out = (HttpServletResponse) response;
          if (!http.getRequestURI().endsWith("/push/" + transport) || count(http) > 3) {
            chain.doFilter(request, response);
          } else if (transport.equals("sse")) {
            answer(out, 200, "text/event-stream", "event: error\ndata: " + unavailable + "\n\n");
          } else {
            answer(out, 503, "application/json", unavailable);
          }
        });
    String fallback = transport.equals("poll") ? "stream" : "poll";

    Map<String, Object> opened =
        connect("[\"" + transport + "\",\"" + fallback + "\"]", "chat/drain-" + transport);

    System.out.printf("herald.js refused 3 times on %s: %s%n", transport, opened.get("closes"));
    assertThat(opened.get("transport")).isEqualTo(transport);
    assertThat((List<String>) opened.get("closes"))
        .hasSize(3)
        .allMatch(c -> c.startsWith(transport + ": "));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sse", "stream", "poll"})
  @SuppressWarnings("unchecked")
  void refusedForTheConnectionLimits_waitsAtLeastRetryAfter_onTheSameTransport(String transport)
      throws Exception {
    String limited = "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"too many\"";
    start(
        (request, response, chain) -> {
          HttpServletRequest http = (HttpServletRequest) request;
          HttpServletResponse out = (HttpServletResponse) response;
          if (!http.getRequestURI().endsWith("/push/" + transport) || count(http) > 2) {
            chain.doFilter(request, response);
          } else if (transport.equals("sse")) {
            String event = limited + ",\"retry\":1000}";
            answer(
                out,
                200,
                "text/event-stream",
                "retry: 1000\nevent: error\ndata: " + event + "\n\n");
          } else {
            answer(out, 429, "application/json", limited + "}");
          }
        });
    String fallback = transport.equals("poll") ? "stream" : "poll";

    Map<String, Object> opened =
        connect("[\"" + transport + "\",\"" + fallback + "\"]", "chat/limited-" + transport);

    System.out.printf("herald.js rate-limited twice on %s: %s%n", transport, opened.get("closes"));
    assertThat(opened.get("transport")).isEqualTo(transport);
    // Each wait is Retry-After (1 s) and a random part of it more, whatever the minute of backoff.
    assertThat((List<String>) opened.get("closes"))
        .hasSize(2)
        .allSatisfy(
            c -> {
              assertThat(c).startsWith(transport + ": ");
              long delay = Long.parseLong(c.substring(c.lastIndexOf(' ') + 1));
              assertThat(delay).isBetween(1000L, 2000L);
            });
    assertThat((List<String>) browser.js("return window.errors;"))
        .containsExactly("rate_limited", "rate_limited");
  }

  @Test
  @SuppressWarnings("unchecked")
  void serverRestartOnAnOpenPoll_reconnectsWithinItsRetry_andResumesFromTheCursor()
      throws Exception {
    String channel = "chat/drain-restart";
    start(
        (request, response, chain) -> {
          HttpServletRequest http = (HttpServletRequest) request;
          if (!http.getRequestURI().endsWith("/push/poll") || count(http) != 2) {
            chain.doFilter(request, response);
            return;
          }
          // Messages the client misses while its node restarts: the next poll resumes them.
          for (int i = 0; i < 3; i++) {
            demo.hub()
                .channel(channel)
                .publish("tick", Map.of("i", i))
                .toCompletableFuture()
                .join();
          }
          answer(
              (HttpServletResponse) response,
              200,
              "application/json",
              "{\"type\":\"error\",\"code\":\"server_restart\",\"message\":\"draining\","
                  + "\"retry\":300}");
        });

    assertThat(connect("[\"poll\",\"stream\"]", channel).get("transport")).isEqualTo("poll");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat((List<Long>) browser.js("return window.got;"))
                    .containsExactly(1L, 2L, 3L));
    List<String> closes = (List<String>) browser.js("return window.closes;");
    System.out.printf("herald.js poll ended by server_restart: %s%n", closes);
    assertThat(closes).singleElement().asString().startsWith("poll: server_restart in ");
    assertThat((List<String>) browser.js("return window.opens;")).containsExactly("poll", "poll");
    assertThat((List<String>) browser.js("return window.errors;")).isEmpty();
  }
}
