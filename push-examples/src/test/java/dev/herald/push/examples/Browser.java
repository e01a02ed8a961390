package dev.herald.push.examples;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chrome or Chromium driven through chromedriver, both found by {@link
 * BrowserLookup}: named by {@code HERALD_CHROME} and {@code HERALD_CHROMEDRIVER}, else what
 * GitHub's runners provide, else the {@code PATH}, else Debian's {@code chromium} and {@code
 * chromium-driver} packages. Skips when none is found on a developer's machine; fails under {@code
 * CI=true}, naming every place it looked, and whenever a variable names a file that is not an
 * executable. Not thread-safe.
 */
public final class Browser implements AutoCloseable {
  private final WebDriver driver;
  private final Path profile;

  private Browser(WebDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a fresh browser with an empty profile. */
  public static Browser start() throws IOException {
    BrowserLookup.Result found = BrowserLookup.fromSystem().find();
    if (!found.found()) {
      if (found.misnamed()) {
        throw new IllegalStateException(found.problem());
      }
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(found.problem() + ": required under CI=true");
      }
      assumeTrue(false, found.problem());
    }
    Path profile = Files.createTempDirectory("herald-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(found.browser().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(found.driver().toFile())
            .usingAnyFreePort()
            .build();
    WebDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return new Browser(driver, profile);
  }

  public WebDriver driver() {
    return driver;
  }

  /** Runs a script and returns its value. */
  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Runs a script whose last argument is a callback, and returns what it passed back. */
  public Object jsAsync(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /** Saves a screenshot as a PNG file. */
  public void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(file, png);
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
