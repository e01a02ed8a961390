package dev.herald.push;

/**
 * What a connection does when its outbox is full because the client reads slower than messages
 * arrive. Neither policy loses a message silently. Immutable.
 */
public enum OverflowPolicy {
  /**
   * Close the connection with reason {@code slow_consumer}. The client reconnects with its cursor
   * and catches up from history, or gets {@code reset} if history no longer covers the gap. The
   * default.
   */
  CLOSE,
  /**
   * Drop what is queued and send {@code reset} for every channel of the connection, then go on with
   * live messages: for clients that only need the latest state, such as dashboards.
   */
  RESET
}
