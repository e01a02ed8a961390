package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Automatic fallback behind hostile proxies ({@link HostileProxy}, a real forwarder on loopback in
 * front of the demo): one that refuses WebSocket upgrades, and two that also hold streamed
 * responses back, one passing the headers and one not. herald.js runs with its default options in a
 * fresh profile, as a first visit would: it must become live within a functional bound (10 s; the
 * client before early buffering detection took 38 to 45 s) and deliver every message once. A second
 * page load must start on the transport it remembered for the base URL. The measured times are
 * printed.
 */
class BrowserFallbackTest {
  /** Generous next to a working network's few seconds; far below the 38 s it once took. */
  private static final long LIVE_WITHIN_MILLIS = 10_000;

  private static final int MESSAGES = 20;

  private Browser browser;
  private DemoServer demo;
  private HostileProxy proxy;

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
    if (proxy != null) {
      proxy.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  /** Loads a page through the proxy and connects; returns {transport, ms until open, closes}. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> connectThroughProxy(String channel) {
    browser.driver().get("http://localhost:" + proxy.port() + "/");
    return (Map<String, Object>)
        browser.jsAsync(
            "const [channel, done] = [arguments[0], arguments[arguments.length - 1]];"
                + "const s = document.createElement('script'); s.src = 'push/herald.js';"
                + "s.onerror = () => done({error: 'herald.js failed to load'});"
                + "s.onload = () => {"
                + "  window.got = []; window.closes = [];"
                + "  const t0 = performance.now();"
                + "  window.h = Herald.connect('push');"
                + "  h.on('close', d => closes.push(d.transport + ': ' + d.reason));"
                + "  h.subscribe(channel, m => got.push(m.offset));"
                + "  h.on('open', d => done({transport: d.transport,"
                + "    ms: Math.round(performance.now() - t0), closes: closes.slice()}));"
                + "};"
                + "document.head.appendChild(s);",
            channel);
  }

  @SuppressWarnings("unchecked")
  private void deliversEveryMessageOnce(String channel) {
    for (int i = 0; i < MESSAGES; i++) {
      demo.hub().channel(channel).publish("tick", Map.of("i", i)).toCompletableFuture().join();
    }
    List<Long> expected = LongStream.rangeClosed(1, MESSAGES).boxed().collect(Collectors.toList());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat((List<Long>) browser.js("return window.got;")).isEqualTo(expected));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(HostileProxy.Mode.class)
  void hostileProxy_liveWithinSeconds_deliversOnce_andTheNextPageStartsOnWhatWorked(
      HostileProxy.Mode mode) throws Exception {
    proxy = new HostileProxy(demo.port(), mode);
    String expected = mode == HostileProxy.Mode.REFUSE_UPGRADES ? "sse" : "poll";

    Map<String, Object> first = connectThroughProxy("chat/fallback-1");
    System.out.printf(
        "herald.js behind %s: first visit live on %s after %s ms (tries that failed: %s)%n",
        mode, first.get("transport"), first.get("ms"), first.get("closes"));
    assertThat(first.get("transport")).isEqualTo(expected);
    assertThat(((Number) first.get("ms")).longValue()).isLessThan(LIVE_WITHIN_MILLIS);
    assertThat(proxy.refusedUpgrades.get()).isPositive();
    deliversEveryMessageOnce("chat/fallback-1");

    Map<String, Object> again = connectThroughProxy("chat/fallback-2");
    System.out.printf(
        "herald.js behind %s: next page live on %s after %s ms (tries that failed: %s)%n",
        mode, again.get("transport"), again.get("ms"), again.get("closes"));
    assertThat(again.get("transport")).isEqualTo(expected);
    assertThat((List<?>) again.get("closes")).isEmpty();
    deliversEveryMessageOnce("chat/fallback-2");
  }
}
