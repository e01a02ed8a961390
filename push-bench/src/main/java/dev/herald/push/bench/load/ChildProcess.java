package dev.herald.push.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process the load tool drives with one-line commands on its standard input and reads one-line
 * answers from its standard output (a load client, the HTTP publisher). A daemon thread queues the
 * answers; {@code EXIT} is queued when the output ends. Not thread-safe.
 */
final class ChildProcess {
  final Process process;
  private final String name;
  private final PrintWriter in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  /** Starts reading {@code process}'s output; {@code name} names it in errors and its thread. */
  ChildProcess(Process process, String name) {
    this.process = process;
    this.name = name;
    this.in =
        new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
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
            name + "-out");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends one command line. */
  void send(String command) {
    in.println(command);
    in.flush();
  }

  /**
   * The next answer starting with {@code prefix}, skipping others.
   *
   * @throws IOException if none comes by the deadline or the process exits first
   */
  String await(String prefix, long deadlineNanos) throws IOException, InterruptedException {
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IOException("a " + name + " did not answer " + prefix + " in time");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
      if (line.equals("EXIT")) {
        throw new IOException("a " + name + " exited; see its log in the results directory");
      }
    }
  }
}
