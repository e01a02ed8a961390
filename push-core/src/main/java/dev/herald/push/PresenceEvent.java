package dev.herald.push;

import java.util.Objects;

/**
 * A member joined or left a channel. Immutable.
 *
 * @param channel the channel
 * @param kind whether the member joined or left
 * @param member who
 */
public record PresenceEvent(String channel, Kind kind, Member member) {
  /** Whether a member joined or left. */
  public enum Kind {
    /** A connection subscribed. */
    JOIN,
    /** A connection unsubscribed or went away. */
    LEAVE
  }

  /** Requires every field. */
  public PresenceEvent {
    Names.checkChannel(channel);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(member, "member");
  }
}
