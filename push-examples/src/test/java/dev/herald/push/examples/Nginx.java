package dev.herald.push.examples;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's nginx as a TLS-terminating reverse proxy in front of a server on 127.0.0.1, configured
 * as docs/deployment.md says, with a self-signed certificate for {@code localhost} and {@code
 * 127.0.0.1} made by the {@code openssl} binary at start. It runs as a child process in the
 * foreground ({@code daemon off}) with its own prefix, configuration, temporary directories, pid
 * file and logs in a fresh directory, on a free port, as root or not. Not thread-safe.
 *
 * <p>The binaries are {@code HERALD_NGINX} / {@code HERALD_OPENSSL} if set (environment, or the
 * system properties {@code herald.nginx} / {@code herald.openssl}), else {@code /usr/sbin/nginx}
 * and {@code /usr/bin/openssl}, else the {@code PATH}. Without them the test is skipped on a
 * developer's machine and fails under {@code CI=true}.
 */
final class Nginx implements AutoCloseable {
  private final Path nginx;
  private final Path dir;
  private final int port;
  private final SSLContext trust;
  private Process process;

  private Nginx(Path nginx, Path dir, int port, SSLContext trust) {
    this.nginx = nginx;
    this.dir = dir;
    this.port = port;
    this.trust = trust;
  }

  /** Starts nginx on a free port in front of {@code 127.0.0.1:upstreamPort}. */
  static Nginx start(int upstreamPort) throws Exception {
    Path nginx = find("HERALD_NGINX", "herald.nginx", "/usr/sbin/nginx", "nginx");
    Path openssl = find("HERALD_OPENSSL", "herald.openssl", "/usr/bin/openssl", "openssl");
    Path dir = Files.createTempDirectory("herald-nginx-");
    for (String sub : List.of("logs", "temp", "conf")) {
      Files.createDirectories(dir.resolve(sub));
    }
    run(
        dir,
        openssl.toString(),
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        dir.resolve("conf/key.pem").toString(),
        "-out",
        dir.resolve("conf/cert.pem").toString());
    int port = freePort();
    Files.writeString(dir.resolve("conf/nginx.conf"), config(dir, port, upstreamPort));
    Nginx proxy = new Nginx(nginx, dir, port, trusting(dir.resolve("conf/cert.pem")));
    proxy.start();
    return proxy;
  }

  /** The port nginx listens on with TLS. */
  int port() {
    return port;
  }

  /** An SSL context that trusts this proxy's certificate and nothing else. */
  SSLContext sslContext() {
    return trust;
  }

  /** {@code https://localhost:PORT}, the origin of pages served through the proxy. */
  String origin() {
    return "https://localhost:" + port;
  }

