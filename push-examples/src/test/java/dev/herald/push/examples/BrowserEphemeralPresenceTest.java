package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * herald.js's ephemeral messages and presence in pages of one headless Chromium against the demo
 * server, on each transport and in shared mode: what a page publishes with {@code ephemeral: true}
 * reaches the other pages without a position and leaves their resume alone, and each page's
 * presence listener sees the others join with their member data and leave.
 */
class BrowserEphemeralPresenceTest {
  private static final Duration LIVE = Duration.ofSeconds(20);
  private static DemoTabs fixture;
  private static DemoServer demo;
  private static Browser browser;
  private static List<String> tabs;

  @BeforeAll
  static void start() throws Exception {
    fixture = DemoTabs.start("live/*");
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
   * Options for one transport: quick reconnects, and polls that wait {@code pollSeconds} at most.
   */
  private static String options(String transport, String member, int pollSeconds) {
    return "{\"transports\":[\""
        + transport
        + "\"],\"remember\":false,\"minBackoff\":50,\"maxBackoff\":300,\"pollTimeout\":"
        + pollSeconds
        + (member == null ? "" : ",\"member\":{\"name\":\"" + member + "\"}")
        + "}";
  }

  private static String sharedOptions(String transport, String member) {
    return options(transport, member, 10)
        .replace("{\"transports\"", "{\"shared\":true,\"transports\"");
  }

  /**
   * Opens a tab of the demo's origin, loads herald.js and connects with the options. The page gets
   * {@code sub(channel)}, which records every message of the channel in {@code msgs[channel]}, and
   * {@code watch(channel)}, which records every presence call in {@code pres[channel]}.
   */
  private String openPage(String options) {
    String tab = fixture.newTab();
    Object result =
        browser.jsAsync(
            "const [options, done] = arguments;"
                + "const s = document.createElement('script');"
                + "s.src = '/push/herald.js';"
                + "s.onerror = () => done('herald.js failed to load');"
                + "s.onload = () => {"
                + "  window.msgs = {}; window.pres = {}; window.events = []; window.offs = {};"
                + "  window.h = Herald.connect('/push', JSON.parse(options));"
                + "  ['open','close','reset','error','transport'].forEach(e =>"
                + "    h.on(e, d => events.push(e + ':' + (d.reason || d.transport || d.code || ''))));"
                + "  window.sub = (c) => {"
                + "    msgs[c] = msgs[c] || [];"
                + "    offs['sub:' + c] = h.subscribe(c, m => msgs[c].push({event: m.event, data: m.data,"
                + "      offset: m.offset, ephemeral: m.ephemeral === true, hasOffset: 'offset' in m,"
                + "      hasEpoch: 'epoch' in m, hasCursor: 'cursor' in m, cursor: h.cursor}));"
                + "  };"
                + "  window.watch = (c) => {"
                + "    pres[c] = pres[c] || [];"
                + "    offs['presence:' + c] = h.presence(c, (members, change) => pres[c].push({"
                + "      type: change.type, member: change.member || null, clientId: h.clientId,"
                + "      ids: members.map(m => m.clientId),"
                + "      names: members.map(m => m.data ? m.data.name : null)}));"
                + "  };"
                + "  done('loaded');"
                + "};"
                + "document.head.appendChild(s);",
            options);
    assertThat(result).isEqualTo("loaded");
    return tab;
  }

  private static Object in(String tab, String script, Object... args) {
    browser.driver().switchTo().window(tab);
    return browser.js(script, args);
  }

  private static Object inAsync(String tab, String script, Object... args) {
    browser.driver().switchTo().window(tab);
    return browser.jsAsync(script, args);
  }

  private static boolean isOpen(String tab) {
    return "open".equals(in(tab, "return h.state;"));
  }

  /** Publishes from the page; the ack as JSON text, or "error CODE MESSAGE". */
  private static String publishFrom(String tab, String channel, String event, int n, boolean eph) {
    return (String)
        inAsync(
            tab,
            "const [c, e, n, eph, done] = arguments;"
                + "h.publish(c, e, {n}, eph ? {ephemeral: true} : undefined)"
                + " .then(a => done(JSON.stringify(a)), x => done('error ' + x.code + ' ' + x.message));",
            channel,
            event,
            n,
            eph);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> messages(String tab, String channel) {
    return (List<Map<String, Object>>) in(tab, "return msgs[arguments[0]] || [];", channel);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> presence(String tab, String channel) {
    return (List<Map<String, Object>>) in(tab, "return pres[arguments[0]] || [];", channel);
  }

  /** The last member list the page's presence listener got, as the members' names. */
  private static List<Object> names(String tab, String channel) {
    List<Map<String, Object>> calls = presence(tab, channel);
    return calls.isEmpty() ? List.of() : list(calls.get(calls.size() - 1).get("names"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<String> events(String tab) {
    return (List<String>) in(tab, "return window.events;");
  }

  private static long opens(String tab) {
    return events(tab).stream().filter(e -> e.startsWith("open:")).count();
  }

  /** What a page received, one word a message: its offset, or "E" and its n when ephemeral. */
  private static List<String> received(String tab, String channel) {
    return messages(tab, channel).stream()
        .map(
            m ->
                Boolean.TRUE.equals(m.get("ephemeral"))
                    ? "E" + ((Map<?, ?>) m.get("data")).get("n")
                    : String.valueOf(m.get("offset")))
        .collect(Collectors.toList());
  }

  private static List<Long> storedOffsets(String tab, String channel) {
    return messages(tab, channel).stream()
        .filter(m -> !Boolean.TRUE.equals(m.get("ephemeral")))
        .map(m -> (Long) m.get("offset"))
        .collect(Collectors.toList());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }

  /** Holds while the condition keeps true for a while. */
  private static void stays(Callable<Boolean> condition) {
    await().during(Duration.ofMillis(500)).atMost(LIVE).until(condition);
  }

  /**
   * Waits until the channel has {@code n} live subscriptions: over long polling, until each page's
   * poll waits again (an ephemeral message reaches only the polls waiting at that moment).
   */
  private static void subscribers(String channel, int n) {
    stays(() -> demo.hub().channel(channel).subscriberCount() == n);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse", "stream", "poll"})
  void ephemeralMessage_reachesTheOtherPageWithoutPosition_andResumeSkipsIt(String transport) {
    String channel = "live/mix-" + transport;
    String a = openPage(options(transport, null, 10));
    in(a, "sub(arguments[0]);", channel);
    String b = openPage(options(transport, null, 10));
    in(b, "sub(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> isOpen(a) && isOpen(b));
    assertThat(in(a, "return h.transport;")).isEqualTo(transport);

    // Stored and ephemeral messages from page b, each awaited in page a before the next.
    List<String> expected = new ArrayList<>();
    long offset = 0;
    for (int n = 1; n <= 3; n++) {
      subscribers(channel, 2);
      String stored = publishFrom(b, channel, "chat", n, false);
      assertThat(stored).startsWith("{\"channel\":\"" + channel + "\",\"offset\":" + ++offset);
      expected.add(String.valueOf(offset));
      await().atMost(LIVE).until(() -> received(a, channel).equals(expected));
      subscribers(channel, 2);
      Object cursorBefore = in(a, "return h.cursor;");
      String ephemeral = publishFrom(b, channel, "cursor", n, true);
      assertThat(ephemeral).isEqualTo("{\"channel\":\"" + channel + "\",\"ephemeral\":true}");
      expected.add("E" + n);
      await().atMost(LIVE).until(() -> received(a, channel).equals(expected));
      assertThat(in(a, "return h.cursor;"))
          .as("the cursor after an ephemeral message")
          .isEqualTo(cursorBefore);
    }
    await().atMost(LIVE).until(() -> received(b, channel).equals(expected));
    for (Map<String, Object> m : messages(a, channel)) {
      boolean ephemeral = Boolean.TRUE.equals(m.get("ephemeral"));
      assertThat(m)
          .as("a message as page a got it")
          .containsEntry("hasOffset", !ephemeral)
          .containsEntry("hasEpoch", !ephemeral)
          .containsEntry("hasCursor", !ephemeral);
      assertThat(m.get("event")).isEqualTo(ephemeral ? "cursor" : "chat");
    }

    // The server drops both pages; stored and ephemeral messages come meanwhile and after.
    long before = opens(a);
    demo.hub().disconnectAll();
    demo.hub().channel(channel).publish("chat", Map.of("n", 4)).toCompletableFuture().join();
    demo.hub()
        .channel(channel)
        .publishEphemeral("cursor", Map.of("n", 4))
        .toCompletableFuture()
        .join();
    demo.hub().channel(channel).publish("chat", Map.of("n", 5)).toCompletableFuture().join();
    if (!transport.equals("poll")) {
      // A long poll answered by the drop just polls again: only streams reconnect.
      await().atMost(LIVE).until(() -> opens(a) > before && isOpen(a));
    }
    await().atMost(LIVE).until(() -> storedOffsets(a, channel).size() >= 5);
    subscribers(channel, 2);
    demo.hub()
        .channel(channel)
        .publishEphemeral("cursor", Map.of("n", 5))
        .toCompletableFuture()
        .join();
    demo.hub().channel(channel).publish("chat", Map.of("n", 6)).toCompletableFuture().join();
    await().atMost(LIVE).until(() -> storedOffsets(a, channel).size() >= 6);
    assertThat(storedOffsets(a, channel)).isEqualTo(range(1, 6));
    List<String> got = received(a, channel);
    assertThat(got.subList(0, 6)).isEqualTo(expected);
    assertThat(got).contains("E5").doesNotHaveDuplicates();
    // The drop's own notice (error "reconnect" on SSE and NDJSON) aside, nothing went wrong.
    assertThat(events(a))
        .noneMatch(
            e -> e.startsWith("reset") || (e.startsWith("error") && !e.endsWith(":reconnect")));

    // A page that resumes from a cursor saved before a mix gets exactly the stored ones after it.
    Object saved = in(a, "const c = h.cursor; h.close(); return c;");
    demo.hub()
        .channel(channel)
        .publishEphemeral("cursor", Map.of("n", 6))
        .toCompletableFuture()
        .join();
    demo.hub().channel(channel).publish("chat", Map.of("n", 7)).toCompletableFuture().join();
    demo.hub()
        .channel(channel)
        .publishEphemeral("cursor", Map.of("n", 7))
        .toCompletableFuture()
        .join();
    demo.hub().channel(channel).publish("chat", Map.of("n", 8)).toCompletableFuture().join();
    in(
        a,
        "const o = JSON.parse(arguments[1]); o.cursor = arguments[2];"
            + "window.events = []; msgs[arguments[0]] = [];"
            + "window.h = Herald.connect('/push', o);"
            + "h.on('reset', () => events.push('reset')); sub(arguments[0]);",
        channel,
        options(transport, null, 10),
        saved);
    await().atMost(LIVE).until(() -> received(a, channel).size() >= 2);
    stays(() -> received(a, channel).size() == 2);
    assertThat(received(a, channel)).containsExactly("7", "8");
    assertThat(events(a)).doesNotContain("reset");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse", "stream"})
  void presence_showsWhoJoinsWithTheirData_andLeaves_andAReconnectReplacesTheList(
      String transport) {
    String channel = "live/who-" + transport;
    String ann = openPage(options(transport, "Ann", 10));
    in(ann, "watch(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> names(ann, channel).equals(List.of("Ann")));
    Map<String, Object> first = presence(ann, channel).get(0);
    assertThat(first.get("type")).isEqualTo("members");
    String annId = (String) in(ann, "return h.clientId;");
    assertThat(list(first.get("ids"))).containsExactly(annId);

    String bob = openPage(options(transport, "Bob", 10));
    in(bob, "watch(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> names(ann, channel).equals(List.of("Ann", "Bob")));
    String bobId = (String) in(bob, "return h.clientId;");
    Map<String, Object> join = last(presence(ann, channel));
    assertThat(join.get("type")).isEqualTo("join");
    assertThat(map(join.get("member")))
        .containsEntry("clientId", bobId)
        .containsEntry("data", Map.of("name", "Bob"))
        .containsKey("since");
    // Bob's own first list is the snapshot: Ann first (the older), then himself.
    await().atMost(LIVE).until(() -> names(bob, channel).equals(List.of("Ann", "Bob")));
    assertThat(presence(bob, channel).get(0).get("type")).isEqualTo("members");
    assertThat(list(presence(bob, channel).get(0).get("ids"))).containsExactly(annId, bobId);

    in(bob, "h.close();");
    await().atMost(LIVE).until(() -> names(ann, channel).equals(List.of("Ann")));
    Map<String, Object> leave = last(presence(ann, channel));
    assertThat(leave.get("type")).isEqualTo("leave");
    assertThat(map(leave.get("member"))).containsEntry("clientId", bobId);

    // Ann's connection drops: the new one's snapshot replaces the list (her old self is gone).
    int calls = presence(ann, channel).size();
    long before = opens(ann);
    demo.hub().disconnectAll();
    await().atMost(LIVE).until(() -> opens(ann) > before && isOpen(ann));
    await().atMost(LIVE).until(() -> presence(ann, channel).size() > calls);
    String newId = (String) in(ann, "return h.clientId;");
    assertThat(newId).isNotEqualTo(annId);
    stays(() -> presence(ann, channel).size() == calls + 1);
    Map<String, Object> fresh = last(presence(ann, channel));
    assertThat(fresh.get("type")).isEqualTo("members");
    assertThat(list(fresh.get("ids"))).containsExactly(newId);
    assertThat(list(fresh.get("names"))).containsExactly("Ann");
  }

  private static Map<String, Object> last(List<Map<String, Object>> calls) {
    return calls.get(calls.size() - 1);
  }

  @Test
  void presenceOverLongPolling_comesWithTheNextAnswer_andEachPollIsAMemberOfItsOwn() {
    String channel = "live/who-poll";
    String ann = openPage(options("poll", "Ann", 10));
    in(ann, "watch(arguments[0]);", channel);
    // herald.js's first poll asks for no wait: it brings the first list at once.
    await().atMost(LIVE).until(() -> names(ann, channel).equals(List.of("Ann")));
    assertThat(presence(ann, channel).get(0).get("type")).isEqualTo("members");

    String bob = openPage(options("websocket", "Bob", 10));
    in(bob, "watch(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> names(bob, channel).contains("Ann"));
    assertThat(sorted(names(bob, channel))).containsExactly("Ann", "Bob");
    // Bob's join does not end Ann's waiting poll: it comes with the next message.
    stays(() -> names(ann, channel).equals(List.of("Ann")));
    demo.hub().channel(channel).publish("chat", Map.of("n", 2)).toCompletableFuture().join();
    await().atMost(LIVE).until(() -> sorted(names(ann, channel)).equals(List.of("Ann", "Bob")));

    // Each answer ends that poll's membership and the next poll joins anew, with a new client id.
    Object first = annIdSeenBy(bob, channel);
    demo.hub().channel(channel).publish("chat", Map.of("n", 3)).toCompletableFuture().join();
    await()
        .atMost(LIVE)
        .until(() -> annIdSeenBy(bob, channel) != null && !annIdSeenBy(bob, channel).equals(first));
    assertThat(presence(bob, channel))
        .anyMatch(c -> "leave".equals(c.get("type")))
        .anyMatch(c -> "join".equals(c.get("type")));

    // Every answer's snapshot replaces Ann's list: never two of her, and Bob's leave is seen.
    in(bob, "h.close();");
    demo.hub().channel(channel).publish("chat", Map.of("n", 4)).toCompletableFuture().join();
    await().atMost(LIVE).until(() -> names(ann, channel).equals(List.of("Ann")));
    assertThat(presence(ann, channel))
        .allMatch(c -> list(c.get("names")).stream().filter("Ann"::equals).count() == 1);
    assertThat(storedOffsets(ann, channel)).isEmpty();
  }

  private static List<Object> sorted(List<Object> names) {
    return names.stream()
        .sorted(Comparator.comparing(String::valueOf))
        .collect(Collectors.toList());
  }

  /** The client id of Ann in the last list Bob got, or null. */
  private static Object annIdSeenBy(String tab, String channel) {
    List<Map<String, Object>> calls = presence(tab, channel);
    if (calls.isEmpty()) {
      return null;
    }
    Map<String, Object> c = last(calls);
    int i = list(c.get("names")).indexOf("Ann");
    return i < 0 ? null : list(c.get("ids")).get(i);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse", "stream", "poll"})
  void presenceAskedForOnAChannelAlreadySubscribed_losesAndRepeatsNothing(String transport) {
    String channel = "live/late-" + transport;
    String bob = openPage(options("websocket", "Bob", 10));
    in(bob, "watch(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> names(bob, channel).equals(List.of("Bob")));
    String ann = openPage(options(transport, "Ann", 2));
    in(ann, "sub(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> isOpen(ann));
    for (int n = 1; n <= 3; n++) {
      demo.hub().channel(channel).publish("chat", Map.of("n", n)).toCompletableFuture().join();
    }
    await().atMost(LIVE).until(() -> storedOffsets(ann, channel).size() >= 3);
    in(ann, "watch(arguments[0]);", channel);
    for (int n = 4; n <= 6; n++) {
      demo.hub().channel(channel).publish("chat", Map.of("n", n)).toCompletableFuture().join();
    }
    await().atMost(LIVE).until(() -> names(ann, channel).contains("Ann"));
    await().atMost(LIVE).until(() -> storedOffsets(ann, channel).size() >= 6);
    stays(() -> storedOffsets(ann, channel).size() == 6);
    assertThat(storedOffsets(ann, channel)).isEqualTo(range(1, 6));

    // The last listener goes and a new one comes: it starts from the list at once.
    in(
        ann,
        "offs['presence:' + arguments[0]](); pres[arguments[0]] = []; watch(arguments[0]);",
        channel);
    await().atMost(LIVE).until(() -> names(ann, channel).contains("Ann"));
    assertThat(presence(ann, channel).get(0).get("type")).isEqualTo("members");
    demo.hub().channel(channel).publish("chat", Map.of("n", 7)).toCompletableFuture().join();
    await().atMost(LIVE).until(() -> storedOffsets(ann, channel).size() >= 7);
    stays(() -> storedOffsets(ann, channel).equals(range(1, 7)));
    assertThat(events(ann)).noneMatch(e -> e.startsWith("reset") || e.startsWith("error"));
    if (transport.equals("websocket")) {
      // Presence turned on over the same subscription: Ann never left the channel.
      assertThat(events(ann)).noneMatch(e -> e.startsWith("close"));
      assertThat(presence(bob, channel)).noneMatch(c -> "leave".equals(c.get("type")));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "sse"})
  void sharedMode_presenceAndEphemeralFromAFollowerTab(String transport) {
    String channel = "live/shared-" + transport;
    String leader = openPage(sharedOptions(transport, "Ann"));
    in(leader, "sub(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> isOpen(leader));
    assertThat(in(leader, "return [h.shared, h.leader];")).isEqualTo(List.of(true, true));
    String follower = openPage(sharedOptions(transport, "Ann"));
    in(follower, "sub(arguments[0]); watch(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> isOpen(follower));
    assertThat(in(follower, "return [h.shared, h.leader];")).isEqualTo(List.of(true, false));
    String bob = openPage(options(transport, "Bob", 10));
    in(bob, "sub(arguments[0]); watch(arguments[0]);", channel);
    await().atMost(LIVE).until(() -> isOpen(bob));
    stays(() -> demo.hub().connectionCount() == 2);

    // The follower sees the shared connection (Ann) and Bob, with their data.
    String annId = (String) in(leader, "return h.clientId;");
    String bobId = (String) in(bob, "return h.clientId;");
    await().atMost(LIVE).until(() -> names(follower, channel).equals(List.of("Ann", "Bob")));
    assertThat(list(last(presence(follower, channel)).get("ids"))).containsExactly(annId, bobId);
    await().atMost(LIVE).until(() -> names(bob, channel).equals(List.of("Ann", "Bob")));

    // An ephemeral publish from the follower: acked there, received by every page without offset.
    String ack = publishFrom(follower, channel, "cursor", 1, true);
    assertThat(ack).isEqualTo("{\"channel\":\"" + channel + "\",\"ephemeral\":true}");
    for (String tab : List.of(leader, follower, bob)) {
      await().atMost(LIVE).until(() -> received(tab, channel).equals(List.of("E1")));
      assertThat(messages(tab, channel).get(0)).containsEntry("hasOffset", false);
    }
    assertThat(publishFrom(bob, channel, "chat", 2, false)).contains("\"offset\":1");
    assertThat(publishFrom(bob, channel, "cursor", 3, true)).contains("\"ephemeral\":true");
    for (String tab : List.of(leader, follower, bob)) {
      await().atMost(LIVE).until(() -> received(tab, channel).equals(List.of("E1", "1", "E3")));
    }

    // The leader tab goes: the follower takes over, and its list is the new snapshot.
    int calls = presence(follower, channel).size();
    browser.driver().switchTo().window(leader).close();
    tabs.remove(leader);
    await().atMost(LIVE).until(() -> Boolean.TRUE.equals(in(follower, "return h.leader;")));
    await().atMost(LIVE).until(() -> isOpen(follower));
    String newId = (String) in(follower, "return h.clientId;");
    assertThat(newId).isNotEqualTo(annId);
    await()
        .atMost(LIVE)
        .until(
            () ->
                presence(follower, channel).size() > calls
                    && list(last(presence(follower, channel)).get("ids"))
                        .equals(List.of(bobId, newId)));
    assertThat(names(follower, channel)).containsExactly("Bob", "Ann");
    // Bob saw the old connection leave and the new one join.
    await()
        .atMost(LIVE)
        .until(() -> list(last(presence(bob, channel)).get("ids")).equals(List.of(bobId, newId)));
    assertThat(publishFrom(follower, channel, "chat", 4, false)).contains("\"offset\":2");
    await().atMost(LIVE).until(() -> storedOffsets(bob, channel).equals(List.of(1L, 2L)));
    await().atMost(LIVE).until(() -> storedOffsets(follower, channel).equals(List.of(1L, 2L)));
    assertThat(events(follower)).noneMatch(e -> e.startsWith("reset") || e.startsWith("error"));
  }
}
