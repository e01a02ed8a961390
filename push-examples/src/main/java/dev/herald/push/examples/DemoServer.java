package dev.herald.push.examples;

import dev.herald.push.ClientMessageHandler;
import dev.herald.push.PushHub;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's demo: embedded Jetty 12 serving the demo pages at {@code /} and Herald at {@code
 * /push/*}. Run {@code java -jar push-examples/target/push-examples.jar --port 8080}. Not
 * thread-safe; start and stop it from one thread.
 */
public final class DemoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);

  private final Server server;
  private final PushHub hub;

  private DemoServer(Server server, PushHub hub) {
    this.server = server;
    this.hub = hub;
  }

  /** Starts the demo on {@code port} (0 for any free port). */
  public static DemoServer start(DemoOptions options) throws Exception {
    return start(options, context -> {});
  }

  /** Starts the demo, letting tests add filters to its context before it starts. */
  static DemoServer start(DemoOptions options, Consumer<ServletContextHandler> customizer)
      throws Exception {
    if (options.redisUri() != null) {
      throw new IllegalArgumentException(
          "--redis is not available yet: this build has no Redis broker");
    }
    PushHub hub =
        PushHub.builder()
            // The chat demo lets browsers publish to its rooms; every other channel is
            // server-only.
            .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
            .build();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(options.port());
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    context.setBaseResource(
        Objects.requireNonNull(
            ResourceFactory.of(context).newClassLoaderResource("static/"),
            "the demo's pages are missing from the classpath"));
    ServletHolder statics = new ServletHolder("static", DefaultServlet.class);
    statics.setInitParameter("dirAllowed", "false");
    context.addServlet(statics, "/");
    Transports.mount(context, hub);
    customizer.accept(context);
    server.setHandler(context);
    server.setStopAtShutdown(false);
    server.start();
    return new DemoServer(server, hub);
  }

  /** The port the server listens on. */
  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** The hub behind the demo. */
  public PushHub hub() {
    return hub;
  }

  /** Stops accepting, closes every push connection, then stops Jetty. */
  @Override
  public void close() throws Exception {
    hub.close();
    server.stop();
  }

  /** Command-line entry point. */
  public static void main(String[] args) throws Exception {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("push-examples: " + e.getMessage());
      System.err.println(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(DemoOptions.USAGE);
      return;
    }
    DemoServer demo;
    try {
      demo = start(options);
    } catch (IllegalArgumentException e) {
      System.err.println("push-examples: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("Herald demo running at http://localhost:{}/", demo.port());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Shutting down");
                  try {
                    demo.close();
                  } catch (Exception e) {
                    LOG.warn("Shutdown failed", e);
                  }
                },
                "herald-demo-shutdown"));
    demo.server.join();
  }
}
