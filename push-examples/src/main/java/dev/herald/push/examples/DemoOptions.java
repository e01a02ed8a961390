package dev.herald.push.examples;

import java.util.Map;

/**
 * The demo's command line: {@code [--port N] [--redis URI] [--help]}, with the {@code PORT}
 * environment variable as the default port. Immutable.
 *
 * @param port the HTTP port, 0 for any free one
 * @param redisUri where the Redis broker lives, or {@code null} for the in-memory broker
 * @param help whether only the usage was asked for
 */
public record DemoOptions(int port, String redisUri, boolean help) {
  static final String USAGE =
      "usage: java -jar push-examples.jar [--port N] [--redis redis://host:port]\n"
          + "  --port N    HTTP port (default: $PORT, else 8080)\n"
          + "  --redis URI join a cluster of demo nodes through Redis";

  /** Validates the port. */
  public DemoOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
  }

  /** Parses the arguments; throws {@code IllegalArgumentException} with a readable message. */
  public static DemoOptions parse(String[] args, Map<String, String> env) {
    int port = env.containsKey("PORT") ? parsePort(env.get("PORT"), "PORT") : 8080;
    String redis = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = parsePort(value(args, ++i, "--port"), "--port");
        case "--redis" -> redis = value(args, ++i, "--redis");
        case "-h", "--help" -> help = true;
        default -> {
          if (args[i].startsWith("--port=")) {
            port = parsePort(args[i].substring(7), "--port");
          } else if (args[i].startsWith("--redis=")) {
            redis = args[i].substring(8);
          } else {
            throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"");
          }
        }
      }
    }
    if (redis != null && !(redis.startsWith("redis://") || redis.startsWith("rediss://"))) {
      throw new IllegalArgumentException(
          "--redis must be a redis:// or rediss:// URI, was \"" + redis + "\"");
    }
    return new DemoOptions(port, redis, help);
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
