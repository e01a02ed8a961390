package dev.herald.push.examples;

import dev.herald.push.PushException;
import dev.herald.push.PushHub;
import dev.herald.push.micrometer.HeraldChannelMetrics;
import dev.herald.push.redis.RedisBroker;
import java.net.BindException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Herald's demo: embedded Jetty 12 serving five apps at {@code /} (chat, live dashboard,
 * notifications, token streaming, whiteboard), their small JSON endpoints at {@code /demo/*},
 * Herald at {@code /push/*} and Prometheus metrics at {@code /metrics}. With {@code --redis} the
 * hub's broker is a {@link RedisBroker}, so several demo nodes share their channels. Run {@code
 * java -jar push-examples/target/push-examples.jar --port 8080}. Not thread-safe; start and stop it
 * from one thread.
 */
public final class DemoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);

  private final Server server;
  private final PushHub hub;
  private final RedisBroker broker;
  private final ScheduledExecutorService scheduler;
  private final ChatPresence presence;
  private final PriceSimulator prices;
  private final AnswerGenerator answers;

  private DemoServer(Parts parts) {
    this.server = parts.server;
    this.hub = parts.hub;
    this.broker = parts.broker;
    this.scheduler = parts.scheduler;
    this.presence = parts.presence;
    this.prices = parts.prices;
    this.answers = parts.answers;
  }

  /** What {@link #start} has made so far, so that a failed start can undo it. */
  private static final class Parts {
    RedisBroker broker;
    PushHub hub;
    ScheduledExecutorService scheduler;
    ChatPresence presence;
    PriceSimulator prices;
    AnswerGenerator answers;
    Server server;
  }

  /**
   * Starts the demo on {@code options.port()} (0 for any free port).
   *
   * @throws IllegalStateException if Redis cannot be reached or the port is taken
   */
  public static DemoServer start(DemoOptions options) throws Exception {
    return start(options, context -> {});
  }

  /** Starts the demo, letting tests add filters to its context before it starts. */
  static DemoServer start(DemoOptions options, Consumer<ServletContextHandler> customizer)
      throws Exception {
    return start(options, hub -> {}, customizer);
  }

  /**
   * Starts the demo, letting tests change its hub's settings (heartbeat, trusted proxies) and add
   * filters to its context before it starts.
   */
  static DemoServer start(
      DemoOptions options,
      Consumer<PushHub.Builder> hubSettings,
      Consumer<ServletContextHandler> customizer)
      throws Exception {
    Parts parts = new Parts();
    try {
      build(options, hubSettings, customizer, parts);
      return new DemoServer(parts);
    } catch (Exception | Error e) {
      stop(parts);
      if (e instanceof BindException) {
        throw new IllegalStateException(
            "port " + options.port() + " is in use; pick another with --port", e);
      }
      throw e;
    }
  }

  private static void build(
      DemoOptions options,
      Consumer<PushHub.Builder> hubSettings,
      Consumer<ServletContextHandler> customizer,
      Parts parts)
      throws Exception {
    if (options.redisUri() != null) {
      parts.broker = connectRedis(options.redisUri());
    }
    Logins logins = new Logins();
    parts.presence = new ChatPresence();
    HeraldChannelMetrics channelMetrics = DemoMetrics.channels();
    PushHub.Builder builder =
        PushHub.builder()
            .authenticator(logins) // notifications: tokens name the user
            .authorizer(new PersonalChannels()) // user/<name> is for <name> only
            // Browsers may publish to the chat rooms and the whiteboards, through their checks;
            // every other channel is server-only.
            .acceptClientMessages("chat/*", new ChatMessages())
            .acceptClientMessages("board/*", new BoardMessages())
            .presenceListener(parts.presence)
            // A client that vanished is noticed on the next write; frequent heartbeats keep the
            // chat's presence count fresh on idle SSE and streaming connections.
            .heartbeatInterval(Duration.ofSeconds(5))
            // The demo is the target of load tests that open thousands of connections from one
            // machine: its limits are sized for that. A production node keeps the defaults (10,000
            // connections, 500 per address, 20 opens a second per address) or sizes them to its
            // memory; docs/operations.md, "Connection limits".
            .maxConnections(50_000)
            .maxConnectionsPerAddress(50_000)
            .openRate(2_000, 20_000)
            .observer(channelMetrics); // meters per app for /metrics
    if (parts.broker != null) {
      builder.broker(parts.broker);
    }
    hubSettings.accept(builder);
    PushHub hub = builder.build();
    parts.hub = hub;
    parts.presence.attach(hub);

    AtomicInteger threads = new AtomicInteger();
    parts.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "herald-demo-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    parts.prices = new PriceSimulator(hub);
    parts.answers = new AnswerGenerator(hub, parts.scheduler);

    Server server = new Server();
    parts.server = server;
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
    context.addServlet(new ServletHolder(new ChatHistoryServlet(hub)), "/demo/chat/*");
    context.addServlet(
        new ServletHolder(new NotificationServlet(hub, logins)), "/demo/notifications/*");
    context.addServlet(new ServletHolder(new AnswerServlet(hub, parts.answers)), "/demo/answers/*");
    context.addServlet(new ServletHolder(new BoardServlet(hub)), "/demo/board/*");
    Transports.mount(context, hub);
    DemoMetrics.mount(context, hub, channelMetrics); // Prometheus text at /metrics
    customizer.accept(context);
    server.setHandler(context);
    server.setStopAtShutdown(false);
    server.start();
    parts.prices.start(parts.scheduler);
  }

  private static RedisBroker connectRedis(String uri) {
    try {
      return RedisBroker.builder().redisUri(uri).build();
    } catch (PushException e) {
      throw new IllegalStateException(
          "cannot reach Redis at "
              + masked(uri)
              + " ("
              + e.getMessage()
              + "); start redis-server there, or run without --redis",
          e);
    }
  }

  private static String masked(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    return scheme >= 0 && at > scheme
        ? uri.substring(0, scheme + 3) + "***" + uri.substring(at)
        : uri;
  }

  /** The port the server listens on. */
  public int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** The hub behind the demo. */
  public PushHub hub() {
    return hub;
  }

  /** The price simulator, for tests that need a quiet hub. */
  PriceSimulator prices() {
    return prices;
  }

  /** The answers being generated, for tests. */
  AnswerGenerator answers() {
    return answers;
  }

  /**
   * Drains the hub: refuses new push connections and closes the open ones spread over the window,
   * so that clients reconnect to other nodes a few at a time; returns once the last is closed (or
   * the window and a few seconds have passed). Then {@link #close()} stops the rest.
   */
  public void drain(Duration window) {
    try {
      hub.drain(window).toCompletableFuture().get(window.toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("The drain did not finish: {}", e.toString());
    }
  }

  /**
   * Stops the simulator and the generators, closes every push connection and the hub, then the
   * Redis broker if there is one, then Jetty.
   */
  @Override
  public void close() throws Exception {
    Parts parts = new Parts();
    parts.server = server;
    parts.hub = hub;
    parts.broker = broker;
    parts.scheduler = scheduler;
    parts.presence = presence;
    parts.prices = prices;
    parts.answers = answers;
    stop(parts);
  }

  private static void stop(Parts parts) throws Exception {
    if (parts.prices != null) {
      parts.prices.stop();
    }
    if (parts.answers != null) {
      parts.answers.stopAll();
    }
    if (parts.scheduler != null) {
      parts.scheduler.shutdownNow();
      parts.scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (parts.presence != null) {
      parts.presence.close();
    }
    if (parts.hub != null) {
      parts.hub.close();
    }
    if (parts.broker != null) {
      parts.broker.close(); // the hub does not close a broker it was given
    }
    if (parts.server != null) {
      parts.server.stop();
    }
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
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("push-examples: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info(
        "Herald demo running at http://localhost:{}/{}",
        demo.port(),
        options.redisUri() == null ? "" : " (cluster node on Redis)");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Shutting down: draining over {} s", options.drain().toSeconds());
                  try {
                    demo.drain(options.drain());
                    demo.close();
                  } catch (Exception e) {
                    LOG.warn("Shutdown failed", e);
                  }
                },
                "herald-demo-shutdown"));
    demo.server.join();
  }
}