  /**
   * Stops nginx at once (SIGTERM: fast shutdown, every client connection cut), as a crash or a
   * restart of the proxy would.
   */
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    process = null;
  }

  /** Starts nginx with the same configuration and port, and waits until it accepts connections. */
  void start() throws Exception {
    List<String> command =
        List.of(
            nginx.toString(),
            "-p",
            dir.toString() + "/",
            "-c",
            dir.resolve("conf/nginx.conf").toString(),
            "-e",
            dir.resolve("logs/error.log").toString(),
            "-g",
            "daemon off;");
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("logs/stdout.log").toFile())
            .start();
    Process started = process;
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (!started.isAlive()) {
                throw new IllegalStateException(
                    "nginx exited with " + started.exitValue() + ": " + log());
              }
              return accepts();
            });
  }

  /** What nginx wrote to its error log and standard output. */
  String log() throws IOException {
    StringBuilder text = new StringBuilder();
    for (String name : List.of("logs/error.log", "logs/stdout.log")) {
      Path file = dir.resolve(name);
      if (Files.exists(file)) {
        text.append(Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    return text.toString();
  }

  @Override
  public void close() throws Exception {
    try {
      stop();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The proxy as docs/deployment.md configures it, with paths in {@code dir}: WebSocket upgrade on
   * {@code /push/ws}, no buffering and long read timeouts for the streams, the public host, scheme
   * and client address forwarded to a Herald that trusts this proxy.
   */
  static String config(Path dir, int port, int upstreamPort) {
    String d = dir.toString();
    String user =
        "root".equals(System.getProperty("user.name"))
            // Workers of a root master switch to this user; root keeps the temp dirs writable.
            ? "user root;\n"
            : "";
    return user
        + "worker_processes 1;\n"
        + "pid "
        + d
        + "/logs/nginx.pid;\n"
        + "error_log "
        + d
        + "/logs/error.log info;\n"
        + "events { worker_connections 512; }\n"
        + "http {\n"
        + "  access_log "
        + d
        + "/logs/access.log;\n"
        + "  client_body_temp_path "
        + d
        + "/temp/body;\n"
        + "  proxy_temp_path "
        + d
        + "/temp/proxy;\n"
        + "  fastcgi_temp_path "
        + d
        + "/temp/fastcgi;\n"
        + "  uwsgi_temp_path "
        + d
        + "/temp/uwsgi;\n"
        + "  scgi_temp_path "
        + d
        + "/temp/scgi;\n"
        + "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
        + "  upstream herald { server 127.0.0.1:"
        + upstreamPort
        + "; keepalive 16; }\n"
        + "  server {\n"
        + "    listen 127.0.0.1:"
        + port
        + " ssl http2;\n"
        + "    server_name localhost;\n"
        + "    ssl_certificate "
        + d
        + "/conf/cert.pem;\n"
        + "    ssl_certificate_key "
        + d
        + "/conf/key.pem;\n"
        + "    ssl_protocols TLSv1.2 TLSv1.3;\n"
        + "    proxy_http_version 1.1;\n"
        + "    proxy_set_header Host $host;\n"
        + "    proxy_set_header X-Forwarded-Host $host:$server_port;\n"
        + "    proxy_set_header X-Forwarded-Proto $scheme;\n"
        + "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        + "    location = /push/ws {\n"
        + "      proxy_pass http://herald;\n"
        + "      proxy_set_header Upgrade $http_upgrade;\n"
        + "      proxy_set_header Connection $connection_upgrade;\n"
        // proxy_set_header in a location replaces the server's list: repeat it.
        + "      proxy_set_header Host $host;\n"
        + "      proxy_set_header X-Forwarded-Host $host:$server_port;\n"
        + "      proxy_set_header X-Forwarded-Proto $scheme;\n"
        + "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        + "      proxy_read_timeout 75s;\n"
        + "    }\n"
        + "    location /push/ {\n"
        + "      proxy_pass http://herald;\n"
        + "      proxy_set_header Connection \"\";\n"
        + "      proxy_set_header Host $host;\n"
        + "      proxy_set_header X-Forwarded-Host $host:$server_port;\n"
        + "      proxy_set_header X-Forwarded-Proto $scheme;\n"
        + "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        + "      proxy_buffering off;\n"
        + "      proxy_cache off;\n"
        + "      gzip off;\n"
        + "      proxy_read_timeout 75s;\n"
        + "    }\n"
        + "    location / {\n"
        + "      proxy_pass http://herald;\n"
        + "    }\n"
        + "  }\n"
        + "}\n";
  }

  private static SSLContext trusting(Path certificate) throws Exception {
    Certificate cert;
    try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(certificate))) {
      cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("nginx", cert);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static void run(Path dir, String... command) throws Exception {
    Path output = dir.resolve("logs/openssl.log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " failed: " + Files.readString(output));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * The executable named by the variable or property, else at the Debian path, else on the {@code
   * PATH}; skips the test, or fails it under {@code CI=true}, if there is none.
   */
  private static Path find(String variable, String property, String debian, String name) {
    String named = System.getProperty(property, System.getenv(variable));
    List<String> searched = new ArrayList<>();
    if (named != null && !named.isBlank()) {
      Path path = Path.of(named);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(variable + " names " + named + ", not an executable");
      }
      return path;
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of(debian));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        if (!entry.isEmpty()) {
          candidates.add(Path.of(entry, name));
        }
      }
    }
    for (Path candidate : candidates) {
      searched.add(candidate.toString());
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String problem =
        "no "
            + name
            + " executable (set "
            + variable
            + ", or install Debian's "
            + name
            + " package); looked at "
            + searched;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(problem + "; CI=true requires the reverse-proxy tests to run");
    }
    Assumptions.abort(problem + "; skipping the reverse-proxy tests");
    throw new IllegalStateException("unreachable");
  }
}
