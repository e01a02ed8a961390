package dev.herald.push.examples;

import static org.awaitility.Awaitility.await;

import dev.herald.push.ClientMessageHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.WindowType;

/**
 * A demo server whose channels matching a pattern take client messages, and one headless Chromium
 * whose tabs the test opens on the demo's origin: the fixture of the browser tests that need
 * several tabs of one browser. Not thread-safe: one test at a time.
 */
final class DemoTabs implements AutoCloseable {
  final DemoServer demo;
  final Browser browser;

  /** The tabs the running test opened, closed after it. */
  final List<String> tabs = new ArrayList<>();

  private final String blank;

  private DemoTabs(DemoServer demo, Browser browser) {
    this.demo = demo;
    this.browser = browser;
    this.blank = browser.driver().getWindowHandle();
  }

  /** Starts Chromium and the demo, with client messages on {@code clientPattern}. */
  static DemoTabs start(String clientPattern) throws Exception {
    Browser browser = Browser.start();
    try {
      return new DemoTabs(
          DemoServer.start(
              new DemoOptions(0, null, false),
              hub -> hub.acceptClientMessages(clientPattern, ClientMessageHandler.PASS_THROUGH),
              context -> {}),
          browser);
    } catch (Exception | Error e) {
      browser.close();
      throw e;
    }
  }

  String base() {
    return "http://localhost:" + demo.port();
  }

  /** Opens a tab on the demo's origin, switched to and remembered for {@link #closeTabs}. */
  String newTab() {
    browser.driver().switchTo().newWindow(WindowType.TAB);
    String tab = browser.driver().getWindowHandle();
    tabs.add(tab);
    browser.driver().get(base() + "/");
    return tab;
  }

  /** Closes the test's tabs that are still open and waits until the hub holds no connection. */
  void closeTabs(Duration wait) {
    for (String tab : tabs) {
      if (browser.driver().getWindowHandles().contains(tab)) {
        browser.driver().switchTo().window(tab).close();
      }
    }
    tabs.clear();
    browser.driver().switchTo().window(blank);
    await().atMost(wait).until(() -> demo.hub().connectionCount() == 0);
  }

  @Override
  public void close() throws Exception {
    try {
      browser.close();
    } finally {
      demo.close();
    }
  }
}
