package dev.herald.push.examples;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a Chrome or Chromium and its chromedriver, first match wins:
 *
 * <ol>
 *   <li>named explicitly: {@code HERALD_CHROME} and {@code HERALD_CHROMEDRIVER} (environment
 *       variables, or the system properties {@code herald.chrome} and {@code herald.chromedriver});
 *       a name that is not an executable file is an error, never passed over;
 *   <li>what GitHub's Ubuntu runners set: {@code CHROME_BIN} ({@code /usr/bin/google-chrome}) and
 *       {@code $CHROMEWEBDRIVER/chromedriver}. Where {@code CHROMEWEBDRIVER} is set, Google Chrome
 *       on the {@code PATH} comes before Chromium, because the runner's driver is built for its
 *       Chrome, while its {@code chromium} is a snapshot of a nearby revision;
 *   <li>the {@code PATH}: {@code chromium}, {@code chromium-browser}, {@code google-chrome}, {@code
 *       google-chrome-stable}, and {@code chromedriver};
 *   <li>Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (packages {@code
 *       chromium} and {@code chromium-driver}).
 * </ol>
 *
 * A pure function of the environment it is given and the files on disk. Immutable.
 */
final class BrowserLookup {
  static final String CHROME = "HERALD_CHROME";
  static final String CHROMEDRIVER = "HERALD_CHROMEDRIVER";
  private static final List<String> CHROMIUMS = List.of("chromium", "chromium-browser");
  private static final List<String> CHROMES = List.of("google-chrome", "google-chrome-stable");

  /**
   * What was found: both executables, or why not; {@code misnamed} when a variable names a file
   * that is not an executable, which is a mistake to report rather than a machine without a
   * browser.
   */
  record Result(Path browser, Path driver, String problem, boolean misnamed) {
    boolean found() {
      return problem == null;
    }
  }

  private final Map<String, String> env;
  private final Path debianBrowser;
  private final Path debianDriver;

  /**
   * @param env the environment, with {@code HERALD_CHROME} and {@code HERALD_CHROMEDRIVER} already
   *     overridden by their system properties if set
   * @param debianBrowser the last resort for the browser, {@code /usr/bin/chromium} outside tests
   * @param debianDriver the last resort for the driver, {@code /usr/bin/chromedriver} outside tests
   */
  BrowserLookup(Map<String, String> env, Path debianBrowser, Path debianDriver) {
    this.env = Map.copyOf(env);
    this.debianBrowser = debianBrowser;
    this.debianDriver = debianDriver;
  }

  /** The lookup for this process: its environment and system properties, Debian's paths. */
  static BrowserLookup fromSystem() {
    Map<String, String> env = new HashMap<>(System.getenv());
    override(env, CHROME, System.getProperty("herald.chrome"));
    override(env, CHROMEDRIVER, System.getProperty("herald.chromedriver"));
    return new BrowserLookup(env, Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromedriver"));
  }

  private static void override(Map<String, String> env, String name, String value) {
    if (value != null) {
      env.put(name, value);
    }
  }

  Result find() {
    List<String> searched = new ArrayList<>();
    String bad = explicit(CHROME);
    if (bad == null) {
      bad = explicit(CHROMEDRIVER);
    }
    if (bad != null) {
      return new Result(null, null, bad, true);
    }
    Path browser = browser(searched);
    List<String> driverSearched = new ArrayList<>();
    Path driver = driver(driverSearched);
    if (browser != null && driver != null) {
      return new Result(browser, driver, null, false);
    }
    StringBuilder why = new StringBuilder("headless Chrome needs a browser and chromedriver;");
    if (browser == null) {
      why.append(" no browser in ").append(String.join(", ", searched)).append(';');
    }
    if (driver == null) {
      why.append(" no chromedriver in ").append(String.join(", ", driverSearched)).append(';');
    }
    why.append(" on the PATH ")
        .append(env.getOrDefault("PATH", "(unset)"))
        .append(" (Debian: apt-get install chromium chromium-driver; elsewhere set ")
        .append(CHROME)
        .append(" and ")
        .append(CHROMEDRIVER)
        .append(')');
    return new Result(browser, driver, why.toString(), false);
  }

  /** Why a variable that names an executable does not, or null when it is unset or fine. */
  private String explicit(String name) {
    String value = env.get(name);
    if (value == null || value.isBlank() || executable(Path.of(value))) {
      return null;
    }
    return name + "=" + value + " is not an executable file";
  }

  private Path browser(List<String> searched) {
    Path found = fromVariable(CHROME, searched);
    if (found == null) {
      found = fromVariable("CHROME_BIN", searched);
    }
    List<String> names = new ArrayList<>();
    if (set("CHROMEWEBDRIVER")) {
      names.addAll(CHROMES);
      names.addAll(CHROMIUMS);
    } else {
      names.addAll(CHROMIUMS);
      names.addAll(CHROMES);
    }
    for (String name : names) {
      if (found == null) {
        found = onPath(name, searched);
      }
    }
    return found != null ? found : atPath(debianBrowser, searched);
  }

  private Path driver(List<String> searched) {
    Path found = fromVariable(CHROMEDRIVER, searched);
    if (found == null) {
      if (set("CHROMEWEBDRIVER")) {
        found = atPath(Path.of(env.get("CHROMEWEBDRIVER"), "chromedriver"), searched);
      } else {
        searched.add("$CHROMEWEBDRIVER (unset)");
      }
    }
    if (found == null) {
      found = onPath("chromedriver", searched);
    }
    return found != null ? found : atPath(debianDriver, searched);
  }

  private boolean set(String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }

  private Path fromVariable(String name, List<String> searched) {
    if (!set(name)) {
      searched.add("$" + name + " (unset)");
      return null;
    }
    return atPath(Path.of(env.get(name)), searched);
  }

  private Path onPath(String name, List<String> searched) {
    searched.add(name + " on the PATH");
    String path = env.get("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (executable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static Path atPath(Path path, List<String> searched) {
    searched.add(path.toString());
    return executable(path) ? path : null;
  }

  private static boolean executable(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }
}
