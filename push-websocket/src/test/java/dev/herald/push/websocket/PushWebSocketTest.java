package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.PushHub;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushWebSocketTest {
  private final PushHub hub = PushHub.builder().build();

  @AfterEach
  void closeHub() {
    hub.close();
  }

  private static ServletContext contextWithoutWebSocket() {
    return (ServletContext)
        Proxy.newProxyInstance(
            PushWebSocketTest.class.getClassLoader(),
            new Class<?>[] {ServletContext.class},
            (proxy, method, args) -> null);
  }

  @Test
  void register_badPath_isRefusedNamingIt() {
    ServletContext context = contextWithoutWebSocket();

    for (String path : new String[] {"push/ws", "/push/*", "/push/{id}", "/", "/a b", "/ws?x=1"}) {
      assertThatThrownBy(() -> PushWebSocket.register(context, hub, path))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("was \"" + path + "\"");
    }
    assertThatThrownBy(() -> PushWebSocket.register(context, hub, null))
        .hasMessageEndingWith("was null");
  }

  @Test
  void register_webappWithoutWebSocketContainer_failsWithAHint() {
    assertThatThrownBy(() -> PushWebSocket.register(contextWithoutWebSocket(), hub, "/push/ws"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("jakarta.websocket.server.ServerContainer")
        .hasMessageContaining("JakartaWebSocketServletContainerInitializer");
  }
}
