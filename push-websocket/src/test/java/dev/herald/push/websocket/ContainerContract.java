package dev.herald.push.websocket;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The lifecycle the WebSocket contract suites share: one real container per class, and every socket
 * a test opens closed after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerContract {
  private final TestServer.Kind kind;
  private final List<TestSocket> sockets = new ArrayList<>();
  TestApp app;

  ContainerContract(TestServer.Kind kind) {
    this.kind = kind;
  }

  @BeforeAll
  void startServer() throws Exception {
    app = new TestApp(kind);
  }

  @AfterAll
  void stopServer() {
    app.close();
  }

  @AfterEach
  void dropSockets() {
    sockets.forEach(TestSocket::close);
    sockets.clear();
  }

  /** Closes the socket after the test. */
  TestSocket track(TestSocket socket) {
    sockets.add(socket);
    return socket;
  }
}
