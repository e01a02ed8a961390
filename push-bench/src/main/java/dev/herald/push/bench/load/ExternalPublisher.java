package dev.herald.push.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The {@link HttpPublisher} process of one server under test ({@code --publisher http}), pinned to
 * the client CPUs, and what the load tool reads of it. Not thread-safe.
 */
final class ExternalPublisher implements AutoCloseable {
  private final ChildProcess child;
  private String published = "";
  private long failed;
  private boolean running;

  ExternalPublisher(Settings s, String impl, int port) throws IOException {
    List<String> cmd = new ArrayList<>(s.pin(s.clientCpus()));
    cmd.add(s.java());
    cmd.addAll(s.clientJvm());
    cmd.addAll(List.of("-cp", s.jar(), "dev.herald.push.bench.Main", "publisher"));
    cmd.addAll(List.of("--impl", impl, "--port", String.valueOf(port)));
    Path log = s.out().resolve("publisher-" + impl + ".log");
    child =
        new ChildProcess(
            new ProcessBuilder(cmd).redirectError(log.toFile()).start(), "http publisher");
  }

  /** Starts an open-loop run; {@link #await} waits for its end. */
  void publish(int channels, double rate, double seconds, int size) {
    child.send(String.format(Locale.ROOT, "PUBLISH %d %s %s %d", channels, rate, seconds, size));
    running = true;
  }

  /** Waits until the run has ended and every answer is in; keeps its counts. */
  void await(double seconds) throws IOException, InterruptedException {
    if (!running) {
      return;
    }
    String line =
        child.await("DONE", System.nanoTime() + TimeUnit.SECONDS.toNanos((long) seconds + 60));
    running = false;
    for (String field : line.split(" ")) {
      if (field.startsWith("published=")) {
        published = field.substring("published=".length());
      } else if (field.startsWith("failed=")) {
        failed = Long.parseLong(field.substring("failed=".length()));
      }
    }
  }

  /** Messages sent so far per channel, as the clients' REPORT wants them. */
  String published() {
    return published;
  }

  /** Publishes of the last run that were not answered 2xx (or not sent, or not answered). */
  long failed() {
    return failed;
  }

  @Override
  public void close() throws InterruptedException {
    child.send("QUIT");
    if (!child.process.waitFor(10, TimeUnit.SECONDS)) {
      child.process.destroyForcibly();
    }
  }
}
