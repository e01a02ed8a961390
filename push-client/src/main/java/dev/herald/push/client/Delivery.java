package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Cursor;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the server's channel frames to the {@link ChannelBook} and queues what the application
 * hears on the callback thread, in arrival order: messages that pass the duplicate check, resets,
 * refused channels, errors, and the delivered positions behind {@link HeraldClient#cursor()}. Not
 * thread-safe: the engine calls it under its lock.
 */
final class Delivery {
  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

  private final ChannelBook book;
  private final Dispatcher dispatcher;
  private final HeraldListener listener;

  Delivery(ChannelBook book, Dispatcher dispatcher, HeraldListener listener) {
    this.book = book;
    this.dispatcher = dispatcher;
    this.listener = listener;
  }

  /** A {@code subscribed} frame: the channel is confirmed at the position the server names. */
  void subscribed(JsonNode frame) {
    String channel = Frames.text(frame, "channel");
    ChannelBook.Entry e = channel == null ? null : book.get(channel);
    if (e == null) {
      return;
    }
    Position p = Frames.position(frame);
    e.pending = false;
    e.received = p;
    position(e, p);
  }

  /** A {@code message} frame: delivered unless it is a duplicate or its channel is not joined. */
  void message(JsonNode frame) {
    Message m = Frames.message(frame);
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

  /** A {@code reset} frame: the channel continues from a new position; the application is told. */
  void reset(JsonNode frame) {
    String channel = Frames.text(frame, "channel");
    ChannelBook.Entry e = channel == null ? null : book.get(channel);
    if (e == null || e.pending) {
      return;
    }
    Position p = Frames.position(frame);
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

  /**
   * Takes channel positions from a server cursor ({@code ready}, a poll answer).
   *
   * @throws HeraldException with code {@code protocol} for a malformed cursor
   */
  void merge(String cursor) {
    Cursor c;
    try {
      c = Cursor.decode(cursor);
    } catch (PushException e) {
      throw Frames.protocol("the server sent a malformed cursor: " + e.getMessage(), e);
    }
    for (ChannelBook.Entry e : book.merge(c)) {
      position(e, e.received);
    }
  }

  /** The server refused a channel: it is dropped, its handlers end, the application is told. */
  void refused(String channel, HeraldException refusal) {
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
