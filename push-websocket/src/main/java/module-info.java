/** Herald's WebSocket transport on the Jakarta WebSocket API. */
module dev.herald.push.websocket {
  requires transitive dev.herald.push;
  // PushWebSocket.register takes a ServletContext; the container provides both APIs.
  requires transitive jakarta.servlet;
  requires jakarta.websocket;
  requires org.slf4j;
  // The Jetty 12 fast path (JettyWrites), used only when these are present at run time.
  requires static org.eclipse.jetty.ee10.websocket.jakarta.common;
  requires static org.eclipse.jetty.websocket.core.common;
  requires static org.eclipse.jetty.util;
  requires static org.eclipse.jetty.io;

  exports dev.herald.push.websocket;
}
