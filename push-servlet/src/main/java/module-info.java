/** Herald's HTTP transports (SSE, NDJSON streaming, long polling, publish) and herald.js. */
module dev.herald.push.servlet {
  requires transitive dev.herald.push;
  // PushServlet is an HttpServlet; the container provides the API.
  requires transitive jakarta.servlet;
  requires org.slf4j;
  // Resetting a stalled connection on Jetty 12 (JettyConnections), used only when present at run
  // time.
  requires static org.eclipse.jetty.ee10.servlet;
  requires static org.eclipse.jetty.server;
  requires static org.eclipse.jetty.io;
  requires static org.eclipse.jetty.http;

  exports dev.herald.push.servlet;
}
