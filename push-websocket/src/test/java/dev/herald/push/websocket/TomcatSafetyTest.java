package dev.herald.push.websocket;

/** The WebSocket safety contract on embedded Tomcat 11. */
class TomcatSafetyTest extends WebSocketSafetyContract {
  TomcatSafetyTest() {
    super(TestServer.Kind.TOMCAT);
  }
}
