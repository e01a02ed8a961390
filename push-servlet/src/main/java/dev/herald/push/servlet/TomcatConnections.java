package dev.herald.push.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/**
 * Tomcat only: reaches the TCP socket under a servlet request, which Tomcat's API does not offer,
 * through the fields that lead to it (the request facade's request, the Coyote request's processor,
 * the processor's socket wrapper), read by reflection. Any change in Tomcat's internals makes
 * {@link #dropFor} answer {@code null}, and the caller falls back to completing the request.
 * Thread-safe.
 */
final class TomcatConnections {
  private static final String FACADE = "org.apache.catalina.connector.RequestFacade";

  private TomcatConnections() {}

  /**
   * How to reset the connection under the request, or {@code null} if the request is not Tomcat's
   * or its socket cannot be reached.
   */
  static ConnectionAbort.Drop dropFor(ServletRequest request) {
    ServletRequest r = request;
    while (r instanceof ServletRequestWrapper wrapper) {
      r = wrapper.getRequest();
    }
    if (!r.getClass().getName().equals(FACADE)) {
      return null;
    }
    try {
      ClassLoader tomcat = r.getClass().getClassLoader();
      Object catalina = field(r, type(tomcat, FACADE), "request");
      Object coyote =
          invoke(
              catalina, type(tomcat, "org.apache.catalina.connector.Request"), "getCoyoteRequest");
      Class<?> coyoteType = type(tomcat, "org.apache.coyote.Request");
      Class<?> actions = type(tomcat, "org.apache.coyote.ActionCode");
      java.lang.reflect.Method action = coyoteType.getMethod("action", actions, Object.class);
      @SuppressWarnings({"unchecked", "rawtypes"})
      Object closeNow = Enum.valueOf((Class) actions, "CLOSE_NOW");
      Object processor = field(coyote, coyoteType, "hook");
      Object wrapper =
          field(processor, type(tomcat, "org.apache.coyote.AbstractProcessor"), "socketWrapper");
      Object socket =
          invoke(
              wrapper, type(tomcat, "org.apache.tomcat.util.net.SocketWrapperBase"), "getSocket");
      Object io = socket == null ? null : invoke(socket, publicType(socket), "getIOChannel");
      if (!(io instanceof NetworkChannel channel)) {
        return null;
      }
      return new ConnectionAbort.Drop() {
        @Override
        public boolean drop() {
          if (!channel.isOpen()) {
            return false;
          }
          try {
            // A reset: the kernel drops the unsent bytes at once rather than keeping them for a
            // peer that does not read.
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
          } catch (IOException | RuntimeException e) {
            return false;
          }
          // Tomcat's own way to give up on a response (its error report valve's for a committed
          // one): no more writes, and the connection is closed once the caller completes the
          // request. Closing the socket from here would recycle the request under the caller.
          try {
            action.invoke(coyote, closeNow, null);
          } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
          }
          return true;
        }

        @Override
        public boolean endOutput() {
          return channel.isOpen() && ConnectionAbort.endOutput(channel);
        }
      };
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Class<?> type(ClassLoader loader, String name) throws ClassNotFoundException {
    return Class.forName(name, false, loader);
  }

  /** The public class of a socket, NioChannel or Nio2Channel, whose getIOChannel is public. */
  private static Class<?> publicType(Object socket) {
    Class<?> c = socket.getClass();
    while (c != null && !java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
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
