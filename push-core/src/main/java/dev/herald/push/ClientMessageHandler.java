package dev.herald.push;

/**
 * Application code that sees each client message for a channel before it is published: it can pass
 * it on, transform it or refuse it. Called on the hub's dispatcher threads, never on an I/O thread;
 * calls for different messages may overlap, so implementations must be thread-safe.
 */
@FunctionalInterface
public interface ClientMessageHandler {
  /**
   * Publishes every client message as it came. With it the hub publishes on the thread that
   * received the message (the container's request or WebSocket thread), without a hand-off to a
   * dispatcher.
   */
  ClientMessageHandler PASS_THROUGH = message -> message;

  /**
   * Returns the message to publish, the same or a changed one.
   *
   * @throws RejectedMessageException to refuse it; the client is told why
   */
  ClientMessage handle(ClientMessage message);
}
