package dev.herald.push.examples;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The demo's command line: {@code [--port N] [--redis URI] [--drain SECONDS] [--help]}, with the
 * {@code PORT} environment variable as the default port. Immutable.
 *
 * @param port the HTTP port, 0 for any free one
 * @param redisUri where the Redis broker lives, or {@code null} for the in-memory broker
 * @param drain how long a stop (SIGTERM) spreads the clients' reconnects over before it closes
 * @param help whether only the usage was asked for
 */
public record DemoOptions(int port, String redisUri, Duration drain, boolean help) {
  static final String USAGE =
      "usage: java -jar push-examples.jar [--port N] [--redis redis://host:port] [--drain S]\n"
          + "  --port N    HTTP port (default: $PORT, else 8080)\n"
          + "  --redis URI join a cluster of demo nodes through Redis (redis://host:port, or\n"
          + "              redis-cluster://host:port,host:port for a Redis Cluster)\n"
          + "  --drain S   on SIGTERM, close clients spread over S seconds (default 5, 0 for all"
          + " at once)";

  /** The drain window when none is given. */
  static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);

  /** Validates the port and the drain window. */
  public DemoOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    Objects.requireNonNull(drain, "drain");
    if (drain.isNegative()) {
      throw new IllegalArgumentException("drain must not be negative, was " + drain);
    }
  }

  /** Options with the default drain window. */
  public DemoOptions(int port, String redisUri, boolean help) {
    this(port, redisUri, DEFAULT_DRAIN, help);
  }

  /** Parses the arguments; throws {@code IllegalArgumentException} with a readable message. */
  public static DemoOptions parse(String[] args, Map<String, String> env) {
    int port = env.containsKey("PORT") ? parsePort(env.get("PORT"), "PORT") : 8080;
    String redis = null;
    Duration drain = DEFAULT_DRAIN;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = parsePort(value(args, ++i, "--port"), "--port");
        case "--redis" -> redis = value(args, ++i, "--redis");
        case "--drain" -> drain = parseDrain(value(args, ++i, "--drain"));
        case "-h", "--help" -> help = true;
        default -> {
          if (args[i].startsWith("--port=")) {
            port = parsePort(args[i].substring(7), "--port");
          } else if (args[i].startsWith("--drain=")) {
            drain = parseDrain(args[i].substring(8));
          } else if (args[i].startsWith("--redis=")) {
            redis = args[i].substring(8);
          } else {
            throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"");
          }
        }
      }
    }
    if (redis != null
        && !(redis.startsWith("redis://")
            || redis.startsWith("rediss://")
            || redis.startsWith("redis-cluster://")
            || redis.startsWith("rediss-cluster://"))) {
      throw new IllegalArgumentException(
          "--redis must be a redis://, rediss:// or redis-cluster:// URI, was \"" + redis + "\"");
    }
    return new DemoOptions(port, redis, drain, help);
  }

  private static Duration parseDrain(String s) {
    try {
      int seconds = Integer.parseInt(s.trim());
      if (seconds < 0 || seconds > 3600) {
        throw new IllegalArgumentException("--drain must be 0..3600 seconds, was " + seconds);
      }
      return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--drain must be whole seconds, was \"" + s + "\"");
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static int parsePort(String s, String what) {
    try {
      int port = Integer.parseInt(s.trim());
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(what + " must be 0..65535, was " + port);
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a number, was \"" + s + "\"");
    }
  }
}
