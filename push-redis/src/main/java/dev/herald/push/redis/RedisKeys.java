package dev.herald.push.redis;

/**
 * Names the Redis keys and Pub/Sub channels of Herald channels. Every key of one channel carries
 * the channel name as its hash tag ({@code {chat/lobby}}), so in a Redis Cluster all of them live
 * in one slot and each script touches a single slot. Channel names cannot hold braces, so the tag
 * is always the whole name. Immutable.
 */
final class RedisKeys {
  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  /** The hash holding the channel's epoch, head offset, newest time and last age trim. */
  String meta(String channel) {
    return prefix + "{" + channel + "}:meta";
  }

  /** The stream holding the channel's history; entry ids are {@code <offset>-0}. */
  String log(String channel) {
    return prefix + "{" + channel + "}:log";
  }

  /** The hash of the channel's members across nodes: client id to node, time and user. */
  String members(String channel) {
    return prefix + "{" + channel + "}:members";
  }

  /** The Pub/Sub channel carrying the channel's new messages to every node. */
  String live(String channel) {
    return prefix + "{" + channel + "}:live";
  }

  /** The key that exists while the node is alive; it expires when the node stops refreshing it. */
  String node(String nodeId) {
    return prefix + "node:" + nodeId;
  }
}
