package dev.herald.push.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server under test in its own JVM, optionally pinned to CPUs with {@code taskset}, and what the
 * load tool reads of it: CPU time and RSS from {@code /proc/<pid>}, heap and publisher state from
 * its control endpoint. Not thread-safe.
 */
final class ServerProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final int port;
  private final long pid;
  private final Settings settings;
  private final String impl;

  /** With {@code --publisher http}: the publisher process, started at the first publish. */
  private ExternalPublisher external;

  private double lastSeconds;

  private ServerProcess(Process process, int port, Settings settings, String impl) {
    this.process = process;
    this.port = port;
    this.pid = process.pid();
    this.settings = settings;
    this.impl = impl;
  }

  /** Starts {@code Main server --impl impl} and waits until it listens. */
  static ServerProcess start(Settings s, String impl, int port) throws IOException {
    List<String> cmd = new ArrayList<>(s.pin(s.serverCpus()));
    cmd.add(s.java());
    cmd.addAll(s.serverJvm());
    cmd.addAll(List.of("-cp", s.jar(), "dev.herald.push.bench.Main", "server"));
    cmd.addAll(List.of("--impl", impl, "--port", String.valueOf(port)));
    Path log = s.out().resolve("server-" + impl + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  var w = Files.newBufferedWriter(log)) {
                String line;
                while ((line = in.readLine()) != null) {
                  if (line.startsWith("READY")) {
                    ready.complete(null);
                  }
                  w.write(line);
                  w.newLine();
                  w.flush();
                }
              } catch (IOException e) {
                // The process ended.
              }
              ready.completeExceptionally(new IOException("server exited; see " + log));
            },
            "server-out");
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("server " + impl + " did not start: " + e.getMessage(), e);
    }
    return new ServerProcess(p, port, s, impl);
  }

  int port() {
    return port;
  }

  /** User plus system CPU time of the whole server process, in seconds. */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return ticks(stat) / (double) Settings.CLOCK_TICKS;
  }

  /** User plus system clock ticks from a {@code /proc/…/stat} line, of a process or a thread. */
  private static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * User plus system CPU time of the server's JIT compiler threads, in seconds: the threads whose
   * name starts with {@code C1 CompilerThre} or {@code C2 CompilerThre} (Linux keeps 15 characters
   * of a thread's name). Part of {@link #cpuSeconds}. A compiler thread the JVM stops takes its
   * time with it; with one or two processors HotSpot keeps one thread per compiler, so none stops.
   */
  double compilerCpuSeconds() throws IOException {
    long total = 0;
    try (var tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          total += ticks(stat);
        }
      }
    }
    return total / (double) Settings.CLOCK_TICKS;
  }

  /**
   * Anonymous resident memory in bytes ({@code RssAnon}, or {@code VmRSS} where the kernel does not
   * tell them apart): the pages of the jar and the JVM's libraries, which the kernel drops and
   * reads back as other processes need memory, would move the figure by megabytes.
   */
  long rssBytes() throws IOException {
    long total = -1;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("RssAnon:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
      if (line.startsWith("VmRSS:")) {
        total = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    if (total < 0) {
      throw new IOException("no VmRSS for " + pid);
    }
    return total;
  }

  /** The control endpoint's stats, after a full GC when asked. */
  JsonNode stats(boolean gc) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + "/bench/stats?gc=" + gc))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("stats: HTTP " + r.statusCode());
    }
    return JSON.readTree(r.body());
  }

  /** Messages published so far per channel, as the clients' REPORT wants them. */
  String published() throws IOException, InterruptedException {
    if (external != null) {
      return external.published();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode n : stats(false).get("published")) {
      sb.append(sb.length() == 0 ? "" : ",").append(n.asLong());
    }
    return sb.toString();
  }

  /**
   * Starts an open-loop publishing run: on the server's own publisher thread, or with {@code
   * --publisher http} from the publisher process over HTTP.
   */
  void publish(int channels, double rate, double seconds, int size)
      throws IOException, InterruptedException {
    lastSeconds = seconds;
    if (settings.httpPublisher()) {
      if (external == null) {
        external = new ExternalPublisher(settings, impl, port);
      }
      external.publish(channels, rate, seconds, size);
      return;
    }
    String q = "channels=" + channels + "&rate=" + rate + "&seconds=" + seconds + "&size=" + size;
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + "/bench/publish?" + q))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IOException("publish: HTTP " + r.statusCode() + " " + r.body());
    }
  }

  /** Waits until the publishing run has ended (with the HTTP publisher: every answer is in). */
  void awaitPublished() throws IOException, InterruptedException {
    if (external != null) {
      external.await(lastSeconds);
      return;
    }
    while (stats(false).get("running").asBoolean()) {
      Thread.sleep(100);
    }
  }

  /** Publishes of the last run that failed: not answered 2xx by the server. */
  long publishFailures() {
    return external == null ? 0 : external.failed();
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    if (external != null) {
      external.close();
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
