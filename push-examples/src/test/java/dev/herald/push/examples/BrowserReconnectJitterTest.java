package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * herald.js spreads even the first reconnect after a ready connection over its backoff window (full
 * jitter), so clients that lose their server together do not return together. Many clients in one
 * page lose their sockets at once; the page records when each new WebSocket is made.
 */
class BrowserReconnectJitterTest {
  private static final int CLIENTS = 30;
  private static final int WINDOW_MILLIS = 2000;

  private Browser browser;
  private DemoServer demo;

  @BeforeEach
  void start() throws Exception {
    browser = Browser.start();
    demo = DemoServer.start(new DemoOptions(0, null, false));
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

  @Test
  @SuppressWarnings("unchecked")
  void firstReconnectAfterADrop_isSpreadOverTheWindow_notImmediate() {
    browser.driver().get("http://localhost:" + demo.port() + "/");
    Object opened =
        browser.jsAsync(
            "const [clients, windowMs, done] = arguments;"
                + "window.starts = []; window.dropped = [];"
                + "const Native = window.WebSocket;"
                + "window.WebSocket = class extends Native {"
                + "  constructor(url, protocols) { super(url, protocols);"
                + "    starts.push(performance.now()); } };"
                + "const s = document.createElement('script'); s.src = 'push/herald.js';"
                + "s.onload = () => {"
                + "  let open = 0;"
                + "  window.clients = [];"
                + "  for (let i = 0; i < clients; i++) {"
                + "    const h = Herald.connect('push', {transports: ['websocket'], remember: false,"
                + "      minBackoff: windowMs, maxBackoff: windowMs});"
                + "    h.subscribe('chat/jitter', () => {});"
                + "    h.on('close', () => dropped.push(performance.now()));"
                + "    h.on('open', () => { if (++open === clients) done(open); });"
                + "    window.clients.push(h);"
                + "  }"
                + "};"
                + "document.head.appendChild(s);",
            CLIENTS,
            WINDOW_MILLIS);
    assertThat(opened).isEqualTo((long) CLIENTS);

    assertThat(demo.hub().disconnectAll()).isEqualTo(CLIENTS);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                (Boolean)
                    browser.js(
                        "return window.starts.length >= 2 * arguments[0]"
                            + " && window.clients.every(h => h.state === 'open');",
                        CLIENTS));

    List<Number> delays =
        (List<Number>)
            browser.js(
                "const t0 = Math.min(...window.dropped);"
                    + "return window.starts.slice(arguments[0], 2 * arguments[0]).map(t => Math.round(t - t0));",
                CLIENTS);
    List<Long> sorted =
        delays.stream().map(Number::longValue).sorted().collect(Collectors.toList());
    Number closesSpread =
        (Number) browser.js("return Math.round(Math.max(...dropped) - Math.min(...dropped));");
    System.out.printf(
        "herald.js first reconnect of %d clients after a drop (closes seen over %s ms),"
            + " window %d ms: delays from the first close %s%n",
        CLIENTS, closesSpread, WINDOW_MILLIS, sorted);

    assertThat(sorted).hasSize(CLIENTS).allMatch(d -> d >= 0 && d <= WINDOW_MILLIS + 500);
    // Uniform over [0, 2000]: about 30 values spread across the window, a few under 100 ms.
    // Without jitter on the first reconnect every one of them is under 100 ms.
    assertThat(sorted.get(CLIENTS - 1) - sorted.get(0)).isGreaterThan(WINDOW_MILLIS / 2);
    assertThat(sorted.stream().filter(d -> d < 100).count()).isLessThan(CLIENTS / 3);
  }
}
