package dev.herald.push.spi;

import dev.herald.push.Message;
import dev.herald.push.Position;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Broker#replay} found. Immutable.
 *
 * @param messages the messages after the requested position, oldest first, contiguous; empty on
 *     reset
 * @param reset whether the requested position could not be resumed: the client must reload
 * @param head the channel's position when the replay was taken
 */
public record Replay(List<Message> messages, boolean reset, Position head) {
  /** Copies the list and checks that a reset carries no messages. */
  public Replay {
    messages = List.copyOf(messages);
    Objects.requireNonNull(head, "head");
    if (reset && !messages.isEmpty()) {
      throw new IllegalArgumentException("a reset carries no messages");
    }
  }

  /** A replay that resumes with these messages. */
  public static Replay of(List<Message> messages, Position head) {
    return new Replay(messages, false, head);
  }

  /** A replay that tells the client to reset to the head. */
  public static Replay reset(Position head) {
    return new Replay(List.of(), true, head);
  }
}
