package dev.herald.push;

import dev.herald.push.spi.AccessPolicy;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The origins allowed besides a request's own, in the canonical form {@code scheme://host:port},
 * and whether every origin is. Immutable.
 */
final class OriginList {
  static final OriginList NONE = new OriginList(Set.of(), false);

  private static final String ANY = "*";

  private final Set<String> origins;
  private final boolean any;

  private OriginList(Set<String> origins, boolean any) {
    this.origins = origins;
    this.any = any;
  }

  /**
   * These origins added to this list; {@code "*"} allows every origin.
   *
   * @throws IllegalArgumentException naming the first entry that is not an origin
   */
  OriginList plus(Collection<String> more) {
    Set<String> set = new LinkedHashSet<>(origins);
    boolean all = any;
    for (String origin : more) {
      if (ANY.equals(origin)) {
        all = true;
      } else {
        set.add(canonicalOrThrow(origin));
      }
    }
    return new OriginList(Set.copyOf(set), all);
  }

  boolean any() {
    return any;
  }

  boolean contains(String canonicalOrigin) {
    return any || origins.contains(canonicalOrigin);
  }

  boolean isEmpty() {
    return !any && origins.isEmpty();
  }

  @Override
  public String toString() {
    return any ? "*" : origins.toString();
  }

  private static String canonicalOrThrow(String origin) {
    String canonical = origin == null ? null : canonical(origin.trim());
    if (canonical == null) {
      throw new IllegalArgumentException(
          "allowedOrigins entries must be origins such as https://app.example.com or \"*\", was "
              + (origin == null ? "null" : "\"" + origin + "\""));
    }
    return canonical;
  }

  /** As {@link AccessPolicy#canonicalOrigin}. */
  static String canonical(String origin) {
    return AccessPolicy.canonicalOrigin(origin);
  }

  /** 443 for {@code https}, else 80. */
  static int defaultPort(String scheme) {
    return "https".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
