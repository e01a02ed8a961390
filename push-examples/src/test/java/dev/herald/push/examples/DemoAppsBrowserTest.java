package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The chat, dashboard, notifications and tokens demo apps in real headless Chromium (the whiteboard
 * has WhiteboardBrowserTest), used as a person would: typing, clicking, picking a transport, with
 * two browsers where two people take part. Each test saves a screenshot of its app under {@code
 * target/screenshots/} for the README.
 */
class DemoAppsBrowserTest {
  private static final Duration LIVE = Duration.ofSeconds(15);
  private static DemoServer demo;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startDemo() throws Exception {
    demo = DemoServer.start(new DemoOptions(0, null, false));
  }

  @AfterAll
  static void stopDemo() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  @AfterEach
  void closeBrowsers() throws Exception {
    for (Browser b : browsers) {
      b.close();
    }
  }

  private Browser open(String page) throws Exception {
    Browser b = Browser.start();
    browsers.add(b);
    b.driver().get("http://localhost:" + demo.port() + "/" + page);
    return b;
  }

  private static WebElement find(Browser b, String css) {
    return b.driver().findElement(By.cssSelector(css));
  }

  private static String text(Browser b, String css) {
    return find(b, css).getText();
  }

  private static void type(Browser b, String css, String keys) {
    WebElement input = find(b, css);
    input.clear();
    input.sendKeys(keys);
  }

  private static void awaitTransport(Browser b, String transport) {
    await()
        .atMost(LIVE)
        .untilAsserted(
            () -> {
              WebElement badge = find(b, "#transport");
              assertThat(badge.getAttribute("data-transport")).isEqualTo(transport);
              assertThat(badge.getAttribute("data-state")).isEqualTo("open");
            });
  }

  private static void pick(Browser b, String transport) {
    new Select(find(b, "#transport-select")).selectByValue(transport);
    awaitTransport(b, transport);
  }

  private static void screenshot(Browser b, String app) throws Exception {
    b.screenshot(Path.of("target", "screenshots", app + ".png"));
  }

  @SuppressWarnings("unchecked")
  private static List<String> chatLines(Browser b) {
    return (List<String>)
        b.js(
            "return [...document.querySelectorAll('#messages li')]"
                + ".map(li => li.querySelector('.nick').textContent + ': '"
                + " + li.querySelector('.text').textContent);");
  }

  @Test
  void chat_twoPeopleSeeHistoryPresenceAndEachOthersMessagesAsPlainText() throws Exception {
    for (int i = 1; i <= 55; i++) {
      demo.hub()
          .channel("chat/tour")
          .publish("chat", Map.of("nick", "bot", "text", "earlier " + i, "ts", 0))
          .toCompletableFuture()
          .join();
    }
    Browser alice = open("chat.html?room=tour");
    awaitTransport(alice, "websocket");
    await().atMost(LIVE).until(() -> chatLines(alice).size() == 50);
    assertThat(chatLines(alice)).first().isEqualTo("bot: earlier 6");
    assertThat(chatLines(alice)).last().isEqualTo("bot: earlier 55");
    await().atMost(LIVE).until(() -> text(alice, "#presence").equals("1 here"));
    type(alice, "#nick", "alice");

    Browser bob = open("chat.html?room=tour");
    type(bob, "#nick", "bob");
    pick(bob, "sse");
    await().atMost(LIVE).until(() -> text(alice, "#presence").equals("2 here"));
    await().atMost(LIVE).until(() -> text(bob, "#presence").equals("2 here"));

    String attack = "<img src=x onerror=\"document.title='owned'\"> hi alice";
    type(bob, "#text", "   " + attack + "   ");
    find(bob, "#send").click();
    await().atMost(LIVE).until(() -> chatLines(alice).size() == 51);
    type(alice, "#text", "hello bob");
    find(alice, "#send").click();

    List<String> expected = List.of("bob: " + attack, "alice: hello bob");
    await()
        .atMost(LIVE)
        .until(() -> chatLines(alice).subList(50, chatLines(alice).size()).equals(expected));
    await()
        .atMost(LIVE)
        .until(() -> chatLines(bob).subList(50, chatLines(bob).size()).equals(expected));
    assertThat(alice.js("return document.querySelectorAll('#messages img').length;")).isEqualTo(0L);
    assertThat(alice.driver().getTitle()).doesNotContain("owned");
    assertThat(find(bob, "#text").getAttribute("value")).isEmpty();

    // Bob leaves. SSE notices a vanished client on its next write, a heartbeat at the latest.
    bob.close();
    browsers.remove(bob);
    await().atMost(Duration.ofSeconds(20)).until(() -> text(alice, "#presence").equals("1 here"));
    screenshot(alice, "chat");
  }

  @Test
  void chat_refusedMessage_showsTheServersReason() throws Exception {
    Browser b = open("chat.html?room=rules");
    awaitTransport(b, "websocket");
    b.js("document.getElementById('nick').removeAttribute('maxlength');");
    type(b, "#nick", "a-nickname-that-is-far-too-long-to-keep");
    type(b, "#text", "hi");
    find(b, "#send").click();
    await().atMost(LIVE).until(() -> text(b, "#error").contains("nicknames are limited to 24"));
    assertThat(chatLines(b)).isEmpty();
  }

