package dev.herald.push.redis;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} child process on a free port below the ephemeral range, bound to the
 * loopback address, without persistence unless a test sends {@code SAVE}. Not thread-safe.
 */
final class LocalRedis implements RedisServer.Backend {
  private final String binary;
  private final int port;
  private final Path log;
  private Process process;

  private LocalRedis(String binary, int port, Path log) {
    this.binary = binary;
    this.port = port;
    this.log = log;
  }

  static LocalRedis start(String binary) {
    try {
      Path dir = Files.createDirectories(Path.of("target", "redis"));
      int port = FreePorts.pick();
      LocalRedis server = new LocalRedis(binary, port, dir.resolve("redis-" + port + ".log"));
      Files.deleteIfExists(server.snapshot());
      server.launch();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The {@code redis-server} binary: {@code $REDIS_SERVER} if set (and only that: a wrong path is
   * reported, not replaced), else {@code redis-server} on the {@code PATH}, else {@code
   * /usr/bin/redis-server}; null if none is executable.
   */
  static String findBinary(Map<String, String> env) {
    String configured = env.get("REDIS_SERVER");
    if (configured != null && !configured.isEmpty()) {
      return new File(configured).canExecute() ? configured : null;
    }
    String path = env.get("PATH");
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

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void restart() {
    launch();
  }

  @Override
  public RedisLink link() throws IOException {
    return new TcpProxy(port);
  }

  @Override
  public String describe() {
    return binary + " on port " + port;
  }

  private Path snapshot() {
    return log.getParent().resolve("dump-" + port + ".rdb");
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
              return "+PONG".equals(Resp.command(host(), port, "PING"));
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
}
