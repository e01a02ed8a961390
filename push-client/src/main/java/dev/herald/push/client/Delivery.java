package dev.herald.push.client;

import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's side of the connection: its channels (in the {@link ChannelBook}), the
 * WebSocket subscribes awaiting their answer, and what the application hears on the callback
 * thread, in arrival order: messages that pass the duplicate check, resets, refused channels,
 * errors, and the delivered positions behind {@link HeraldClient#cursor()}. Not thread-safe: the
 * engine calls it under its lock; the callbacks it queues touch only the volatile fields of the
 * book's entries.
 */
final class Delivery {
  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

  private final ChannelBook book;
  private final Dispatcher dispatcher;
  private final HeraldListener listener;
  private final Map<String, String> subscribeRefs = new HashMap<>();
  private long nextRef;

  /**
   * @param initial the cursor to resume channels from when they are first subscribed
   */
  Delivery(Cursor initial, Dispatcher dispatcher, HeraldListener listener) {
    this.book = new ChannelBook(initial);
    this.dispatcher = dispatcher;
    this.listener = listener;
  }

  // ---- the application's channels

  ChannelBook.Entry get(String channel) {
    return book.get(channel);
  }

  /** Adds a channel, positioned where the initial cursor had it. */
  ChannelBook.Entry add(String channel) {
    return book.add(channel);
  }

  /** Drops a channel and any subscribe of it awaiting an answer. */
  void remove(String channel) {
    book.remove(channel);
    subscribeRefs.values().remove(channel);
  }

  /** Drops every channel; their handlers are no longer called. */
  void removeAll() {
    for (String channel : book.channels()) {
      remove(channel);
    }
  }

  List<String> channels() {
    return book.channels();
  }

  boolean isEmpty() {
    return book.isEmpty();
  }

  Iterable<ChannelBook.Entry> entries() {
    return book.entries();
  }

  /** The cursor to resume every channel from, or {@code null} if none has a position. */
  String resumeCursor() {
    return book.resumeCursor();
  }

  /** The cursor after everything delivered to the application. */
  String deliveredCursor() {
    return book.deliveredCursor();
  }

  /**
   * A WebSocket {@code subscribe} frame for a channel, resuming from its position; the channel
   * waits for the answer, matched by the frame's {@code ref}.
   */
  String subscribe(ChannelBook.Entry e) {
    e.pending = true;
    String ref = "s" + (++nextRef);
    subscribeRefs.put(ref, e.channel);
    return ClientFrames.subscribe(e.channel, book.resumeCursor(e.channel), ref);
  }

  /** The link went: no subscribe awaits an answer any more. */
  void linkDropped() {
    subscribeRefs.clear();
    for (ChannelBook.Entry e : book.entries()) {
      e.pending = false;
    }
  }

  // ---- server frames

  /** A {@code subscribed} frame: the channel is confirmed at the position the server names. */
  void subscribed(ServerFrame.Subscribed frame) {
    subscribeRefs.values().remove(frame.channel());
    ChannelBook.Entry e = book.get(frame.channel());
    if (e == null) {
      return;
    }
    e.pending = false;
    e.received = frame.position();
    position(e, frame.position());
  }

  /** A {@code message} frame: delivered unless it is a duplicate or its channel is not joined. */
  void message(Message m) {
    ChannelBook.Verdict verdict = book.receive(m);
    if (verdict != ChannelBook.Verdict.NEW) {
      LOG.debug("Dropped {}#{} ({})", m.channel(), m.offset(), verdict);
      return;
    }
    ChannelBook.Entry e = book.get(m.channel());
    dispatcher.execute(
        () -> {
          for (SubscriptionImpl sub : e.handlers) {
            try {
              sub.deliver(m);
            } catch (RuntimeException ex) {
              LOG.warn("A message handler for channel {} threw; ignoring it", m.channel(), ex);
            }
          }
          if (!e.removed) {
            e.delivered = m.position();
          }
        });
  }

  /**
   * An ephemeral {@code message} frame: handed to the channel's ephemeral handlers if the channel
   * is joined and confirmed. It has no offset, so it takes no part in the duplicate check and moves
   * no position: neither the resume cursor nor the delivered one.
   */
  void ephemeral(EphemeralMessage m) {
    ChannelBook.Entry e = book.get(m.channel());
    if (e == null || e.pending) {
      LOG.debug(
          "Dropped an ephemeral message of {} ({})",
          m.channel(),
          ChannelBook.Verdict.NOT_SUBSCRIBED);
      return;
    }
    dispatcher.execute(
        () -> {
          for (SubscriptionImpl sub : e.handlers) {
            try {
              sub.deliver(m);
            } catch (RuntimeException ex) {
              LOG.warn(
                  "An ephemeral message handler for channel {} threw; ignoring it",
                  m.channel(),
                  ex);
            }
          }
        });
  }

  /** A {@code reset} frame: the channel continues from a new position; the application is told. */
  void reset(ServerFrame.Reset frame) {
    String channel = frame.channel();
    ChannelBook.Entry e = book.get(channel);
    if (e == null || e.pending) {
      return;
    }
    Position p = frame.position();
    e.received = p;
    LOG.info("Channel {} was reset to epoch {} offset {}", channel, p.epoch(), p.offset());
    dispatcher.execute(
        () -> {
          if (!e.removed) {
            e.delivered = p;
            listener.onReset(channel, p.epoch());
          }
        });
  }

  /** Takes channel positions from a server cursor ({@code ready}, a poll answer). */
  void merge(Cursor cursor) {
    for (ChannelBook.Entry e : book.merge(cursor)) {
      position(e, e.received);
    }
  }

  /**
   * An {@code error} frame that answers no publish: a refused subscribe drops its channel, anything
   * else goes to the application as it is.
   */
  void error(ServerFrame.ErrorFrame frame) {
    String channel = frame.ref() == null ? null : subscribeRefs.remove(frame.ref());
    if (channel == null) {
      error(frame.toException(0, null));
      return;
    }
    HeraldException refusal = frame.toException(0, channel);
    book.remove(channel);
    LOG.info("The server refused channel {}: {}", channel, refusal.getMessage());
    dispatcher.execute(() -> listener.onError(refusal));
  }

  /** An error for the application's listener. */
  void error(HeraldException error) {
    dispatcher.execute(() -> listener.onError(error));
  }

  private void position(ChannelBook.Entry e, Position p) {
    dispatcher.execute(
        () -> {
          if (!e.removed) {
            e.delivered = p;
          }
        });
  }
}