  @Test
  void dashboard_drawsLiveTicksAndShowsRateAndLatency_onSseThenLongPolling() throws Exception {
    Browser b = open("dashboard.html");
    awaitTransport(b, "sse");
    await().atMost(LIVE).until(() -> Integer.parseInt(text(b, "#count")) >= 30);
    await().atMost(LIVE).until(() -> Integer.parseInt(text(b, "#rate")) >= 5);
    assertThat(text(b, "#latency")).matches("\\d+ ms");
    assertThat(text(b, "[data-symbol=EURUSD] .price")).matches("1\\.\\d{5}");
    Object inked =
        b.js(
            "const c = document.querySelector('[data-symbol=BTCUSD] canvas');"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n;");
    assertThat((Long) inked).as("pixels drawn on the chart").isGreaterThan(100);

    pick(b, "poll");
    int before = Integer.parseInt(text(b, "#count"));
    await().atMost(LIVE).until(() -> Integer.parseInt(text(b, "#count")) >= before + 60);
    screenshot(b, "dashboard");
  }

  private static void signIn(Browser b, String name) {
    type(b, "#name", name);
    find(b, "#login button").click();
    awaitTransport(b, "poll");
    assertThat(text(b, "#channel")).isEqualTo("user/" + name);
  }

  @Test
  void notifications_reachOnlyTheAddressee_withAnUnreadBadge_evenAfterBeingAway() throws Exception {
    Browser alice = open("notifications.html");
    signIn(alice, "alice");
    Browser bob = open("notifications.html");
    signIn(bob, "bob");

    type(bob, "#to", "alice");
    type(bob, "#text", "Lunch at <b>noon</b>?");
    find(bob, "#send button").click();
    await().atMost(LIVE).until(() -> text(bob, "#sent").equals("Sent to alice"));
    await().atMost(LIVE).until(() -> text(alice, "#unread").equals("1"));
    assertThat(text(alice, "#inbox li .from")).isEqualTo("bob");
    assertThat(text(alice, "#inbox li .text")).isEqualTo("Lunch at <b>noon</b>?");
    assertThat(bob.js("return document.querySelectorAll('#inbox li').length;")).isEqualTo(0L);

    // The Authorizer: alice's token does not open bob's channel.
    Object status =
        alice.jsAsync(
            "const done = arguments[arguments.length - 1];"
                + "const me = JSON.parse(localStorage.getItem('herald.demo.login'));"
                + "fetch('/push/poll?channel=user/bob&timeout=0',"
                + " {headers: {Authorization: 'Bearer ' + me.token}}).then(r => done(r.status));");
    assertThat(status).isEqualTo(403L);

    find(alice, "#read").click();
    assertThat(find(alice, "#unread").isDisplayed()).isFalse();

    // Alice leaves; what bob sends meanwhile waits in her channel's history for her cursor.
    alice.driver().get("about:blank");
    type(bob, "#text", "Never mind, see you tomorrow");
    find(bob, "#send button").click();
    await()
        .atMost(LIVE)
        .until(() -> bob.js("return document.getElementById('text').value;").equals(""));
    alice.driver().get("http://localhost:" + demo.port() + "/notifications.html");
    awaitTransport(alice, "poll");
    await().atMost(LIVE).until(() -> text(alice, "#unread").equals("1"));
    assertThat(text(alice, "#inbox li .text")).isEqualTo("Never mind, see you tomorrow");

    pick(alice, "websocket");
    type(bob, "#text", "Over WebSocket now");
    find(bob, "#send button").click();
    await().atMost(LIVE).until(() -> text(alice, "#unread").equals("2"));
    screenshot(alice, "notifications");
  }

  private static int words(Browser b) {
    String answer = text(b, "#answer");
    return answer.isBlank() ? 0 : answer.trim().split("\\s+").length;
  }

  @Test
  void tokens_streamWordByWordOverNdjson_andCancelStopsTheGenerator() throws Exception {
    Browser b = open("tokens.html");
    String prompt = "Why do cursors matter?";
    type(b, "#prompt", prompt);
    find(b, "#generate").click();
    awaitTransport(b, "stream");
    await().atMost(LIVE).until(() -> words(b) >= 3);
    int early = words(b);
    String full = String.join(" ", AnswerGenerator.answer(prompt));
    assertThat(early).isLessThan(full.split(" ").length);
    await()
        .atMost(LIVE)
        .until(() -> "complete".equals(find(b, "#answer").getAttribute("data-done")));
    assertThat(text(b, "#answer")).isEqualTo(full);
    assertThat(text(b, "#status")).isEqualTo("done, " + full.split(" ").length + " words");

    pick(b, "sse");
    type(b, "#prompt", "Tell me a long story about long polling");
    find(b, "#generate").click();
    await().atMost(LIVE).until(() -> words(b) >= 40);
    screenshot(b, "tokens");
    find(b, "#cancel").click();
    await()
        .atMost(LIVE)
        .until(() -> "cancelled".equals(find(b, "#answer").getAttribute("data-done")));
    assertThat(demo.answers().runningCount()).isZero();
    int stopped = words(b);
    assertThat(stopped)
        .isLessThan(AnswerGenerator.answer("Tell me a long story about long polling").size());
    assertThat(text(b, "#status")).isEqualTo("cancelled after " + stopped + " words");
  }
}
