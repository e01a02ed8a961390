package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Interactive;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.Select;

/**
 * The whiteboard in real headless Chromium driven by real pointer input: two people drawing on one
 * board at once, each seeing the other's cursor and presence, one of them behind a proxy that cuts
 * its connection while both draw, then a late third page on Server-Sent Events that draws the board
 * from history. The board is compared as the pages' lists of segments ({@code id/seq@offset}, in
 * order), not as pixels. Saves {@code target/screenshots/board.png} for the README.
 */
class WhiteboardBrowserTest {
  private static final Duration LIVE = Duration.ofSeconds(15);
  private static final String ALICE = "#e5484d";
  private static final String BOB = "#2f6fed";
  private static final String CAROL = "#1a8f4c";
  private static DemoServer demo;
  private static DroppingProxy proxy;
  private final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void startDemo() throws Exception {
    demo = DemoServer.start(new DemoOptions(0, null, false));
    proxy = new DroppingProxy(demo.port());
  }

  @AfterAll
  static void stopDemo() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
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

  private Browser open(int port, String page) throws Exception {
    Browser b = Browser.start();
    browsers.add(b);
    b.driver().get("http://localhost:" + port + "/" + page);
    return b;
  }

  private static WebElement find(Browser b, String css) {
    return b.driver().findElement(By.cssSelector(css));
  }

  /** Joins as a person would: a name typed and committed with Enter, a colour picked. */
  private static void join(Browser b, String name, String color) {
    join(b, name, color, "websocket");
  }

  /** Joins, then switches to this transport as the header's picker does. */
  private static void join(Browser b, String name, String color, String transport) {
    await()
        .atMost(LIVE)
        .until(() -> "open".equals(find(b, "#transport").getAttribute("data-state")));
    find(b, "#name").sendKeys(Keys.chord(Keys.CONTROL, "a"), name, Keys.ENTER);
    // A colour dialog cannot be driven; set the input and fire its change event as the dialog does.
    b.js(
        "const c = document.getElementById('color'); c.value = arguments[0];"
            + " c.dispatchEvent(new Event('change'));",
        color);
    if (!transport.equals("websocket")) {
      new Select(find(b, "#transport-select")).selectByValue(transport);
    }
    await()
        .atMost(LIVE)
        .untilAsserted(
            () -> {
              WebElement badge = find(b, "#transport");
              assertThat(badge.getAttribute("data-transport")).isEqualTo(transport);
              assertThat(badge.getAttribute("data-state")).isEqualTo("open");
            });
  }

  @SuppressWarnings("unchecked")
  private static List<String> strokes(Browser b) {
    return (List<String>) b.js("return window.board.strokes();");
  }

  private static long pending(Browser b) {
    return (Long) b.js("return window.board.pending();");
  }

  private static String key(Browser b) {
    return (String) b.js("return window.board.key;");
  }

  @SuppressWarnings("unchecked")
  private static List<String> people(Browser b) {
    return (List<String>)
        b.js(
            "return [...document.querySelectorAll('#people li')]"
                + ".map(li => li.dataset.name + ' ' + li.dataset.color);");
  }

  /**
   * How {@code viewer} shows the cursor of {@code who}: "name colour x y", or null if it does not.
   */
  private static String cursor(Browser viewer, Browser who) {
    return cursor(viewer, key(who));
  }

  /** How {@code viewer} shows the cursor of the page with this key, or null if it does not. */
  private static String cursor(Browser viewer, String key) {
    return (String)
        viewer.js(
            "const c = document.querySelector('.cursor[data-key=\"' + arguments[0] + '\"]');"
                + "return c && !c.hidden ? c.textContent + ' '"
                + " + c.style.getPropertyValue('--who') + ' ' + c.dataset.x + ' ' + c.dataset.y"
                + " : null;",
            key);
  }

  /** The board's box in viewport pixels: left, top, width, height. */
  @SuppressWarnings("unchecked")
  private static List<Number> box(Browser b) {
    return (List<Number>)
        b.js(
            "const r = document.getElementById('surface').getBoundingClientRect();"
                + " return [r.left, r.top, r.width, r.height];");
  }

  private static PointerInput.Origin viewport() {
    return PointerInput.Origin.viewport();
  }

  private static int px(List<Number> box, int axis, double fraction) {
    return (int)
        Math.round(box.get(axis).doubleValue() + fraction * box.get(axis + 2).doubleValue());
  }

