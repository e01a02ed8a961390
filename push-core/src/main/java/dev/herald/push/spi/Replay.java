package dev.herald.push.spi;

import dev.herald.push.Message;
import dev.herald.push.Position;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Broker#replay} found. Immutable.
 *
 * <p>A reset does not end the story: it moves the client to {@code start}, and the messages after
 * {@code start} are then replayed to it like any others. So a client whose position the history
 * cannot resume (another epoch, or older than the history) restarts at the oldest message the
 * history still holds and misses none of them.
 *
 * @param messages the messages after {@code start}, oldest first, contiguous; empty on reset
 * @param reset whether the requested position could not be resumed: the client must reload, and
 *     continues from {@code start}
 * @param start the position the messages follow. On a resume, the requested position. On a reset,
 *     where the client restarts: just before the oldest message the history holds in the head's
 *     epoch ({@code head} itself when it holds none), or {@code head} when the requested position
 *     was beyond it in the same epoch
 * @param head the channel's position when the replay was taken
 */
public record Replay(List<Message> messages, boolean reset, Position start, Position head) {
  /** Copies the list and checks that a reset carries no messages and starts within the head. */
  public Replay {
    messages = List.copyOf(messages);
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(head, "head");
    if (reset && !messages.isEmpty()) {
      throw new IllegalArgumentException("a reset carries no messages");
    }
    if (!start.epoch().equals(head.epoch()) || start.offset() > head.offset()) {
      throw new IllegalArgumentException(
          "start must be at or before head in its epoch, was " + start + " for head " + head);
    }
  }

  /** A replay that resumes with these messages, which follow the requested position directly. */
  public static Replay of(List<Message> messages, Position head) {
    Position start =
        messages.isEmpty() ? head : new Position(head.epoch(), messages.get(0).offset() - 1);
    return new Replay(messages, false, start, head);
  }

  /**
   * A replay that tells the client to reset to {@code start}; the messages after it follow in later
   * replays.
   */
  public static Replay reset(Position start, Position head) {
    return new Replay(List.of(), true, start, head);
  }
}
