package dev.herald.push;

import java.time.Instant;

/**
 * What a publish produced: a {@link Message} stored in the channel's history, or an {@link
 * EphemeralMessage} that was only delivered live. Immutable.
 */
public sealed interface Publication permits Message, EphemeralMessage {
  /** The channel it was published to. */
  String channel();

  /** The application's event name. */
  String event();

  /** The payload as compact JSON text. */
  String data();

  /** When it was published. */
  Instant time();

  /** The client id of the publisher, or {@code null} when the server published it. */
  String publisherId();

  /** Whether it was delivered live only, never stored and without an offset. */
  boolean ephemeral();
}
