package dev.herald.push.client;

import dev.herald.push.Cursor;

/**
 * What a transport link reports to the client's engine. A link calls these from its I/O threads,
 * one at a time; after {@link #closed} it calls nothing more. Implementations are thread-safe.
 */
interface LinkListener {
  /**
   * The link is established without a {@code ready} frame of its own (long polling: the first
   * answer came).
   */
  void opened(Link link);

  /**
   * A server frame, read once by the link, in arrival order; heartbeats and stream-closing errors
   * are not passed on.
   */
  void frame(Link link, ServerFrame frame);

  /** Channel positions that no frame carried (a poll answer's cursor). */
  void positions(Link link, Cursor cursor);

  /** The cursor to resume from in the link's next request (long polling asks before each poll). */
  String since(Link link);

  /**
   * The link ended, whether it had opened or not. Reported at most once.
   *
   * @param reason a short code: the server's reason, or {@code eof}, {@code io_error}, …
   * @param failure what went wrong, or {@code null} for a plain end of stream
   */
  void closed(Link link, String reason, HeraldException failure);
}