  /** Draws a stroke through real pointer events: press, a move every 16 ms, release. */
  private static void draw(Browser b, List<double[]> path) {
    List<Number> box = box(b);
    PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "mouse");
    Sequence moves = new Sequence(mouse, 0);
    double[] first = path.get(0);
    moves.addAction(
        mouse.createPointerMove(
            Duration.ZERO, viewport(), px(box, 0, first[0]), px(box, 1, first[1])));
    moves.addAction(mouse.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
    for (double[] p : path.subList(1, path.size())) {
      moves.addAction(
          mouse.createPointerMove(
              Duration.ofMillis(16), viewport(), px(box, 0, p[0]), px(box, 1, p[1])));
    }
    moves.addAction(mouse.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
    ((Interactive) b.driver()).perform(List.of(moves));
  }

  /** Moves the pointer over the board without drawing. */
  private static void hover(Browser b, double x, double y) {
    List<Number> box = box(b);
    PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "mouse");
    Sequence move = new Sequence(mouse, 0);
    move.addAction(
        mouse.createPointerMove(Duration.ofMillis(50), viewport(), px(box, 0, x), px(box, 1, y)));
    ((Interactive) b.driver()).perform(List.of(move));
  }

  private static List<double[]> wave(double x0, double x1, double y, double amplitude) {
    List<double[]> path = new ArrayList<>();
    for (int i = 0; i <= 48; i++) {
      double x = x0 + (x1 - x0) * i / 48;
      path.add(new double[] {x, y + amplitude * Math.sin(i / 48.0 * 4 * Math.PI)});
    }
    return path;
  }

  /** A spiral (turns > 0) or a circle (turns = 0) around (cx, cy); r in board widths. */
  private static List<double[]> spiral(double cx, double cy, double r, double turns) {
    List<double[]> path = new ArrayList<>();
    for (int i = 0; i <= 56; i++) {
      double t = i / 56.0;
      double radius = turns > 0 ? r * (0.15 + 0.85 * t) : r;
      double angle = 2 * Math.PI * (turns > 0 ? turns : 1) * t;
      path.add(
          new double[] {cx + radius * Math.cos(angle), cy + radius * Math.sin(angle) * 16 / 10});
    }
    return path;
  }

  private static long head(String channel) {
    return demo.hub().channel(channel).position().toCompletableFuture().join().offset();
  }

