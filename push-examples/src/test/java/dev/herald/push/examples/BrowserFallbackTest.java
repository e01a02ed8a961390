package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Automatic fallback: a server whose "proxy" refuses WebSocket upgrades, and one that also swallows
 * streaming responses, as buffering proxies do.
 */
class BrowserFallbackTest {
  private Browser browser;
  private DemoServer demo;
  private final List<jakarta.servlet.AsyncContext> swallowed = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startBrowser() throws Exception {
    browser = Browser.start();
  }

  @AfterEach
  void stop() throws Exception {
    swallowed.forEach(
        a -> {
          try {
            a.complete();
          } catch (IllegalStateException e) {
            // already done
          }
        });
    if (browser != null) {
      browser.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  /** A filter that refuses upgrades, and holds the named streaming paths open without a byte. */
  private Filter proxy(Set<String> swallow) {
    return (request, response, chain) -> {
      HttpServletRequest http = (HttpServletRequest) request;
      String path = http.getRequestURI();
      if (path.endsWith("/push/ws")) {
        ((HttpServletResponse) response).sendError(403, "upgrades blocked by the proxy");
        return;
      }
      for (String s : swallow) {
        if (path.endsWith(s)) {
          swallowed.add(request.startAsync());
          return;
        }
      }
      chain.doFilter(request, response);
    };
  }

  private String connect(Set<String> swallow) throws Exception {
    demo =
        DemoServer.start(
            new DemoOptions(0, null, false),
            context ->
                context.addFilter(
                    new FilterHolder(proxy(swallow)),
                    "/push/*",
                    EnumSet.of(DispatcherType.REQUEST)));
    browser.driver().get("http://localhost:" + demo.port() + "/");
    return (String)
        browser.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "const s = document.createElement('script'); s.src = '/push/herald.js';"
                + "s.onload = () => {"
                + "  window.got = [];"
                + "  window.h = Herald.connect('/push', {remember: false, connectTimeout: 1500,"
                + "    maxFailuresPerTransport: 1, minBackoff: 20, maxBackoff: 100, pollTimeout: 2});"
                + "  h.subscribe('chat/fallback', m => got.push(m.offset));"
                + "  h.on('open', d => done(d.transport));"
                + "};"
                + "document.head.appendChild(s);");
  }

  private void receivesLive() {
    demo.hub()
        .channel("chat/fallback")
        .publish("tick", Map.of("n", 1))
        .toCompletableFuture()
        .join();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> ((Number) browser.js("return got.length;")).intValue() == 1);
  }

  @Test
  void websocketBlocked_settlesOnSse() throws Exception {
    assertThat(connect(Set.of())).isEqualTo("sse");
    receivesLive();
  }

  @Test
  void websocketBlockedAndStreamsBuffered_settlesOnLongPolling() throws Exception {
    assertThat(connect(Set.of("/push/sse", "/push/stream"))).isEqualTo("poll");
    receivesLive();
  }
}
