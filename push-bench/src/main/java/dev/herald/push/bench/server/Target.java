package dev.herald.push.bench.server;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * One implementation under test, installed in the bench server's Jetty context. The bench server
 * owns Jetty, the control endpoint and the publisher; a target only adds its endpoints and
 * broadcasts what the publisher hands it.
 *
 * <p>Channels are numbered {@code 0..n-1}; each target maps a number to its own channel name.
 */
public interface Target {
  /** Adds the target's servlets and WebSocket endpoints; called before Jetty starts. */
  void install(ServletContextHandler context) throws Exception;

  /**
   * Broadcasts one message to every subscriber of the channel. {@code json} is a JSON object of
   * about the configured size; the target delivers it as the message's data. Called from the
   * publisher thread only, never concurrently.
   */
  void publish(int channel, String json);

  /** Connections currently open, for the report. */
  int connections();

  /** Releases what {@link #install} created beyond the context; Jetty stops after it. */
  default void close() throws Exception {}
}
