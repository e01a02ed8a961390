package dev.herald.push.sample;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocket;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Everything Herald needs in an existing webapp: one listener, declared in {@code WEB-INF/web.xml}
 * (or annotated {@code @WebListener}), that builds the hub, mounts the HTTP transports at {@code
 * /push/*} and the WebSocket at {@code /push/ws}, shares the hub with the app's servlets, and
 * closes it when the webapp stops. Called by the container, once each, on its startup and shutdown
 * thread.
 */
public class HeraldSetup implements ServletContextListener {
  private PushHub hub;

  /** Creates the listener; the container calls this. */
  public HeraldSetup() {}

  /** Builds the hub and registers Herald's endpoints before the webapp takes requests. */
  @Override
  public void contextInitialized(ServletContextEvent event) {
    // ---- the lines you add ----
    ServletContext context = event.getServletContext();
    hub = PushHub.builder().build();
    // SSE, NDJSON streaming, long polling, publish and herald.js under /push/
    PushServlet.builder(hub).build().register(context, "/push/*");
    // WebSocket
    PushWebSocket.register(context, hub, "/push/ws");
    // for the app's own servlets, which publish
    context.setAttribute(PushServlet.HUB_ATTRIBUTE, hub);
    // ---- end ----
  }

  /** Closes the hub, which ends every connection still open. */
  @Override
  public void contextDestroyed(ServletContextEvent event) {
    hub.close(); // the line you add
  }
}
