package dev.herald.push;

/** How well a hub or its broker can serve; ordered from best to worst. */
public enum HealthStatus {
  /** Everything works. */
  UP,
  /**
   * Serving, with a part impaired: for example the broker's live feed is reconnecting, so messages
   * reach this node's clients late (but not lost: the hub replays the gap).
   */
  DEGRADED,
  /** Not ready for new clients: the hub is closed or draining, or its broker is unreachable. */
  DOWN;

  /** The worse of the two. */
  public HealthStatus and(HealthStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
