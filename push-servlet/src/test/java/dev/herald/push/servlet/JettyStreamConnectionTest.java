package dev.herald.push.servlet;

import static dev.herald.push.servlet.Http.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.PushHub;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On Jetty, once a stream's response is committed and its body runs to the end of its connection
 * (HTTP/1.1 with {@code Connection: close}, or HTTP/1.0), its frames go to the connection itself;
 * over TLS they go through the TLS layer as before; and a handler that wraps the response outside
 * the servlet context (one that compresses or counts the body) still sees every byte. Its own
 * server: {@code /a} is a servlet context as an application mounts one, {@code /b} the same under a
 * handler that wraps the response and counts what is written through it.
 */
class JettyStreamConnectionTest {
  private static final String PASSWORD = "herald-test";

  @TempDir static Path dir;

  private static Server server;
  private static PushHub hub;
  private static int plainPort;
  private static int tlsPort;
  private static SSLContext clientTls;

  /** The core response of each stream request under {@code /a}, by its channel. */
  private static final Map<String, Response> streams = new ConcurrentHashMap<>();

  /** Body bytes written through the wrapping handler's response under {@code /b}. */
  private static final AtomicLong counted = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    Path keyStore = selfSignedKeyStore();
    hub = PushHub.builder().noConnectionLimits().heartbeatInterval(Duration.ofSeconds(60)).build();
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setDaemon(true);
    threads.setName("jetty-connection");
    server = new Server(threads);

    ServerConnector plain = new ServerConnector(server);
    plain.setHost("127.0.0.1");
    plain.setPort(0);
    server.addConnector(plain);

    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStorePath(keyStore.toString());
    ssl.setKeyStorePassword(PASSWORD);
    ssl.setKeyStoreType("PKCS12");
    ServerConnector tls =
        new ServerConnector(
            server,
            new SslConnectionFactory(ssl, "http/1.1"),
            new HttpConnectionFactory(new HttpConfiguration()));
    tls.setHost("127.0.0.1");
    tls.setPort(0);
    server.addConnector(tls);

    server.setHandler(
        new Recorder(new Handler.Sequence(context("/a"), new Counting(context("/b")))));
    server.start();
    plainPort = plain.getLocalPort();
    tlsPort = tls.getLocalPort();

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      trusted.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, trust.getTrustManagers(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    hub.close();
  }

  private static ServletContextHandler context(String path) {
    ServletContextHandler context = new ServletContextHandler(path);
    context.addServletContainerInitializer(
        (classes, servletContext) ->
            PushServlet.builder(hub).build().register(servletContext, "/push/*"));
    return context;
  }

  /** A key pair and self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
  private static Path selfSignedKeyStore() throws Exception {
    Path file = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "herald",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool ended").isTrue();
    assertThat(keytool.exitValue()).as("keytool: %s", out).isZero();
    return file;
  }

  /** Remembers the core response of each stream request under {@code /a}, by its query. */
  private static final class Recorder extends Handler.Wrapper {
    Recorder(Handler handler) {
      super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String query = request.getHttpURI().getQuery();
      if (query != null && Request.getPathInContext(request).startsWith("/a/")) {
        streams.put(query, response);
      }
      return super.handle(request, response, callback);
    }
  }

  /** Wraps every response and counts the body bytes written through it. */
  private static final class Counting extends Handler.Wrapper {
    Counting(Handler handler) {
      super(handler);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      Response counting =
          new Response.Wrapper(request, response) {
            @Override
            public void write(boolean last, ByteBuffer content, Callback done) {
              if (content != null) {
                counted.addAndGet(content.remaining());
              }
              super.write(last, content, done);
            }
          };
      return super.handle(request, counting, callback);
    }
  }

  /** Publishes three messages and reads the stream up to the third; returns the body read. */
  private static String threeMessages(RawHttp stream, String channel, String readyMarker)
      throws Exception {
    String ready = RawHttp.body(stream.readUntil(readyMarker));
    for (int n = 0; n < 3; n++) {
      publish(hub, channel, "tick", "{\"n\":" + n + "}");
    }
    String body = RawHttp.body(stream.readUntil("{\"n\":2}"));
    assertThat(body).startsWith(ready).contains("{\"n\":0}", "{\"n\":1}");
    return body;
  }

  private static int bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void sseOverHttp11_framesAfterTheFirstWriteGoStraightToTheConnection() throws Exception {
    String channel = "endpoint/sse11";
    String query = "channel=" + channel;
    try (RawHttp sse = RawHttp.get11(plainPort, "/a/push/sse?" + query)) {
      String head = RawHttp.head(sse.readUntil("\r\n\r\n"));
      assertThat(head).contains("connection: close").doesNotContain("transfer-encoding");
      String body = threeMessages(sse, channel, "event: ready");

      long throughResponse = Response.getContentBytesWritten(streams.get(query));
      assertThat(throughResponse)
          .as("bytes the core response wrote of a %d-byte body", bytes(body))
          .isLessThan(bytes(body.substring(0, body.indexOf("{\"n\":0}"))));
    }
  }

  @Test
  void ndjsonOverHttp10_framesAfterTheFirstWriteGoStraightToTheConnection() throws Exception {
    String channel = "endpoint/ndjson10";
    String query = "channel=" + channel;
    try (RawHttp stream = RawHttp.get(plainPort, "/a/push/stream?" + query, 0)) {
      String body = threeMessages(stream, channel, "\"type\":\"ready\"");

      long throughResponse = Response.getContentBytesWritten(streams.get(query));
      assertThat(throughResponse).isLessThan(bytes(body.substring(0, body.indexOf("{\"n\":0}"))));
    }
  }

  @Test
  void wrappedResponse_seesEveryByteOfTheStream() throws Exception {
    String channel = "endpoint/wrapped";
    long before = counted.get();
    try (RawHttp sse = RawHttp.get11(plainPort, "/b/push/sse?channel=" + channel)) {
      sse.readUntil("\r\n\r\n");
      String body = threeMessages(sse, channel, "event: ready");
      assertThat(counted.get() - before).isEqualTo(bytes(body));
    }
  }

  @Test
  void sseOverTls_deliversEveryFrameWhole_throughTheTlsLayer() throws Exception {
    String channel = "endpoint/tls";
    String query = "channel=" + channel;
    // Larger than Jetty's 32 KiB response buffer: written in pieces.
    String text = "0123456789".repeat(6_000);
    SSLSocket socket = (SSLSocket) clientTls.getSocketFactory().createSocket("127.0.0.1", tlsPort);
    String request =
        "GET /a/push/sse?" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + tlsPort + "\r\n\r\n";
    try (RawHttp sse = RawHttp.over(socket, request.getBytes(StandardCharsets.US_ASCII))) {
      String ready = RawHttp.body(sse.readUntil("event: ready"));
      publish(hub, channel, "big", "{\"text\":\"" + text + "\"}");
      publish(hub, channel, "after", "{\"n\":1}");
      String body = RawHttp.body(sse.readUntil("{\"n\":1}"));

      assertThat(body).startsWith(ready).contains("\"text\":\"" + text + "\"");
      assertThat(body.indexOf("\"event\":\"big\"")).isLessThan(body.indexOf("\"event\":\"after\""));
      assertThat(Response.getContentBytesWritten(streams.get(query))).isLessThan(bytes(ready) + 1);
    }
  }
}