  /** Draws on both pages at the same time, each path in its own thread. */
  private static void drawAtOnce(Browser a, List<double[]> pathA, Browser b, List<double[]> pathB) {
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> draw(a, pathA));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> draw(b, pathB));
    CompletableFuture.allOf(first, second).join();
  }

  /** Waits until every page shows the same segments with nothing of its own still in flight. */
  private static List<String> awaitSameBoard(Browser... pages) {
    await()
        .atMost(LIVE)
        .untilAsserted(
            () -> {
              for (Browser p : pages) {
                assertThat(pending(p)).as("segments not yet back").isZero();
                assertThat(strokes(p)).isEqualTo(strokes(pages[0]));
              }
            });
    return strokes(pages[0]);
  }

  /** Each stroke's segments, by stroke id: every one must be there, from 0 on, none twice. */
  private static Map<String, List<Integer>> segmentsByStroke(List<String> board) {
    Map<String, List<Integer>> byStroke = new TreeMap<>();
    for (String s : board) {
      String id = s.substring(0, s.indexOf('/'));
      int seq = Integer.parseInt(s.substring(s.indexOf('/') + 1, s.indexOf('@')));
      byStroke.computeIfAbsent(id, k -> new ArrayList<>()).add(seq);
    }
    return byStroke;
  }

  private static void assertWhole(List<String> board, int strokes) {
    Map<String, List<Integer>> byStroke = segmentsByStroke(board);
    assertThat(byStroke).as("strokes on %s", board).hasSize(strokes);
    byStroke.forEach(
        (id, seqs) -> {
          assertThat(seqs.size()).as("segments of %s", id).isGreaterThan(1);
          assertThat(seqs).as("segments of %s", id).isEqualTo(range(seqs.size()));
        });
  }

  private static List<Integer> range(int n) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(i);
    }
    return all;
  }

  private static List<Long> offsets(List<String> board) {
    return board.stream().map(s -> Long.parseLong(s.substring(s.indexOf('@') + 1))).toList();
  }

  private static void awaitCursor(
      Browser viewer, Browser who, String name, String color, double x, double y) {
    await()
        .atMost(LIVE)
        .untilAsserted(
            () -> {
              String shown = cursor(viewer, who);
              assertThat(shown).as("%s's cursor", name).isNotNull();
              String[] parts = shown.split(" ");
              assertThat(parts[0]).isEqualTo(name);
              assertThat(parts[1]).isEqualTo(color);
              assertThat(Double.parseDouble(parts[2])).isCloseTo(x, within(0.01));
              assertThat(Double.parseDouble(parts[3])).isCloseTo(y, within(0.01));
            });
  }

  @Test
  void
      twoPeopleDrawAtOnce_seeOneBoardCursorsAndPresence_andNeitherAReconnectNorALateJoinerLosesAStroke()
          throws Exception {
    String page = "board.html?board=tour";
    Browser alice = open(demo.port(), page);
    join(alice, "Alice", ALICE);
    Browser bob = open(proxy.port(), page); // bob's connection runs through the dropping proxy
    join(bob, "Bob", BOB);

    // Presence: each sees both, with the name and colour they chose.
    for (Browser b : List.of(alice, bob)) {
      await()
          .atMost(LIVE)
          .untilAsserted(
              () ->
                  assertThat(people(b)).containsExactlyInAnyOrder("Alice " + ALICE, "Bob " + BOB));
    }

    // Cursors: each sees the other's move, and never its own.
    hover(alice, 0.4, 0.5);
    awaitCursor(bob, alice, "Alice", ALICE, 0.4, 0.5);
    hover(alice, 0.6, 0.25);
    awaitCursor(bob, alice, "Alice", ALICE, 0.6, 0.25);
    hover(bob, 0.2, 0.8);
    awaitCursor(alice, bob, "Bob", BOB, 0.2, 0.8);
    hover(bob, 0.3, 0.7);
    awaitCursor(alice, bob, "Bob", BOB, 0.3, 0.7);
    assertThat(cursor(alice, alice)).isNull();
    assertThat(cursor(bob, bob)).isNull();

    // Both draw at once, two strokes each: one board, the same segments in the same order.
    drawAtOnce(alice, wave(0.06, 0.5, 0.28, 0.1), bob, spiral(0.28, 0.68, 0.13, 2.5));
    drawAtOnce(alice, spiral(0.76, 0.3, 0.1, 0), bob, wave(0.56, 0.94, 0.72, 0.08));
    List<String> board = awaitSameBoard(alice, bob);
    assertWhole(board, 4);
    // Cursors went out all along, ephemeral: the strokes' offsets have no holes.
    assertThat(offsets(board)).isEqualTo(LongStream.rangeClosed(1, board.size()).boxed().toList());

    hover(bob, 0.47, 0.52);
    awaitCursor(alice, bob, "Bob", BOB, 0.47, 0.52);
    hover(alice, 0.62, 0.46);
    awaitCursor(bob, alice, "Alice", ALICE, 0.62, 0.46);
    alice.js("document.activeElement.blur();"); // the name field keeps no caret in the picture
    alice.screenshot(Path.of("target", "screenshots", "board.png"));

    // Bob's connection is cut while both draw: his page reconnects, resumes and loses nothing.
    String bobsClient = (String) bob.js("return window.board.client.clientId;");
    CompletableFuture<Void> drawing =
        CompletableFuture.runAsync(
            () -> drawAtOnce(alice, wave(0.1, 0.9, 0.9, 0.03), bob, spiral(0.5, 0.5, 0.06, 1.5)));
    // Cut it mid-stroke: once a few of the new segments are stored, while both pens are down. The
    // pages answer nothing while their pointers move, so the hub tells.
    long before = head("board/tour");
    await()
        .atMost(LIVE)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> head("board/tour") >= before + 3 || drawing.isDone());
    assertThat(drawing).as("still drawing").isNotDone();
    assertThat(proxy.dropAll()).as("sockets cut").isPositive();
    drawing.join();
    await()
        .atMost(LIVE)
        .until(
            () -> {
              Object now = bob.js("return window.board.client.clientId;");
              return now != null && !now.equals(bobsClient);
            });
    board = awaitSameBoard(alice, bob);
    assertWhole(board, 6);
    for (Browser b : List.of(alice, bob)) {
      await()
          .atMost(LIVE)
          .untilAsserted(
              () ->
                  assertThat(people(b)).containsExactlyInAnyOrder("Alice " + ALICE, "Bob " + BOB));
    }

    // A late joiner, on Server-Sent Events, draws the whole board from history; her cursor goes out
    // as HTTP publishes.
    Browser carol = open(demo.port(), page);
    join(carol, "Carol", CAROL, "sse");
    assertThat(awaitSameBoard(alice, bob, carol)).isEqualTo(board);
    hover(carol, 0.85, 0.15);
    awaitCursor(alice, carol, "Carol", CAROL, 0.85, 0.15);
    hover(alice, 0.15, 0.85);
    awaitCursor(carol, alice, "Alice", ALICE, 0.15, 0.85);

    // Bob leaves: his name and his cursor go from the others' pages.
    hover(bob, 0.5, 0.5);
    awaitCursor(alice, bob, "Bob", BOB, 0.5, 0.5);
    String bobsKey = key(bob);
    bob.close();
    browsers.remove(bob);
    for (Browser b : List.of(alice, carol)) {
      await()
          .atMost(LIVE)
          .untilAsserted(
              () ->
                  assertThat(people(b))
                      .containsExactlyInAnyOrder("Alice " + ALICE, "Carol " + CAROL));
    }
    await().atMost(LIVE).until(() -> cursor(alice, bobsKey) == null);
  }
}
