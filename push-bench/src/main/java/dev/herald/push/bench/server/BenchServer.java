package dev.herald.push.bench.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.JMException;
import javax.management.ObjectName;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server under test: Jetty 12 with one {@link Target}, a publisher and a control endpoint. Runs
 * in its own JVM, started by the load tool ({@code Main server --impl herald --port 8090}).
 *
 * <p>Control, for the load tool only:
 *
 * <ul>
 *   <li>{@code POST /bench/publish?channels=C&rate=R&seconds=S&size=B}: starts an open-loop run;
 *       409 if one is still going.
 *   <li>{@code GET /bench/stats[?gc=true]}: connections, heap used (after a full GC and a trim of
 *       the C heap when asked), threads, direct buffer memory, messages published per channel,
 *       whether a run is going, and how far the publisher fell behind its schedule.
 * </ul>
 */
public final class BenchServer {
  private BenchServer() {}

  /** Starts the server and blocks until the JVM is stopped. */
  public static void run(String impl, int port) throws Exception {
    Target target =
        switch (impl) {
          case "herald" -> new HeraldTarget();
          case "raw" -> new RawTarget();
          case "cometd" -> new CometdTarget();
          default ->
              throw new IllegalArgumentException(
                  "unknown --impl " + impl + ": herald, raw or cometd");
        };
    QueuedThreadPool threads = new QueuedThreadPool(200, 8);
    threads.setName("jetty");
    // Threads the warm-up started stay for the run: one that ends between two readings of the RSS
    // takes its stack with it, and the idle scenario would count that against the connections.
    threads.setIdleTimeout(600_000);
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(port);
    connector.setHost("127.0.0.1");
    connector.setAcceptQueueSize(4096);
    connector.setIdleTimeout(600_000);
    // Jetty keeps a header cache per HTTP/1.1 connection from its second request on (about 100 KiB
    // at its default size of 1,024): -Dbench.headerCacheSize=N shows what a smaller one saves.
    Integer headerCache = Integer.getInteger("bench.headerCacheSize");
    if (headerCache != null) {
      connector
          .getConnectionFactory(HttpConnectionFactory.class)
          .getHttpConfiguration()
          .setHeaderCacheSize(headerCache);
    }
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    server.setHandler(context);
    target.install(context);
    Publisher publisher = new Publisher(target);
    context.addServlet(new ServletHolder(new ControlServlet(target, publisher)), "/bench/*");
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("READY port=" + connector.getLocalPort() + " impl=" + impl);
    System.out.flush();
    server.join();
    target.close();
  }

  private static final class ControlServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Target target;
    private final transient Publisher publisher;

    ControlServlet(Target target, Publisher publisher) {
      this.target = target;
      this.publisher = publisher;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (!"/publish".equals(req.getPathInfo())) {
        resp.sendError(404);
        return;
      }
      int channels = Integer.parseInt(param(req, "channels", "1"));
      double rate = Double.parseDouble(param(req, "rate", "1000"));
      double seconds = Double.parseDouble(param(req, "seconds", "5"));
      int size = Integer.parseInt(param(req, "size", "100"));
      if (channels < 1 || rate <= 0 || seconds <= 0 || size < 1) {
        resp.sendError(400, "channels, rate, seconds and size must be positive");
        return;
      }
      if (!publisher.start(channels, rate, seconds, size)) {
        resp.sendError(409, "a run is still going");
        return;
      }
      resp.setStatus(202);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (!"/stats".equals(req.getPathInfo())) {
        resp.sendError(404);
        return;
      }
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      if (Boolean.parseBoolean(req.getParameter("gc"))) {
        for (int i = 0; i < 3; i++) {
          System.gc();
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        trimNativeHeap();
      }
      long direct = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        direct += pool.getMemoryUsed();
      }
      StringBuilder sb = new StringBuilder("{");
      sb.append("\"connections\":").append(target.connections());
      sb.append(",\"heap\":").append(memory.getHeapMemoryUsage().getUsed());
      sb.append(",\"direct\":").append(direct);
      sb.append(",\"threads\":").append(ManagementFactory.getThreadMXBean().getThreadCount());
      sb.append(",\"running\":").append(publisher.running());
      sb.append(",\"maxLagNanos\":").append(publisher.maxLagNanos());
      sb.append(",\"published\":[");
      long[] published = publisher.published();
      for (int i = 0; i < published.length; i++) {
        sb.append(i == 0 ? "" : ",").append(published[i]);
      }
      sb.append("]}");
      resp.setContentType("application/json");
      resp.getWriter().write(sb.toString());
    }

    /**
     * Hands the C heap's free memory back to the system ({@code jcmd System.trim_native_heap}, JDK
     * 17.0.9 and later), so that the RSS read next counts live native memory, not what malloc kept
     * after the JIT's or the GC's scratch memory was freed. Does nothing where unsupported.
     */
    private static void trimNativeHeap() {
      try {
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "systemTrimNativeHeap",
                new Object[] {new String[0]},
                new String[] {String[].class.getName()});
      } catch (JMException | RuntimeException e) {
        // Not this JDK or not glibc: RSS then includes malloc's free lists.
      }
    }

    private static String param(HttpServletRequest req, String name, String fallback) {
      String v = req.getParameter(name);
      return v == null ? fallback : v;
    }
  }
}
