package dev.herald.push.redis;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * A real Redis for tests, from one of two backends behind the same operations (start, kill,
 * restart, raw commands, a link that can be cut):
 *
 * <ul>
 *   <li><b>container</b>: the image {@code $HERALD_TEST_REDIS_IMAGE} (default {@value
 *       #DEFAULT_IMAGE}), started by Testcontainers, see {@link ContainerRedis};
 *   <li><b>local</b>: a {@code redis-server} child process, see {@link LocalRedis} for where the
 *       binary comes from.
 * </ul>
 *
 * {@code $HERALD_TEST_REDIS} (or the system property {@code herald.test.redis}) picks one: {@code
 * local}, {@code container}, or {@code auto} (the default), which takes the container when
 * Testcontainers finds a Docker engine and the local binary otherwise. When a backend is asked for
 * by name and cannot be had, the test fails. When {@code auto} finds neither, the calling test is
 * skipped, unless the environment variable {@code CI} is {@code true}: then it fails, so CI never
 * passes without having run the Redis tests. Not thread-safe; confine to the test thread.
 */
public final class RedisServer implements AutoCloseable {
  /** The image the container backend runs unless {@code HERALD_TEST_REDIS_IMAGE} names another. */
  public static final String DEFAULT_IMAGE = "redis:7.2";

  private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);

  private static Boolean dockerAvailable;

  /** What a backend does; {@link RedisServer} adds the shared commands. Not thread-safe. */
  interface Backend extends AutoCloseable {
    String host();

    int port();

    /** Kills Redis at once: no shutdown, no save. */
    void kill();

    /** Starts Redis again at the same address, loading the snapshot {@code SAVE} wrote, if any. */
    void restart();

    /** A new link to this Redis that a test can cut. */
    RedisLink link() throws Exception;

    /** What runs, for messages. */
    String describe();

    @Override
    void close();
  }

  /** Which backend to start, and the binary or image it runs. */
  record Choice(String backend, String what) {}

  private final Backend backend;

  private RedisServer(Backend backend) {
    this.backend = backend;
  }

  /** Starts Redis on a free port, or skips (fails under CI) if no backend can be had. */
  public static RedisServer start() {
    Choice choice;
    try {
      choice =
          choose(
              setting("herald.test.redis", "HERALD_TEST_REDIS"),
              setting("herald.test.redis.image", "HERALD_TEST_REDIS_IMAGE"),
              RedisServer::dockerAvailable,
              () -> LocalRedis.findBinary(System.getenv()));
    } catch (Missing e) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(e.getMessage() + "; CI=true requires the Redis tests to run");
      }
      Assumptions.abort(e.getMessage() + "; skipping the Redis tests");
      throw e;
    }
    RedisServer server =
        new RedisServer(
            choice.backend().equals("container")
                ? ContainerRedis.start(choice.what())
                : LocalRedis.start(choice.what()));
    LOG.info("Redis for the test: {}", server);
    return server;
  }

  /**
   * Picks the backend. Throws {@link Missing} when {@code auto} finds neither backend, and {@link
   * IllegalStateException} when the backend named cannot be had or the name is unknown.
   */
  static Choice choose(
      String requested, String image, BooleanSupplier docker, Supplier<String> binary) {
    String mode =
        requested == null || requested.isBlank()
            ? "auto"
            : requested.trim().toLowerCase(Locale.ROOT);
    String theImage = image == null || image.isBlank() ? DEFAULT_IMAGE : image.trim();
    switch (mode) {
      case "container":
        if (!docker.getAsBoolean()) {
          throw new IllegalStateException(
              "HERALD_TEST_REDIS=container, but Testcontainers finds no Docker engine"
                  + " (see its log for the places it tried)");
        }
        return new Choice("container", theImage);
      case "local":
        String path = binary.get();
        if (path == null) {
          throw new IllegalStateException(
              "HERALD_TEST_REDIS=local, but there is no redis-server ($REDIS_SERVER, PATH,"
                  + " /usr/bin/redis-server)");
        }
        return new Choice("local", path);
      case "auto":
        if (docker.getAsBoolean()) {
          return new Choice("container", theImage);
        }
        String found = binary.get();
        if (found == null) {
          throw new Missing(
              "no Redis for the tests: Testcontainers finds no Docker engine, and there is no"
                  + " redis-server (install Debian's redis-server package or set REDIS_SERVER)");
        }
        return new Choice("local", found);
      default:
        throw new IllegalStateException(
            "HERALD_TEST_REDIS must be local, container or auto, was \"" + requested + "\"");
    }
  }

  /** Neither backend is there. */
  static final class Missing extends RuntimeException {
    Missing(String message) {
      super(message);
    }
  }

  private static synchronized boolean dockerAvailable() {
    if (dockerAvailable == null) {
      dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
    }
    return dockerAvailable;
  }

  private static String setting(String property, String env) {
    String value = System.getProperty(property);
    return value != null ? value : System.getenv(env);
  }

  /**
   * A free port below the kernel's ephemeral range, for example for a server that must not exist.
   */
  public static int freePort() {
    return FreePorts.pick();
  }

  /** The address to reach Redis at: {@code 127.0.0.1} unless Docker runs on another host. */
  public String host() {
    return backend.host();
  }

  public int port() {
    return backend.port();
  }

  public String uri() {
    return "redis://" + host() + ":" + port();
  }

  /** Kills Redis: no shutdown, no save. */
  public void kill() {
    backend.kill();
  }

  /**
   * Starts Redis again at the same address: empty, unless {@code SAVE} wrote a snapshot, which it
   * then loads, as a Redis with persistence would.
   */
  public void restart() {
    backend.restart();
  }

  /** A path to this Redis for one node, which the test can cut and restore. */
  RedisLink link() throws Exception {
    return backend.link();
  }

  /** Sends one command and returns the raw reply's first line, for checks and faults. */
  String command(String... args) {
    return Resp.command(host(), port(), args);
  }

  /** Sends one command and parses the reply: strings, longs and lists of them. */
  Object call(String... args) {
    return Resp.call(host(), port(), args);
  }

  @Override
  public String toString() {
    return backend.describe();
  }

  @Override
  public void close() {
    backend.close();
  }
}
