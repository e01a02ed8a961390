package dev.herald.push.client;

/**
 * Hears what happens to a {@link HeraldClient}'s connection. Every method has an empty default, so
 * an application implements only what it needs.
 *
 * <p>All calls come from the client's single callback thread, one at a time, in the order the
 * events happened, interleaved in that order with the message handlers' calls. A listener must not
 * block for long: while it runs, no message is delivered (the client stops reading and the server
 * eventually closes it as a slow consumer; the client then resumes from its cursor). A listener
 * that throws is logged and otherwise ignored. Since calls never overlap, implementations need not
 * be thread-safe unless other threads touch their state too.
 */
public interface HeraldListener {
  /**
   * The transport in use changed: called before the first {@link #onOpen} and whenever the client
   * settles on a different transport after a fallback.
   */
  default void onTransport(Transport transport) {}

  /**
   * A connection is established: the server's {@code ready} frame arrived (for long polling: the
   * first poll was answered). Messages published from now on reach the handlers.
   */
  default void onOpen(Transport transport) {}

  /**
   * The open connection closed. Unless the client itself was closed ({@code reason} {@code
   * client_closed}), it reconnects with backoff and resumes from its cursor.
   *
   * @param reason the server's reason where it gave one (such as {@code server_shutdown} or {@code
   *     slow_consumer}), else one of {@code eof}, {@code io_error}, {@code idle_timeout} (nothing
   *     heard for the idle timeout), {@code no_reply} (a subscribe or ping went unanswered for the
   *     connect timeout), {@code protocol}, {@code unsubscribed} (no channels are left on an HTTP
   *     transport) or {@code client_closed}
   */
  default void onClose(Transport transport, String reason) {}

  /**
   * The channel's history could not cover the client's gap (the cursor was too old, or the channel
   * started a new history): messages were missed, and the application should reload the channel's
   * state. The messages the history still holds follow, in order, through the channel's handlers,
   * then live ones.
   *
   * @param epoch the epoch the channel continues in
   */
  default void onReset(String channel, String epoch) {}

  /**
   * Something failed: a connection attempt (the client retries with backoff), a channel the server
   * refused (that channel's subscriptions end), or a frame the server rejected or the client could
   * not read.
   */
  default void onError(HeraldException error) {}
}
