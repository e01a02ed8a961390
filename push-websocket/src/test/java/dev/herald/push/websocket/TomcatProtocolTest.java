package dev.herald.push.websocket;

/** The WebSocket protocol contract on embedded Tomcat 11. */
class TomcatProtocolTest extends WebSocketProtocolContract {
  TomcatProtocolTest() {
    super(TestServer.Kind.TOMCAT);
  }
}
