package dev.herald.push.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@link HttpPublisher} process of one server under test ({@code --publisher http}), pinned to
 * the client CPUs, and what the load tool reads of it. Not thread-safe.
 */
final class ExternalPublisher implements AutoCloseable {
  private final Process process;
  private final PrintWriter in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
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
    process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // The process ended.
              }
              lines.add("EXIT");
            },
            "publisher-out");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts an open-loop run; {@link #await} waits for its end. */
  void publish(int channels, double rate, double seconds, int size) {
    in.printf(Locale.ROOT, "PUBLISH %d %s %s %d%n", channels, rate, seconds, size);
    in.flush();
    running = true;
  }

  /** Waits until the run has ended and every answer is in; keeps its counts. */
  void await(double seconds) throws IOException, InterruptedException {
    if (!running) {
      return;
    }
    String line = lines.poll((long) seconds + 60, TimeUnit.SECONDS);
    if (line == null || !line.startsWith("DONE")) {
      throw new IOException("the http publisher did not finish: " + line + "; see its log");
    }
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
    in.println("QUIT");
    in.flush();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
