package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@link BrowserLookup} finds the browser and its driver, over fake executables. */
class BrowserLookupTest {
  @TempDir Path root;
  private Path debianBrowser;
  private Path debianDriver;
  private final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void debian() throws IOException {
    debianBrowser = root.resolve("usr/bin/chromium");
    debianDriver = root.resolve("usr/bin/chromedriver");
  }

  private Path executable(String path) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private BrowserLookup.Result find() {
    return new BrowserLookup(env, debianBrowser, debianDriver).find();
  }

  private void path(String... dirs) {
    StringBuilder sb = new StringBuilder();
    for (String dir : dirs) {
      sb.append(sb.length() == 0 ? "" : ":").append(root.resolve(dir));
    }
    env.put("PATH", sb.toString());
  }

  @Test
  void nothingSet_fallsBackToDebiansPaths() throws IOException {
    executable("usr/bin/chromium");
    executable("usr/bin/chromedriver");
    path("empty");

    BrowserLookup.Result result = find();

    assertThat(result.found()).isTrue();
    assertThat(result.browser()).isEqualTo(debianBrowser);
    assertThat(result.driver()).isEqualTo(debianDriver);
  }

  @Test
  void path_isSearchedInOrder_chromiumBeforeChrome() throws IOException {
    executable("a/google-chrome");
    Path chromium = executable("b/chromium-browser");
    Path driver = executable("b/chromedriver");
    executable("usr/bin/chromium");
    executable("usr/bin/chromedriver");
    path("a", "b");

    BrowserLookup.Result result = find();

    assertThat(result.browser()).isEqualTo(chromium);
    assertThat(result.driver()).isEqualTo(driver);
  }

  @Test
  void githubRunner_pairsGoogleChromeWithTheDriverInChromeWebDriver() throws IOException {
    // As on ubuntu-24.04: Chromium snapshot and Chrome both on the PATH, the driver built for
    // Chrome.
    executable("usr/bin/chromium");
    Path chrome = executable("usr/bin/google-chrome");
    executable("usr/bin/chromedriver");
    Path driver = executable("usr/local/share/chromedriver-linux64/chromedriver");
    path("usr/bin");
    env.put("CHROMEWEBDRIVER", root.resolve("usr/local/share/chromedriver-linux64").toString());

    BrowserLookup.Result result = find();

    assertThat(result.browser()).isEqualTo(chrome);
    assertThat(result.driver()).isEqualTo(driver);
  }

  @Test
  void chromeBin_comesBeforeThePath() throws IOException {
    Path chrome = executable("opt/google/chrome/chrome");
    executable("bin/chromium");
    executable("bin/chromedriver");
    path("bin");
    env.put("CHROME_BIN", chrome.toString());

    assertThat(find().browser()).isEqualTo(chrome);
  }

  @Test
  void explicitSettings_winOverEverything() throws IOException {
    Path browser = executable("custom/chrome");
    Path driver = executable("custom/driver");
    executable("bin/chromium");
    executable("bin/chromedriver");
    executable("runner/chromedriver");
    path("bin");
    env.put("CHROMEWEBDRIVER", root.resolve("runner").toString());
    env.put("CHROME_BIN", root.resolve("bin/chromium").toString());
    env.put("HERALD_CHROME", browser.toString());
    env.put("HERALD_CHROMEDRIVER", driver.toString());

    BrowserLookup.Result result = find();

    assertThat(result.browser()).isEqualTo(browser);
    assertThat(result.driver()).isEqualTo(driver);
  }

  @Test
  void explicitSettingThatIsNoExecutable_isReportedNotPassedOver() throws IOException {
    executable("bin/chromium");
    executable("bin/chromedriver");
    Path notExecutable = root.resolve("bin/readme");
    Files.writeString(notExecutable, "text");
    path("bin");
    env.put("HERALD_CHROMEDRIVER", notExecutable.toString());

    BrowserLookup.Result result = find();

    assertThat(result.found()).isFalse();
    assertThat(result.misnamed()).isTrue();
    assertThat(result.problem())
        .isEqualTo("HERALD_CHROMEDRIVER=" + notExecutable + " is not an executable file");
  }

  @Test
  void nothingFound_namesEveryPlaceSearched() throws IOException {
    Files.createDirectories(root.resolve("bin"));
    Files.writeString(root.resolve("bin/chromium"), "not executable");
    path("bin");

    BrowserLookup.Result result = find();

    assertThat(result.found()).isFalse();
    assertThat(result.misnamed()).isFalse();
    assertThat(result.problem())
        .contains("$HERALD_CHROME (unset)", "$CHROME_BIN (unset)")
        .contains("chromium on the PATH", "chromium-browser on the PATH")
        .contains("google-chrome on the PATH", "google-chrome-stable on the PATH")
        .contains(debianBrowser.toString())
        .contains("$HERALD_CHROMEDRIVER (unset)", "$CHROMEWEBDRIVER (unset)")
        .contains("chromedriver on the PATH", debianDriver.toString())
        .contains(root.resolve("bin").toString())
        .contains("apt-get install chromium chromium-driver");
  }

  @Test
  void browserFound_driverMissing_namesOnlyTheDriver() throws IOException {
    Path chromium = executable("bin/chromium");
    path("bin");

    BrowserLookup.Result result = find();

    assertThat(result.found()).isFalse();
    assertThat(result.browser()).isEqualTo(chromium);
    assertThat(result.problem()).contains("no chromedriver in").doesNotContain("no browser in");
  }
}
