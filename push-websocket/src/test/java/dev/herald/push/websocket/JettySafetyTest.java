package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The WebSocket safety contract on embedded Jetty 12 ee10. */
class JettySafetyTest extends WebSocketSafetyContract {
  JettySafetyTest() {
    super(TestServer.Kind.JETTY);
  }

  /**
   * On Jetty, where a ping does not block, a socket is pinged right behind its first frame, {@code
   * ready}, rather than a whole ping interval (20 s here) later.
   */
  @Test
  void aNewSocket_isPingedAtOnce_afterReady() throws Exception {
    // The raw socket's reads give up after 10 s, half the ping interval of /push/ws.
    try (RawSocket peer = new RawSocket(app.port(), "/push/ws")) {
      RawSocket.ServerFrame ready = peer.read();
      RawSocket.ServerFrame ping = peer.read();

      assertThat(ready.opcode()).isEqualTo(0x1);
      assertThat(ready.text()).contains("\"type\":\"ready\"");
      assertThat(ping.opcode()).isEqualTo(0x9);
    }
  }
}
