package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** herald.js in a real headless Chromium against the demo server, one transport at a time. */
class BrowserClientTest {
  private static DemoServer demo;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    demo = DemoServer.start(new DemoOptions(0, null, false));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (demo != null) {
      demo.close();
    }
  }

  @AfterEach
  void closeClient() {
    browser.js("if (window.h) { window.h.close(); window.h = null; }");
  }

  static String base() {
    return "http://localhost:" + demo.port();
  }

  /** Loads herald.js into the demo's index page and connects with the given options. */
  static void connect(String channel, String optionsJson) {
    browser.driver().get(base() + "/");
    Object result =
        browser.jsAsync(
            "const [channel, options, done] = arguments;"
                + "const s = document.createElement('script');"
                + "s.src = '/push/herald.js';"
                + "s.onerror = () => done('herald.js failed to load');"
                + "s.onload = () => {"
                + "  window.got = []; window.events = [];"
                + "  window.h = Herald.connect('/push', JSON.parse(options));"
                + "  ['open','close','reset','error','transport'].forEach(e =>"
                + "    h.on(e, d => events.push(e + ':' + (d.transport || d.reason || d.channel || ''))));"
                + "  h.subscribe(channel, m => got.push(m.offset + ':' + JSON.stringify(m.data)));"
                + "  h.on('open', () => done('open'));"
                + "};"
                + "document.head.appendChild(s);",
            channel,
            optionsJson);
    assertThat(result).isEqualTo("open");
  }

  @SuppressWarnings("unchecked")
  static List<Long> offsets() {
    List<String> got = (List<String>) browser.js("return window.got;");
    return got.stream()
        .map(s -> Long.parseLong(s.substring(0, s.indexOf(':'))))
        .collect(Collectors.toList());
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }

  static void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      demo.hub().channel(channel).publish("tick", Map.of("i", i)).toCompletableFuture().join();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse", "stream", "poll"})
  void forcedTransport_receivesPublishesAndResumesAfterTheServerDropsIt(String transport) {
    String channel = "chat/browser-" + transport;
    connect(
        channel,
        "{\"transports\":[\""
            + transport
            + "\"],\"remember\":false,"
            + "\"minBackoff\":50,\"maxBackoff\":300,\"pollTimeout\":2}");
    assertThat(browser.js("return h.transport;")).isEqualTo(transport);
    await()
        .until(
            () -> demo.hub().channel(channel).subscriberCount() == 1 || "poll".equals(transport));

    publish(channel, 3);
    await().atMost(Duration.ofSeconds(15)).until(() -> offsets().size() == 3);

    Object offset =
        browser.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "h.publish(arguments[0], 'chat', {text: 'from the browser'})"
                + " .then(a => done(a.offset), e => done('error ' + e.code + ' ' + e.message));",
            channel);
    assertThat(offset).isEqualTo(4L);
    await().atMost(Duration.ofSeconds(15)).until(() -> offsets().size() == 4);

    // The server drops every connection; what is published meanwhile must arrive exactly once.
    demo.hub().disconnectAll();
    publish(channel, 5);
    await().atMost(Duration.ofSeconds(20)).until(() -> offsets().size() >= 9);
    publish(channel, 1);
    await().atMost(Duration.ofSeconds(20)).until(() -> offsets().size() >= 10);
    assertThat(offsets()).containsExactlyElementsOf(range(1, 10));
    @SuppressWarnings("unchecked")
    List<String> events = (List<String>) browser.js("return window.events;");
    if (!transport.equals("poll")) {
      // A long poll answered by the drop just polls again: only streaming transports reconnect.
      assertThat(events.stream().filter(e -> e.startsWith("open:")).count())
          .as("reconnected: %s", events)
          .isGreaterThanOrEqualTo(2);
    }
    assertThat(events).noneMatch(e -> e.startsWith("reset"));
  }

  @Test
  void plainEventSource_receivesMessagesWithTheCursorAsEventId() {
    browser.driver().get(base() + "/");
    browser.js(
        "window.plain = []; window.ids = [];"
            + "const es = new EventSource('/push/sse?channel=news/plain');"
            + "es.addEventListener('ready', () => window.ready = true);"
            + "es.onmessage = e => { plain.push(JSON.parse(e.data)); ids.push(e.lastEventId); };"
            + "window.es = es;");
    await().until(() -> Boolean.TRUE.equals(browser.js("return window.ready === true;")));
    publish("news/plain", 2);
    await().until(() -> ((Number) browser.js("return plain.length;")).intValue() == 2);
    assertThat(
            browser.js(
                "return plain.map(m => m.offset + ':' + m.channel + ':' + m.data.i).join(',');"))
        .isEqualTo("1:news/plain:0,2:news/plain:1");
    assertThat((String) browser.js("return ids[1];")).matches("[A-Za-z0-9._~-]+");
    browser.js("es.close();");
  }

  @Test
  void plainWebSocket_subscribesReceivesAndPublishes() {
    browser.driver().get(base() + "/");
    browser.js(
        "window.frames_ = [];"
            + "const ws = new WebSocket(location.origin.replace('http', 'ws') + '/push/ws');"
            + "ws.onmessage = e => frames_.push(JSON.parse(e.data));"
            + "ws.onopen = () => ws.send(JSON.stringify({type: 'subscribe', channel: 'chat/plain'}));"
            + "window.ws = ws;");
    await()
        .until(
            () ->
                Boolean.TRUE.equals(
                    browser.js("return frames_.some(f => f.type === 'subscribed');")));
    publish("chat/plain", 1);
    browser.js(
        "ws.send(JSON.stringify({type: 'publish', channel: 'chat/plain', event: 'chat',"
            + " data: {text: 'hi'}, ref: 'r1'}));");
    await()
        .until(
            () ->
                Boolean.TRUE.equals(
                    browser.js(
                        "return frames_.filter(f => f.type === 'message').length === 2"
                            + " && frames_.some(f => f.type === 'ack' && f.ref === 'r1');")));
    assertThat(browser.js("return frames_.map(f => f.type).join(',');"))
        .asString()
        .startsWith("ready,subscribed,message");
    assertThat(browser.js("return frames_.filter(f => f.type === 'message')[1].data.text;"))
        .isEqualTo("hi");
    browser.js("ws.close();");
  }
}
