/** Herald's HTTP transports (SSE, NDJSON streaming, long polling, publish) and herald.js. */
module dev.herald.push.servlet {
  requires transitive dev.herald.push;
  // PushServlet is an HttpServlet; the container provides the API.
  requires transitive jakarta.servlet;
  requires org.slf4j;

  exports dev.herald.push.servlet;
}
