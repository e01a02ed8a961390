package dev.herald.push.bench.load;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The load tool's options, shared by every scenario. Immutable. */
record Settings(
    String jar,
    String java,
    Path out,
    List<String> serverJvm,
    List<String> clientJvm,
    String serverCpus,
    String clientCpus,
    boolean taskset,
    int repeat,
    double stepSeconds,
    int messageBytes,
    boolean quick,
    boolean httpPublisher,
    int resumeRounds) {

  /** Kernel clock ticks per second for {@code /proc/<pid>/stat}; 100 on every Linux we target. */
  static final long CLOCK_TICKS = clockTicks();

  static final String DEFAULT_SERVER_JVM = "-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseG1GC";
  static final String DEFAULT_CLIENT_JVM = "-Xms1g -Xmx1g -XX:+UseParallelGC";

  static Settings from(Args a) throws IOException {
    String jar = a.string("--jar", ownJar());
    Path out = Path.of(a.string("--out", "bench-results"));
    Files.createDirectories(out);
    boolean quick = Boolean.parseBoolean(a.string("--quick", "false"));
    boolean taskset = Files.isExecutable(Path.of("/usr/bin/taskset"));
    return new Settings(
        jar,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        out,
        split(a.string("--server-jvm", DEFAULT_SERVER_JVM)),
        split(a.string("--client-jvm", DEFAULT_CLIENT_JVM)),
        a.string("--server-cpus", "0"),
        a.string("--client-cpus", "1"),
        taskset && !"none".equals(a.string("--server-cpus", "0")),
        a.integer("--repeat", quick ? 1 : 3),
        Double.parseDouble(a.string("--step-seconds", quick ? "3" : "5")),
        a.integer("--message-bytes", 100),
        quick,
        switch (a.string("--publisher", "inside")) {
          case "inside" -> false;
          case "http" -> true;
          default ->
              throw new IllegalArgumentException(
                  "--publisher must be inside or http, got: " + a.string("--publisher", ""));
        },
        positive(a.integer("--resume-rounds", quick ? 2 : 3), "--resume-rounds"));
  }

  private static int positive(int value, String option) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got: " + value);
    }
    return value;
  }

  /** The {@code taskset} prefix for a process, or nothing when pinning is off. */
  List<String> pin(String cpus) {
    return taskset ? List.of("taskset", "-c", cpus) : List.of();
  }

  private static List<String> split(String flags) {
    return new ArrayList<>(Arrays.asList(flags.trim().split("\\s+")));
  }

  private static String ownJar() {
    try {
      return Path.of(Settings.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
