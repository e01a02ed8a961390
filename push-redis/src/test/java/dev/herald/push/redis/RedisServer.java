package dev.herald.push.redis;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} child process on a free port, without persistence, for tests. When
 * the binary is missing the calling test is skipped, unless the environment variable {@code CI} is
 * {@code true}: then it fails, so CI never passes without having run the Redis tests. The binary is
 * {@code $REDIS_SERVER} if set (and only that), else {@code redis-server} on the {@code PATH}, else
 * {@code /usr/bin/redis-server}. Not thread-safe; confine to the test thread.
 */
public final class RedisServer implements AutoCloseable {
  private final String binary;
  private final int port;
  private final Path log;
  private Process process;

  private RedisServer(String binary, int port, Path log) {
    this.binary = binary;
    this.port = port;
    this.log = log;
  }

  /** Starts a server on a free port, or skips (fails under CI) if there is no binary. */
  public static RedisServer start() {
    String binary = findBinary();
    if (binary == null) {
      String message =
          "redis-server not found (install Debian's redis-server package or set REDIS_SERVER)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + "; CI=true requires the Redis tests to run");
      }
      Assumptions.abort(message + "; skipping the Redis tests");
    }
    try {
      Path dir = Files.createDirectories(Path.of("target", "redis"));
      int port = FreePorts.pick();
      RedisServer server = new RedisServer(binary, port, dir.resolve("redis-" + port + ".log"));
      Files.deleteIfExists(server.snapshot());
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A free port below the kernel's ephemeral range, for example for a server that must not exist.
   */
  public static int freePort() {
    return FreePorts.pick();
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server with SIGKILL: no shutdown, no save. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts the server again on the same port: empty, unless {@code SAVE} wrote a snapshot, which it
   * then loads, as a Redis with persistence would.
   */
  public void restart() {
    launch();
  }

  private Path snapshot() {
    return log.getParent().resolve("dump-" + port + ".rdb");
  }

  /** Sends one command and returns the raw reply's first line, for checks and faults. */
  String command(String... args) {
    return send(args, in -> readLine(in));
  }

  /** Sends one command and parses the reply: strings, longs and lists of them. */
  Object call(String... args) {
    return send(args, RedisServer::readReply);
  }

  private interface Reader<T> {
    T read(InputStream in) throws IOException;
  }

  private <T> T send(String[] args, Reader<T> reader) {
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
      return reader.read(new java.io.BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException("redis command " + List.of(args) + " failed", e);
    }
  }

  private void launch() {
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
            log.getParent().toAbsolutePath().toString(),
            "--dbfilename",
            snapshot().getFileName().toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary, e);
    }
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    await("redis-server on port " + port)
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              if (!started.isAlive()) {
                throw new AssertionError("redis-server exited; see " + log.toAbsolutePath());
              }
              return "+PONG".equals(command("PING"));
            });
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(snapshot());
    } catch (IOException e) {
      // Left for the next run, which deletes it first.
    }
    if (process != null && process.isAlive()) {
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
  }

  private static Object readReply(InputStream in) throws IOException {
    String line = readLine(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case ':':
        return Long.parseLong(rest);
      case '$':
        {
          int length = Integer.parseInt(rest);
          if (length < 0) {
            return null;
          }
          byte[] bytes = in.readNBytes(length + 2);
          return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int count = Integer.parseInt(rest);
          java.util.List<Object> items = new java.util.ArrayList<>();
          for (int i = 0; i < count; i++) {
            items.add(readReply(in));
          }
          return items;
        }
      default:
        return line;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static String findBinary() {
    String configured = System.getenv("REDIS_SERVER");
    if (configured != null && !configured.isEmpty()) {
      // Named explicitly: no fallback, so a wrong path shows up as a skip (or a CI failure).
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
