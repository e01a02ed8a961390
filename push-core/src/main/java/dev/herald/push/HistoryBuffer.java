package dev.herald.push;

import dev.herald.push.spi.Replay;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One channel's recent messages in memory, bounded by count, bytes and age, with the channel's
 * epoch and head offset. Not thread-safe; the broker guards each buffer with its own lock.
 */
final class HistoryBuffer {
  private final String epoch;
  private final int maxCount;
  private final long maxBytes;
  private final long maxAgeMillis;

  private Message[] ring;
  private int start;
  private int size;
  private long bytes;
  private long head;

  /** Creates an empty history; its first message gets offset 1. */
  HistoryBuffer(String epoch, int maxCount, long maxBytes, long maxAgeMillis) {
    this.epoch = epoch;
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    this.maxAgeMillis = maxAgeMillis;
    this.ring = new Message[Math.min(8, maxCount)];
  }

  public String epoch() {
    return epoch;
  }

  /** The channel's position: its epoch and newest offset. */
  public Position head() {
    return new Position(epoch, head);
  }

  /** Messages held now. */
  public int size() {
    return size;
  }

  /** Stores a new message with the next offset and trims what the limits no longer allow. */
  public Message append(
      String channel, String event, String data, String publisherId, Instant now) {
    Message m = new Message(channel, head + 1, epoch, event, data, now, publisherId);
    head++;
    if (size == ring.length) {
      if (ring.length < maxCount) {
        grow();
      } else {
        dropOldest();
      }
    }
    ring[(start + size) % ring.length] = m;
    size++;
    bytes += weight(m);
    while (size > 1 && bytes > maxBytes) {
      dropOldest();
    }
    trim(now);
    return m;
  }

  /**
   * Messages after {@code since}, at most {@code limit}; a reset if they cannot be given, to just
   * before the oldest message held (to the head if {@code since} is beyond it).
   */
  public Replay replay(Position since, int limit, Instant now) {
    trim(now);
    if (since.epoch().equals(epoch) && since.offset() > head) {
      return Replay.reset(head(), head());
    }
    long first = size == 0 ? head + 1 : get(0).offset();
    if (!since.epoch().equals(epoch) || since.offset() < first - 1) {
      // Everything held is news to this client: it restarts before the oldest of it.
      return Replay.reset(new Position(epoch, first - 1), head());
    }
    int from = (int) (since.offset() - first + 1);
    int to = Math.min(size, from + limit);
    List<Message> out = new ArrayList<>(Math.max(0, to - from));
    for (int i = from; i < to; i++) {
      out.add(get(i));
    }
    return Replay.of(out, head());
  }

  /** Drops messages older than the age limit. */
  public void trim(Instant now) {
    long oldest = now.toEpochMilli() - maxAgeMillis;
    while (size > 0 && get(0).time().toEpochMilli() < oldest) {
      dropOldest();
    }
  }

  private Message get(int i) {
    return ring[(start + i) % ring.length];
  }

  private void grow() {
    Message[] bigger = new Message[Math.min(maxCount, ring.length * 2)];
    for (int i = 0; i < size; i++) {
      bigger[i] = get(i);
    }
    ring = bigger;
    start = 0;
  }

  private void dropOldest() {
    Message m = ring[start];
    ring[start] = null;
    start = (start + 1) % ring.length;
    size--;
    bytes -= weight(m);
  }

  private static long weight(Message m) {
    // Characters, not bytes: cheap, and within a factor of the real footprint.
    return 64L + m.data().length() + m.event().length();
  }
}
