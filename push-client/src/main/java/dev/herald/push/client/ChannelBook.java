package dev.herald.push.client;

import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The client's channels: their handlers and positions, the resume cursor made from them, and the
 * duplicate check. Not thread-safe: {@link Delivery} owns it, under the engine's lock, except the
 * fields marked volatile, which the callback thread writes.
 *
 * <p>Two positions are kept per channel. {@link Entry#received} is where the last frame read from
 * the wire left the channel; reconnects resume from it, so frames read but not yet delivered are
 * not asked for again. {@link Entry#delivered} is where the last frame handed to the application
 * left it; {@link HeraldClient#cursor()} reports it, so a cursor saved by the application never
 * skips a message its handlers have not seen.
 */
final class ChannelBook {
  /** What to do with an incoming message. */
  enum Verdict {
    /** Deliver it: it is the next one for its channel. */
    NEW,
    /** Drop it: its offset is not past the last one received in its epoch. */
    DUPLICATE,
    /** Drop it: the channel is not subscribed, or its subscribe is not yet confirmed. */
    NOT_SUBSCRIBED
  }

  /** One subscribed channel. */
  static final class Entry {
    final String channel;
    final List<SubscriptionImpl> handlers = new CopyOnWriteArrayList<>();
    Position received;
    boolean pending;
    volatile Position delivered;
    volatile boolean removed;

    Entry(String channel) {
      this.channel = channel;
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Cursor initial;

  /**
   * @param initial the cursor to resume channels from when they are first subscribed
   */
  ChannelBook(Cursor initial) {
    this.initial = initial;
  }

  Entry get(String channel) {
    return entries.get(channel);
  }

  /** Adds a channel, positioned where the initial cursor had it (or nowhere: live). */
  Entry add(String channel) {
    Entry e = new Entry(channel);
    e.received = initial.position(channel);
    e.delivered = e.received;
    entries.put(channel, e);
    return e;
  }

  /** Removes a channel; its handlers are no longer called. */
  Entry remove(String channel) {
    Entry e = entries.remove(channel);
    if (e != null) {
      e.removed = true;
      for (SubscriptionImpl s : e.handlers) {
        s.deactivate();
      }
    }
    return e;
  }

  Collection<Entry> entries() {
    return entries.values();
  }

  List<String> channels() {
    return new ArrayList<>(entries.keySet());
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The cursor to resume every channel from, or {@code null} if none has a position. */
  String resumeCursor() {
    Map<String, Position> positions = new HashMap<>();
    for (Entry e : entries.values()) {
      if (e.received != null) {
        positions.put(e.channel, e.received);
      }
    }
    return positions.isEmpty() ? null : Cursor.encode(positions);
  }

  /** The cursor to resume one channel from, or {@code null} if it has no position. */
  String resumeCursor(String channel) {
    Entry e = entries.get(channel);
    return e == null || e.received == null
        ? null
        : Cursor.empty().with(channel, e.received).encode();
  }

  /** The cursor after everything delivered to the application. */
  String deliveredCursor() {
    Map<String, Position> positions = new HashMap<>();
    for (Entry e : entries.values()) {
      Position p = e.delivered;
      if (p != null) {
        positions.put(e.channel, p);
      }
    }
    return Cursor.encode(positions);
  }

  /**
   * Checks a message against its channel's position and, if it is new, moves the position past it.
   */
  Verdict receive(Message m) {
    Entry e = entries.get(m.channel());
    if (e == null || e.pending) {
      return Verdict.NOT_SUBSCRIBED;
    }
    Position p = e.received;
    if (p != null && p.epoch().equals(m.epoch()) && m.offset() <= p.offset()) {
      return Verdict.DUPLICATE;
    }
    e.received = m.position();
    return Verdict.NEW;
  }

  /**
   * Takes the positions a server cursor gives for the channels (confirmed ones only); returns the
   * entries that moved, each with its new position in {@code received}.
   */
  List<Entry> merge(Cursor cursor) {
    List<Entry> moved = new ArrayList<>();
    for (Entry e : entries.values()) {
      Position p = e.pending ? null : cursor.position(e.channel);
      if (p != null) {
        e.received = p;
        moved.add(e);
      }
    }
    return moved;
  }
}
