package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * herald.js's shared mode ({@code shared: true}) in several tabs of one headless Chromium against
 * the demo server: the server's own connection and subscriber counts show what the tabs share.
 */
class BrowserSharedConnectionTest {
  private static final Duration LIVE = Duration.ofSeconds(20);
  private static DemoTabs fixture;
  private static DemoServer demo;
  private static Browser browser;
  private static List<String> tabs;

  @BeforeAll
  static void start() throws Exception {
    fixture = DemoTabs.start("shared/*");
    demo = fixture.demo;
    browser = fixture.browser;
    tabs = fixture.tabs;
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @AfterEach
  void closeTabs() {
    fixture.closeTabs(LIVE);
  }

  /**
   * Opens a tab of the demo's origin, loads herald.js and connects with the options; {@code
   * beforeConnect} runs first (to take an API away). Every channel's offsets go to {@code got}.
   */
  private String openTab(String options, String beforeConnect, String... channels) {
    String tab = fixture.newTab();
    Object result =
        browser.jsAsync(
            "const [options, before, channels, done] = arguments;"
                + "const s = document.createElement('script');"
                + "s.src = '/push/herald.js';"
                + "s.onerror = () => done('herald.js failed to load');"
                + "s.onload = () => {"
                + "  new Function(before)();"
                + "  window.got = {}; window.events = [];"
                + "  window.h = Herald.connect('/push', JSON.parse(options));"
                + "  ['open','close','reset','error','transport'].forEach(e =>"
                + "    h.on(e, d => events.push(e + ':' + (d.reason || d.transport || d.code || ''))));"
                + "  for (const c of channels) {"
                + "    got[c] = [];"
                + "    window['off:' + c] = h.subscribe(c, m => got[c].push(m.offset));"
                + "  }"
                + "  done('connected');"
                + "};"
                + "document.head.appendChild(s);",
            options,
            beforeConnect,
            List.of(channels));
    assertThat(result).isEqualTo("connected");
    return tab;
  }

  private String openSharedTab(String... channels) {
    return openSharedTabOver("websocket", channels);
  }

  private String openSharedTabOver(String transport, String... channels) {
    return openTab(
        "{\"shared\":true,\"remember\":false,\"minBackoff\":50,\"maxBackoff\":300,"
            + "\"transports\":[\""
            + transport
            + "\"]}",
        "",
        channels);
  }

  private static Object in(String tab, String script, Object... args) {
    browser.driver().switchTo().window(tab);
    return browser.js(script, args);
  }

  private static Object inAsync(String tab, String script, Object... args) {
    browser.driver().switchTo().window(tab);
    return browser.jsAsync(script, args);
  }

  @SuppressWarnings("unchecked")
  private static List<Long> offsets(String tab, String channel) {
    return (List<Long>) in(tab, "return window.got[arguments[0]];", channel);
  }

  @SuppressWarnings("unchecked")
  private static List<String> events(String tab) {
    return (List<String>) in(tab, "return window.events;");
  }

  private static boolean isOpen(String tab) {
    return "open".equals(in(tab, "return h.state;"));
  }

  private String leader() {
    List<String> leaders =
        tabs.stream()
            .filter(t -> browser.driver().getWindowHandles().contains(t))
            .filter(t -> Boolean.TRUE.equals(in(t, "return h.leader;")))
            .collect(Collectors.toList());
    assertThat(leaders).as("the tabs that lead").hasSize(1);
    return leaders.get(0);
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }

  private static void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      demo.hub().channel(channel).publish("tick", Map.of("i", i)).toCompletableFuture().join();
    }
  }

  /** Holds while the condition keeps true for a while: a count that must not move. */
  private static void stays(java.util.concurrent.Callable<Boolean> condition) {
    await().during(Duration.ofMillis(800)).atMost(LIVE).until(condition);
  }

  @Test
  void threeTabs_shareOneServerConnection_andEachReceivesEveryMessageInOrder() {
    String channel = "shared/three";
    String first = openSharedTab(channel);
    String second = openSharedTab(channel);
    String third = openSharedTab(channel);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> isOpen(tab));
    }
    stays(() -> demo.hub().connectionCount() == 1);
    assertThat(demo.hub().channel(channel).subscriberCount()).isEqualTo(1);

    publish(channel, 20);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= 20);
      assertThat(offsets(tab, channel)).containsExactlyElementsOf(range(1, 20));
    }

    // Every tab sees the one connection: the same client id, transport and open state.
    String leader = leader();
    Object clientId = in(leader, "return h.clientId;");
    assertThat(clientId).isNotNull();
    for (String tab : List.of(first, second, third)) {
      assertThat(in(tab, "return [h.shared, h.clientId, h.transport, h.state];"))
          .isEqualTo(List.of(true, clientId, "websocket", "open"));
      assertThat(events(tab)).contains("open:websocket").noneMatch(e -> e.startsWith("error"));
    }

    // A follower's publish goes through the leader and its answer comes back to that follower.
    String follower = tabs.stream().filter(t -> !t.equals(leader)).findFirst().orElseThrow();
    Object ack =
        inAsync(
            follower,
            "const done = arguments[arguments.length - 1];"
                + "h.publish(arguments[0], 'chat', {text: 'from a follower'})"
                + " .then(a => done(a.channel + '@' + a.offset), e => done('error ' + e.code));",
            channel);
    assertThat(ack).isEqualTo(channel + "@21");
    Object refused =
        inAsync(
            follower,
            "const done = arguments[arguments.length - 1];"
                + "h.publish('news/not-for-browsers', 'chat', {})"
                + " .then(a => done('stored ' + a.offset), e => done(e.code));");
    assertThat(refused).isNotEqualTo("stored").asString().doesNotStartWith("stored");
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= 21);
      assertThat(offsets(tab, channel)).containsExactlyElementsOf(range(1, 21));
    }
    assertThat(demo.hub().connectionCount()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse"})
  void leaderTabClosedMidStream_anotherTakesOver_noneLostNoneRepeated(String transport)
      throws Exception {
    String channel = "shared/takeover-" + transport;
    openSharedTabOver(transport, channel);
    openSharedTabOver(transport, channel);
    openSharedTabOver(transport, channel);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> isOpen(tab));
    }
    stays(() -> demo.hub().connectionCount() == 1);
    String leader = leader();
    String oldClientId = (String) in(leader, "return h.clientId;");

    int total = 300;
    AtomicInteger sent = new AtomicInteger();
    ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
    try {
      ScheduledFuture<?> ticks =
          publisher.scheduleAtFixedRate(
              () -> {
                if (sent.get() < total) {
                  demo.hub()
                      .channel(channel)
                      .publish("tick", Map.of("i", sent.incrementAndGet()))
                      .toCompletableFuture()
                      .join();
                }
              },
              0,
              10,
              TimeUnit.MILLISECONDS);
      await().atMost(LIVE).until(() -> offsets(leader, channel).size() >= 60);
      browser.driver().switchTo().window(leader).close();
      tabs.remove(leader);
      await().atMost(LIVE).until(() -> sent.get() >= total);
      ticks.cancel(false);
    } finally {
      publisher.shutdownNow();
    }

    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= total);
      assertThat(offsets(tab, channel)).as("offsets in a remaining tab").isEqualTo(range(1, total));
    }
    String newLeader = leader();
    assertThat(in(newLeader, "return h.clientId;")).isNotEqualTo(oldClientId);
    for (String tab : tabs) {
      assertThat(in(tab, "return h.clientId;")).isEqualTo(in(newLeader, "return h.clientId;"));
      assertThat(events(tab))
          .contains("close:leader tab closed")
          .noneMatch(e -> e.startsWith("reset") || e.startsWith("error"));
    }
    stays(() -> demo.hub().connectionCount() == 1);
    publish(channel, 1);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= total + 1);
      assertThat(offsets(tab, channel)).isEqualTo(range(1, total + 1));
    }
  }

  @Test
  void newLeaderWithAnOlderCursor_replays_andEveryTabDropsWhatItHad() {
    String channel = "shared/replay";
    openSharedTab(channel);
    openSharedTab(channel);
    openSharedTab(channel);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> isOpen(tab));
    }
    publish(channel, 5);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= 5);
      in(tab, "window.early = h.cursor;");
    }
    publish(channel, 15);
    String leader = leader();
    List<String> followers = new ArrayList<>(tabs);
    followers.remove(leader);
    for (String tab : followers) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= 20);
      // As if the leader's last relays had gone with it: the next leader resumes from offset 5.
      in(tab, "h.cursor = window.early;");
    }
    browser.driver().switchTo().window(leader).close();
    tabs.remove(leader);
    await().atMost(LIVE).until(() -> tabs.stream().allMatch(BrowserSharedConnectionTest::isOpen));
    publish(channel, 5);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= 25);
      assertThat(offsets(tab, channel)).isEqualTo(range(1, 25));
      stays(() -> offsets(tab, channel).size() == 25);
    }
  }

  @Test
  void channelHeldByOneTab_isDroppedOnTheServer_whenThatTabUnsubscribesOrDies() {
    String common = "shared/common";
    String mine = "shared/only-one-tab";
    String both = "shared/two-tabs";
    String first = openSharedTab(common);
    await().atMost(LIVE).until(() -> isOpen(first));
    assertThat(leader()).isEqualTo(first);
    String second = openSharedTab(common, both);
    String third = openSharedTab(common, both, mine);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> isOpen(tab));
    }
    await().atMost(LIVE).until(() -> demo.hub().channel(mine).subscriberCount() == 1);
    assertThat(demo.hub().channel(both).subscriberCount()).isEqualTo(1);
    assertThat(demo.hub().connectionCount()).isEqualTo(1);

    // Reference counting: the server subscription lasts while any tab wants the channel.
    in(second, "window['off:' + arguments[0]]();", both);
    stays(() -> demo.hub().channel(both).subscriberCount() == 1);
    publish(both, 1);
    await().atMost(LIVE).until(() -> offsets(third, both).size() == 1);
    assertThat(offsets(second, both)).isEmpty();

    // A follower whose tab goes says no goodbye: its lock, freed with the tab, tells the leader.
    browser.driver().switchTo().window(third).close();
    tabs.remove(third);
    await().atMost(LIVE).until(() -> demo.hub().channel(mine).subscriberCount() == 0);
    await().atMost(LIVE).until(() -> demo.hub().channel(both).subscriberCount() == 0);
    assertThat(demo.hub().channel(common).subscriberCount()).isEqualTo(1);
    assertThat(demo.hub().connectionCount()).isEqualTo(1);
    assertThat(leader()).isEqualTo(first);
  }

  @Test
  void withoutWebLocks_eachTabKeepsItsOwnConnection() {
    String channel = "shared/fallback";
    String noLocks = "delete Navigator.prototype.locks;";
    for (int i = 0; i < 3; i++) {
      openTab("{\"shared\":true,\"remember\":false}", noLocks, channel);
    }
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> isOpen(tab));
      assertThat(in(tab, "return [h.shared, h.leader, 'locks' in navigator];"))
          .isEqualTo(List.of(false, true, false));
    }
    stays(() -> demo.hub().connectionCount() == 3);
    publish(channel, 5);
    for (String tab : tabs) {
      await().atMost(LIVE).until(() -> offsets(tab, channel).size() >= 5);
      assertThat(offsets(tab, channel)).isEqualTo(range(1, 5));
    }
  }
}
