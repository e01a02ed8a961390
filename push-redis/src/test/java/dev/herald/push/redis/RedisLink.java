package dev.herald.push.redis;

/**
 * A path from one node to Redis that a test can cut while Redis and the other nodes go on: {@link
 * TcpProxy} in front of a local {@code redis-server}, {@link ToxiproxyLink} in front of a Redis
 * container. Thread-safe.
 */
interface RedisLink extends AutoCloseable {
  /** The URI a node connects through. */
  String uri();

  /** Drops every connection through the link and refuses new ones. */
  void cut() throws Exception;

  /** Accepts connections again at the same URI. */
  void restore() throws Exception;

  @Override
  void close() throws Exception;
}
