package dev.herald.push.sample;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import dev.herald.push.websocket.PushWebSocket;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Everything Herald needs in an existing webapp: one listener, declared in {@code WEB-INF/web.xml}
 * (or annotated {@code @WebListener}), that builds the hub with the app's {@link ShopAuthorizer},
 * mounts the HTTP transports at {@code /push/*} and the WebSocket at {@code /push/ws}, shares the
 * hub with the app's servlets, and closes it when the webapp stops. The README shows this class's
 * code. Called by the container, once each, on its startup and shutdown thread.
 */
public class HeraldSetup implements ServletContextListener {
  private PushHub hub;

  /** Creates the listener; the container calls this. */
  public HeraldSetup() {}

  /** Builds the hub and registers Herald's endpoints before the webapp takes requests. */
  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServletContext context = event.getServletContext();
    // ShopAuthorizer decides who may subscribe and publish
    hub = PushHub.builder().authorizer(new ShopAuthorizer()).build();
    // SSE, NDJSON streaming, long polling, publish and herald.js under /push/
    PushServlet.builder(hub).build().register(context, "/push/*");
    // WebSocket, where herald.js looks for it: <base>/ws
    PushWebSocket.register(context, hub, "/push/ws");
    // for the app's own servlets, which publish
    context.setAttribute(PushServlet.HUB_ATTRIBUTE, hub);
  }

  /** Closes the hub, which ends every connection still open. */
  @Override
  public void contextDestroyed(ServletContextEvent event) {
    hub.close(); // ends every connection with server_shutdown; clients resume later
  }
}
