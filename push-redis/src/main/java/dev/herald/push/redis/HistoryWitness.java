package dev.herald.push.redis;

import dev.herald.push.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node has seen of each channel's history: the newest message it was told was stored (its
 * own publishes) or received live, by epoch, offset and Redis time. Thread-safe.
 *
 * <p>On a Redis Cluster, a shard whose master fails over to a replica that had not received its
 * newest writes goes backwards: the channel keeps its epoch, and the next publishes hand out the
 * lost messages' offsets again. Clients that saw a lost message would skip the message that now has
 * its offset, and a publish that was acknowledged would be gone without a word. The node that saw a
 * lost message is the witness: {@code verify.lua} compares what it saw with the stream, and starts
 * a new epoch (so every client gets a {@code reset}) if the message is missing or its offset
 * belongs to another message. The check is exact for the messages this node saw; a message that
 * only nodes that have since died saw can be lost without a reset.
 *
 * <p>Bounded: at most {@link #MAX_CHANNELS} channels are remembered; beyond that new channels are
 * not (they are checked by the other nodes that saw them, if any).
 */
final class HistoryWitness {
  static final int MAX_CHANNELS = 100_000;

  /** One seen message. Immutable. */
  record Seen(String epoch, long offset, long timeMillis, boolean published) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /**
   * Records a message as seen, if it is newer than what was seen of its channel. Returns {@code
   * true} if the message suggests that the history went backwards, so the channel should be
   * verified: same epoch and offset as one seen before but another time, or a publish of this node
   * ({@code published}) stored at or below the offset of an earlier one in the same epoch. A node's
   * publishes to one channel go to one Redis connection and are answered in order, so the latter
   * happens only when Redis lost the earlier one.
   */
  boolean note(Message m, boolean published) {
    boolean[] backwards = {false};
    long time = m.time().toEpochMilli();
    if (seen.size() >= MAX_CHANNELS && !seen.containsKey(m.channel())) {
      return false;
    }
    seen.compute(
        m.channel(),
        (channel, old) -> {
          if (old == null || !old.epoch().equals(m.epoch()) || m.offset() > old.offset()) {
            return new Seen(m.epoch(), m.offset(), time, published);
          }
          if (m.offset() == old.offset() && time != old.timeMillis()) {
            backwards[0] = true;
          } else if (published && old.published()) {
            backwards[0] = true;
          }
          return old;
        });
    return backwards[0];
  }

  /** What was seen of the channel, or {@code null}. */
  Seen get(String channel) {
    return seen.get(channel);
  }

  /** Forgets a channel once it was found to have started a new epoch. */
  void forget(String channel, Seen was) {
    seen.remove(channel, was);
  }

  /** Every channel seen, with what was seen, at this moment. */
  List<Map.Entry<String, Seen>> snapshot() {
    return List.copyOf(Map.copyOf(seen).entrySet());
  }
}
