package dev.herald.push.bench.load;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options. Not thread-safe. */
public final class Args {
  private final Map<String, String> values = new HashMap<>();

  /** Parses {@code --name value} pairs; throws on anything else. */
  public Args(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!name.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got: " + name);
      }
      values.put(name, args[++i]);
    }
  }

  /** The option's value, or the fallback. */
  public String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** The option as an integer, or the fallback. */
  public int integer(String name, int fallback) {
    String v = values.get(name);
    try {
      return v == null ? fallback : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got: " + v);
    }
  }

  /** The option as {@code true} or {@code false}, or the fallback; throws on any other value. */
  public boolean bool(String name, boolean fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(name + " must be true or false, got: " + v);
    }
    return Boolean.parseBoolean(v);
  }
}
