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
                + "const s = document.createElement('script'); s.src = 'push/herald.js';"
                + "s.onload = () => {"
                + "  let open = 0;"
                + "  window.clients = [];"
                + "  for (let i = 0; i < clients; i++) {"
                + "    const h = Herald.connect('push', {transports: ['websocket'], remember: false,"
                + "      minBackoff: windowMs, maxBackoff: windowMs});"
                + "    const c = {h, opened: false, closed: null, delay: null, reopened: null};"
                + "    h.subscribe('chat/jitter', () => {});"
                + "    h.on('close', d => { if (c.opened && c.closed === null) {"
                + "      c.closed = performance.now(); c.delay = d.delay; } });"
                + "    h.on('open', () => {"
                + "      if (!c.opened) { c.opened = true; if (++open === clients) done(open); }"
                + "      else if (c.closed !== null && c.reopened === null) c.reopened = performance.now();"
                + "    });"
                + "    window.clients.push(c);"
                + "  }"
                + "};"
                + "document.head.appendChild(s);",
            CLIENTS,
            WINDOW_MILLIS);
    assertThat(opened).isEqualTo((long) CLIENTS);

    assertThat(demo.hub().disconnectAll()).isEqualTo(CLIENTS);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> (Boolean) browser.js("return window.clients.every(c => c.reopened !== null);"));

    // Per client: the delay herald.js chose, and how long it really stayed away (the delay plus
    // the WebSocket handshake).
    List<List<Number>> measured =
        (List<List<Number>>)
            browser.js(
                "return window.clients.map(c =>"
                    + " [c.delay, Math.round(c.reopened - c.closed)]).sort((a, b) => a[0] - b[0]);");
    List<Long> delays =
        measured.stream().map(m -> m.get(0).longValue()).collect(Collectors.toList());
    System.out.printf(
        "herald.js first reconnect of %d clients after a drop, window %d ms:"
            + " [chosen delay, close to open again] in ms %s%n",
        CLIENTS, WINDOW_MILLIS, measured);

    assertThat(measured)
        .allSatisfy(
            m -> assertThat(m.get(1).longValue()).isGreaterThanOrEqualTo(m.get(0).longValue() - 2));
    assertThat(delays).hasSize(CLIENTS).allMatch(d -> d >= 0 && d <= WINDOW_MILLIS);
    // Uniform over [0, 2000]: about 30 values spread across the window, a few under 100 ms.
    // Without jitter on the first reconnect every one of them is 0.
    assertThat(delays.get(CLIENTS - 1) - delays.get(0)).isGreaterThan(WINDOW_MILLIS / 2);
    assertThat(delays.stream().filter(d -> d < 100).count()).isLessThan(CLIENTS / 3);
  }
}
