package dev.herald.push.servlet;

import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.PushHub;
import dev.herald.push.RejectedMessageException;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One real container on a free port with Herald mounted three times: {@code /push/*} (the main hub,
 * with client publish on {@code chat/*}, {@code strict/*} and {@code later/*} (a handler that takes
 * 200 ms), a bearer-token authenticator, an authorizer and {@code https://app.example.com}
 * allowed), {@code /small/*} (a second hub with a five-message history and a 64 KiB outbox) and
 * {@code /webxml/*} (made as {@code web.xml} would, finding the main hub in a context attribute).
 * Both containers are started once per test JVM and shared by every test class, so each test uses
 * channels of its own.
 */
final class TestServer {
  static final String ALLOWED_ORIGIN = "https://app.example.com";
  static final String GOOD_TOKEN = "good-token";

  /** Also alice's: a token that needs decoding in a query string. */
  static final String ODD_TOKEN = "odd t\u00f8ken+/\u20ac";

  private static final AtomicInteger CHANNELS = new AtomicInteger();
  private static TestServer jetty;
  private static TestServer tomcat;

  final String name;
  final PushHub hub;
  final PushHub small;
  final HttpClient http;
  private final int port;

  private TestServer(String name, Container container) throws Exception {
    this.name = name;
    this.hub = mainHub();
    this.small = smallHub();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ServletContainerInitializer setup = (classes, context) -> mount(context);
    // Both containers run daemon threads and live until the test JVM exits; stopping them from a
    // shutdown hook would only wait on open streams.
    this.port = container.start(setup).port();
  }

  private TestServer(int port) {
    this.name = "ad hoc";
    this.port = port;
    this.hub = null;
    this.small = null;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** A handle on a container a test started itself, for the request helpers. */
  static TestServer at(int port) {
    return new TestServer(port);
  }

  /** Both containers, started on first use. */
  static synchronized List<TestServer> both() throws Exception {
    if (jetty == null) {
      jetty = new TestServer("jetty", TestServer::startJetty);
    }
    if (tomcat == null) {
      tomcat = new TestServer("tomcat", TestServer::startTomcat);
    }
    return List.of(jetty, tomcat);
  }

  int port() {
    return port;
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  /** A channel name no other test uses. */
  static String channel(String prefix) {
    return prefix + "/t" + CHANNELS.incrementAndGet();
  }

  @Override
  public String toString() {
    return name;
  }

  private void mount(ServletContext context) {
    PushServlet.builder(hub)
        .allowedOrigins(ALLOWED_ORIGIN)
        .pollTimeout(Duration.ofSeconds(30))
        .sseRetry(Duration.ofMillis(1500))
        .build()
        .register(context, "/push/*");
    PushServlet.builder(small).build().register(context, "/small/*");
    context.setAttribute("test.hub", hub);
    ServletRegistration.Dynamic webXml = context.addServlet("webxml", PushServlet.class);
    webXml.setInitParameter("herald.hubAttribute", "test.hub");
    webXml.setInitParameter(
        "herald.allowedOrigins", "https://other.example.com, https://third.example.com:8443");
    webXml.setInitParameter("herald.pollTimeoutSeconds", "2");
    webXml.setAsyncSupported(true);
    webXml.addMapping("/webxml/*");
  }

  static PushHub mainHub() {
    return PushHub.builder()
        // Every test class opens its connections from 127.0.0.1, some a thousand in a row: the
        // limits have tests of their own (ConnectionLimitsTest).
        .noConnectionLimits()
        .heartbeatInterval(Duration.ofMillis(250))
        .maxChannelsPerConnection(4)
        .authenticator(
            token -> GOOD_TOKEN.equals(token) || ODD_TOKEN.equals(token) ? "alice" : null)
        .authorizer(
            new Authorizer() {
              @Override
              public boolean canSubscribe(Client client, String channel) {
                return !channel.startsWith("secret/") || "alice".equals(client.user());
              }

              @Override
              public boolean canPublish(Client client, String channel) {
                return !channel.startsWith("chat/alice") || "alice".equals(client.user());
              }
            })
        .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
        .acceptClientMessages(
            "strict/*",
            message -> {
              if (message.data().contains("spam")) {
                throw new RejectedMessageException("no spam, please");
              }
              return message.withEvent("checked");
            })
        .acceptClientMessages(
            "later/*",
            message -> {
              // Still running when the publish request's thread checks: answered asynchronously.
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (message.data().contains("spam")) {
                throw new RejectedMessageException("no spam, please");
              }
              return message;
            })
        .build();
  }

  static PushHub smallHub() {
    return PushHub.builder()
        .noConnectionLimits()
        .broker(InMemoryBroker.builder().historySize(5).build())
        .heartbeatInterval(Duration.ofMillis(250))
        .maxQueuedBytes(64 * 1024)
        .acceptClientMessages("chat/*", ClientMessageHandler.PASS_THROUGH)
        .build();
  }

  // ---- containers

  /** A started container: its port and how to stop it. */
  record Running(int port, AutoCloseable stopper) {}

  /** Starts a container on a free port with the setup. */
  @FunctionalInterface
  interface Container {
    Running start(ServletContainerInitializer setup) throws Exception;
  }

  static Running startJetty(ServletContainerInitializer setup) throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setDaemon(true);
    threads.setName("jetty");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer(setup);
    server.setHandler(context);
    server.start();
    return new Running(connector.getLocalPort(), server::stop);
  }

  static Running startTomcat(ServletContainerInitializer setup) throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("herald-tomcat").toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(setup, null);
    tomcat.start();
    return new Running(
        connector.getLocalPort(),
        () -> {
          tomcat.stop();
          tomcat.destroy();
        });
  }
}
