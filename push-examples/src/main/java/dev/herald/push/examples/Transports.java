package dev.herald.push.examples;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocket;
import dev.herald.push.websocket.PushWebSocketOptions;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;

/**
 * Mounts Herald's transports on the demo's context: the lines an application adds to its own
 * webapp. Thread-safe (stateless).
 */
final class Transports {
  private Transports() {}

  static void mount(ServletContextHandler context, PushHub hub) {
    // SSE, NDJSON streaming, long polling, HTTP publish and herald.js at /push/*, and the
    // readiness check GET /push/health for a load balancer.
    context.addServletContainerInitializer(
        (classes, servletContext) ->
            PushServlet.builder(hub)
                .healthEndpoint(true)
                .build()
                .register(servletContext, "/push/*"));
    // WebSocket at /push/ws: the exact mapping wins over /push/*.
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) ->
            PushWebSocket.register(
                servletContext, hub, "/push/ws", PushWebSocketOptions.defaults()));
  }
}
