package dev.herald.push.examples;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} child process on a free port, without persistence, for tests (the
 * pattern of push-redis's fixture). When the binary is missing the calling test is skipped, unless
 * the environment variable {@code CI} is {@code true}: then it fails, so CI never passes without
 * having run the Redis tests. The binary is {@code $REDIS_SERVER} if set (and only that), else
 * {@code redis-server} on the {@code PATH}, else {@code /usr/bin/redis-server}. Not thread-safe;
 * confine to the test thread.
 */
final class RedisServer implements AutoCloseable {
  private final int port;
  private final Process process;

  private RedisServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** Starts a server on a free port, or skips (fails under CI) if there is no binary. */
  static RedisServer start() throws IOException {
    String binary = findBinary();
    if (binary == null) {
      String message =
          "redis-server not found (install Debian's redis-server package or set REDIS_SERVER)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + "; CI=true requires the Redis tests to run");
      }
      Assumptions.abort(message + "; skipping the Redis tests");
    }
    Path dir = Files.createDirectories(Path.of("target", "redis"));
    int port = freePort();
    Path log = dir.resolve("redis-" + port + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
            binary,
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toAbsolutePath().toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    RedisServer server = new RedisServer(port, process);
    await("redis-server on port " + port)
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("redis-server exited; see " + log.toAbsolutePath());
              }
              return "+PONG".equals(server.command("PING"));
            });
    return server;
  }

  /** A port nothing listens on at the moment. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Sends one command and returns the raw reply's first line. */
  String command(String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      socket.setSoTimeout(5000);
      StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        sb.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String findBinary() {
    String configured = System.getenv("REDIS_SERVER");
    if (configured != null && !configured.isEmpty()) {
      return new File(configured).canExecute() ? configured : null;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File candidate = new File(dir, "redis-server");
        if (candidate.canExecute()) {
          return candidate.getAbsolutePath();
        }
      }
    }
    File fallback = new File("/usr/bin/redis-server");
    return fallback.canExecute() ? fallback.getAbsolutePath() : null;
  }
}
