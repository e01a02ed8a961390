package dev.herald.push.websocket;

/** The WebSocket safety contract on embedded Jetty 12 ee10. */
class JettySafetyTest extends WebSocketSafetyContract {
  JettySafetyTest() {
    super(TestServer.Kind.JETTY);
  }
}
