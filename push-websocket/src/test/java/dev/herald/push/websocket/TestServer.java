package dev.herald.push.websocket;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An embedded servlet container on 127.0.0.1 and a free port, with Jakarta WebSocket enabled, that
 * runs {@code setup} while its one webapp starts, as an application's initializer would.
 */
abstract class TestServer implements AutoCloseable {
  /** The containers the suites run on. */
  enum Kind {
    JETTY,
    TOMCAT
  }

  static TestServer start(Kind kind, Consumer<ServletContext> setup) throws Exception {
    return kind == Kind.JETTY ? new JettyServer(setup) : new TomcatServer(setup);
  }

  abstract int port();

  /** Stops the container. */
  @Override
  public final void close() {
    try {
      stop();
    } catch (Exception e) {
      throw new IllegalStateException("the container did not stop cleanly", e);
    }
  }

  abstract void stop() throws Exception;

  /** Jetty 12 ee10 with its Jakarta WebSocket initializer. */
  private static final class JettyServer extends TestServer {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    JettyServer(Consumer<ServletContext> setup) throws Exception {
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      JakartaWebSocketServletContainerInitializer.configure(
          context, (servletContext, container) -> setup.accept(servletContext));
      server.setHandler(context);
      server.start();
    }

    @Override
    int port() {
      return connector.getLocalPort();
    }

    @Override
    void stop() throws Exception {
      server.stop();
    }
  }

  /** Tomcat 11 embedded with its WebSocket initializer, {@link WsSci}. */
  private static final class TomcatServer extends TestServer {
    private final Tomcat tomcat = new Tomcat();
    private final Path baseDir;

    TomcatServer(Consumer<ServletContext> setup) throws Exception {
      baseDir = Files.createTempDirectory("herald-tomcat");
      tomcat.setBaseDir(baseDir.toString());
      tomcat.setPort(0);
      tomcat.getConnector().setProperty("address", "127.0.0.1");
      Context context = tomcat.addContext("", null);
      // Initializers run in the order added: the ServerContainer exists when ours runs.
      context.addServletContainerInitializer(new WsSci(), null);
      ServletContainerInitializer app = (classes, servletContext) -> setup.accept(servletContext);
      context.addServletContainerInitializer(app, null);
      tomcat.start();
    }

    @Override
    int port() {
      return tomcat.getConnector().getLocalPort();
    }

    @Override
    void stop() throws Exception {
      tomcat.stop();
      tomcat.destroy();
      try (var files = Files.walk(baseDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
