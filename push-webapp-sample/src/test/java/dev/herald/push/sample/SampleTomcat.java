package dev.herald.push.sample;

import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * Embedded Tomcat on 127.0.0.1 and a free port, deploying {@code src/main/webapp} under the context
 * path {@value #CONTEXT_PATH} the way a standalone Tomcat deploys an exploded WAR: {@code
 * WEB-INF/web.xml} is parsed, the container's {@code ServletContainerInitializer}s (WsSci for
 * WebSocket) are discovered, and the default servlet serves static files (Tomcat's conf/web.xml,
 * minus JSP). The sample's classes come from the test class path, as {@code WEB-INF/classes} would
 * supply them. Which Tomcat runs (11, or 10.1 in the build's second run) is the one on the class
 * path. Not thread-safe; one test owns it.
 */
final class SampleTomcat implements AutoCloseable {
  /** Not the root: the sample must work wherever its WAR is deployed. */
  static final String CONTEXT_PATH = "/shop";

  private final Tomcat tomcat = new Tomcat();
  private final Path baseDir;
  private final Context context;
  private boolean stopped;

  private SampleTomcat() throws IOException, LifecycleException {
    baseDir = Files.createTempDirectory("herald-sample-tomcat");
    Files.createDirectories(baseDir.resolve("webapps"));
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Path webapp = Path.of("src/main/webapp").toAbsolutePath();
    // addWebapp, not addContext: it installs ContextConfig, which reads web.xml and runs the
    // container's initializers, so the sample is deployed as it would be from a WAR.
    // Tomcat's own conf/web.xml would add the JSP servlet too, and Jasper is not here: add only
    // the default servlet (static files) and the MIME types it declares.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    context = tomcat.addWebapp(CONTEXT_PATH, webapp.toString());
    Tomcat.addDefaultMimeTypeMappings(context);
    Tomcat.addServlet(context, "default", new DefaultServlet());
    context.addServletMapping("/", "default");
    // Nothing on the test class path is a web fragment or holds TLDs; skipping the scan saves
    // seconds and keeps the initializers (found by service loader, not by scanning) intact.
    ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
    try {
      tomcat.start();
    } catch (LifecycleException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Deploys the sample and starts Tomcat; returns once the webapp is available. */
  static SampleTomcat start() throws IOException, LifecycleException {
    return new SampleTomcat();
  }

  /** The URI of {@code path} (starting with {@code /}) inside the webapp, over HTTP. */
  URI http(String path) {
    return URI.create("http://127.0.0.1:" + port() + CONTEXT_PATH + path);
  }

  /** The URI of {@code path} (starting with {@code /}) inside the webapp, over WebSocket. */
  URI ws(String path) {
    return URI.create("ws://127.0.0.1:" + port() + CONTEXT_PATH + path);
  }

  /** The running Tomcat's version, such as {@code 11.0.27.0}. */
  static String version() {
    return ServerInfo.getServerNumber();
  }

  /** The hub {@link HeraldSetup} shared with the webapp. */
  PushHub hub() {
    return (PushHub) context.getServletContext().getAttribute(PushServlet.HUB_ATTRIBUTE);
  }

  /** Whether the webapp started (Tomcat leaves a failed webapp unavailable without throwing). */
  boolean available() {
    return context.getState().isAvailable();
  }

  /** Stops the webapp and the container; a second call does nothing. */
  void stop() throws LifecycleException {
    if (!stopped) {
      stopped = true;
      tomcat.stop();
      tomcat.destroy();
    }
  }

  private int port() {
    return tomcat.getConnector().getLocalPort();
  }

  @Override
  public void close() throws LifecycleException {
    try {
      stop();
    } finally {
      try (var files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
