package dev.herald.push.websocket;

/** The WebSocket protocol contract on embedded Jetty 12 ee10. */
class JettyProtocolTest extends WebSocketProtocolContract {
  JettyProtocolTest() {
    super(TestServer.Kind.JETTY);
  }
}
