package dev.herald.push.websocket;

import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/**
 * Tomcat only: readies the TCP socket under a WebSocket session to be reset when Tomcat closes it,
 * so that the kernel drops what a peer that stopped reading never took instead of keeping it for
 * minutes. Tomcat's API does not offer the socket; it is reached through the fields that lead to it
 * (the session's remote endpoint, its socket wrapper), read by reflection. Any change in Tomcat's
 * internals makes {@link #resetOnClose} do nothing. Thread-safe.
 */
final class TomcatSockets {
  private static final String SESSION = "org.apache.tomcat.websocket.WsSession";
  private static final String REMOTE =
      "org.apache.tomcat.websocket.server.WsRemoteEndpointImplServer";

  private TomcatSockets() {}

  /** Sets {@code SO_LINGER} 0 on the session's socket; whether it could. */
  static boolean resetOnClose(Session session) {
    if (!session.getClass().getName().equals(SESSION)) {
      return false;
    }
    try {
      ClassLoader tomcat = session.getClass().getClassLoader();
      Object remote = field(session, Class.forName(SESSION, false, tomcat), "wsRemoteEndpoint");
      if (remote == null || !remote.getClass().getName().equals(REMOTE)) {
        return false;
      }
      Object wrapper = field(remote, remote.getClass(), "socketWrapper");
      Object socket =
          invoke(
              wrapper,
              Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, tomcat),
              "getSocket");
      Object io = socket == null ? null : invoke(socket, publicType(socket), "getIOChannel");
      if (io instanceof NetworkChannel channel && channel.isOpen()) {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        return true;
      }
      return false;
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      return false;
    }
  }

  /** The public class of a socket, NioChannel or Nio2Channel, whose getIOChannel is public. */
  private static Class<?> publicType(Object socket) {
    Class<?> c = socket.getClass();
    while (c != null && !Modifier.isPublic(c.getModifiers())) {
      c = c.getSuperclass();
    }
    return c == null ? socket.getClass() : c;
  }

  private static Object field(Object target, Class<?> declaring, String name)
      throws ReflectiveOperationException {
    Field f = declaring.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(target);
  }

  private static Object invoke(Object target, Class<?> declaring, String name)
      throws ReflectiveOperationException {
    try {
      return declaring.getMethod(name).invoke(target);
    } catch (InvocationTargetException e) {
      throw new ReflectiveOperationException(e.getCause());
    }
  }
}
