package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Authenticator;
import dev.herald.push.Authorizer;
import dev.herald.push.Client;
import dev.herald.push.PushHub;
import dev.herald.push.servlet.PushServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of origin and identity cases, run against SSE, NDJSON and the WebSocket handshake on
 * Jetty 12 and on Tomcat 11: every transport on every container must give each row the same answer,
 * so that they cannot drift apart again. Requests go over raw sockets, since they must set {@code
 * Host} and forwarded headers as a browser or proxy would. An allowed row also subscribes, and the
 * hub's authorizer records who the client turned out to be and from which address.
 *
 * <p>Three hubs: {@code /main} (tokens {@code good} → alice, {@code explode} makes the
 * authenticator throw; {@code https://app.example.com} allowed; no trusted proxy), {@code /proxied}
 * (the same authenticator; 127.0.0.1 is a trusted proxy) and {@code /plain} (no authenticator).
 * Each is mounted as a {@link PushServlet} at {@code /NAME/*} and a {@link PushWebSocket} at {@code
 * /NAME-ws}. A request with an {@code X-Test-User} header arrives with that container principal.
 */
class AccessMatrixTest {
  private static final String PUBLIC = "public.example:8443";
  private static final Map<TestServer.Kind, Server> SERVERS = new EnumMap<>(TestServer.Kind.class);
  private static final AtomicInteger CHANNELS = new AtomicInteger();

  enum Transport {
    SSE,
    NDJSON,
    WEBSOCKET
  }

  /**
   * One case: which hub, the request's headers ({@code {port}} stands for the server's port), an
   * {@code access_token} parameter or {@code null}, and what every transport must answer.
   *
   * @param status the HTTP status; 200 means allowed (101 on the WebSocket)
   * @param code the error code of a refusal
   * @param user the user an allowed client must be, {@code null} for anonymous
   * @param address the client address an allowed client must have
   */
  record Row(
      String name,
      String hub,
      Map<String, String> headers,
      String accessToken,
      int status,
      String code,
      String user,
      String address) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Row> table() {
    List<Row> rows = new ArrayList<>();
    // ---- origins
    rows.add(allowed("no Origin", "main", headers()));
    rows.add(allowed("same origin", "main", headers("Origin", "http://127.0.0.1:{port}")));
    rows.add(
        allowed(
            "Host without port is the request scheme's default port",
            "main",
            headers("Host", "localhost", "Origin", "http://localhost")));
    rows.add(
        refused(
            "Host without port is not the Origin scheme's default port",
            "main",
            headers("Host", "localhost", "Origin", "https://localhost"),
            403,
            "forbidden"));
    rows.add(
        refused(
            "foreign origin", "main", headers("Origin", "https://evil.example"), 403, "forbidden"));
    rows.add(refused("Origin null", "main", headers("Origin", "null"), 403, "forbidden"));
    rows.add(allowed("allowed origin", "main", headers("Origin", "https://app.example.com")));
    rows.add(
        refused(
            "origin allowed on another hub only",
            "proxied",
            headers("Origin", "https://app.example.com"),
            403,
            "forbidden"));
    // ---- forwarded headers
    rows.add(
        refused(
            "X-Forwarded-* from an untrusted peer", "main", forwardedByNginx(), 403, "forbidden"));
    rows.add(
        new Row(
            "X-Forwarded-* from a trusted proxy",
            "proxied",
            forwardedByNginx(),
            null,
            200,
            null,
            null,
            "198.51.100.7"));
    rows.add(
        new Row(
            "Forwarded from a trusted proxy",
            "proxied",
            headers(
                "Host",
                "backend:8080",
                "Forwarded",
                "for=198.51.100.7;host=\"" + PUBLIC + "\";proto=https",
                "Origin",
                "https://" + PUBLIC),
            null,
            200,
            null,
            null,
            "198.51.100.7"));
    rows.add(
        refused(
            "Forwarded element a client wrote itself",
            "proxied",
            headers(
                "Host",
                "backend:8080",
                "Forwarded",
                "host=evil.example;proto=https, for=198.51.100.7;host=\""
                    + PUBLIC
                    + "\";proto=https",
                "Origin",
                "https://evil.example"),
            403,
            "forbidden"));
    // ---- identity
    rows.add(
        new Row(
            "bearer header",
            "main",
            headers("Authorization", "Bearer good"),
            null,
            200,
            null,
            "alice",
            "127.0.0.1"));
    rows.add(new Row("access_token", "main", headers(), "good", 200, null, "alice", "127.0.0.1"));
    rows.add(
        refused(
            "bearer header not accepted",
            "main",
            headers("Authorization", "Bearer forged"),
            401,
            "unauthorized"));
    rows.add(
        new Row(
            "access_token not accepted",
            "main",
            headers(),
            "forged",
            401,
            "unauthorized",
            null,
            null));
    rows.add(
        new Row("empty access_token is none", "main", headers(), "", 200, null, null, "127.0.0.1"));
    rows.add(allowed("empty bearer header is none", "main", headers("Authorization", "Bearer ")));
    rows.add(
        refused(
            "token without an authenticator",
            "plain",
            headers("Authorization", "Bearer good"),
            401,
            "unauthorized"));
    rows.add(
        refused(
            "authenticator throws",
            "main",
            headers("Authorization", "Bearer explode"),
            500,
            "internal"));
    rows.add(
        new Row(
            "container principal first, token unchecked",
            "main",
            headers("X-Test-User", "carol", "Authorization", "Bearer forged"),
            null,
            200,
            null,
            "carol",
            "127.0.0.1"));
    rows.add(
        refused(
            "foreign origin before the token",
            "main",
            headers("Origin", "https://evil.example", "Authorization", "Bearer forged"),
            403,
            "forbidden"));
    return rows;
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (TestServer.Kind kind : TestServer.Kind.values()) {
      for (Transport transport : Transport.values()) {
        for (Row row : table()) {
          cases.add(Arguments.of(kind, transport, row));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @MethodSource("cases")
  void everyTransportOnEveryContainer_answersTheRowAlike(
      TestServer.Kind kind, Transport transport, Row row) throws Exception {
    Server server = server(kind);
    String channel = "matrix/c" + CHANNELS.incrementAndGet();

    Answer answer = server.send(transport, row, channel);

    int expected = row.status == 200 && transport == Transport.WEBSOCKET ? 101 : row.status;
    assertThat(answer.status()).as("status").isEqualTo(expected);
    if (row.code != null) {
      assertThat(answer.body()).as("body").contains("\"code\":\"" + row.code + "\"");
      if (row.status == 401) {
        assertThat(answer.head()).containsIgnoringCase("WWW-Authenticate: Bearer");
      }
      return;
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.subscribers.containsKey(channel));
    Client client = server.subscribers.get(channel);
    assertThat(client.user()).as("user").isEqualTo(row.user);
    assertThat(client.remoteAddress()).as("client address").isEqualTo(row.address);
  }

  @AfterAll
  static void stopServers() {
    SERVERS.values().forEach(Server::close);
    SERVERS.clear();
  }

  // ---- rows

  private static Row allowed(String name, String hub, Map<String, String> headers) {
    return new Row(name, hub, headers, null, 200, null, null, "127.0.0.1");
  }

  private static Row refused(
      String name, String hub, Map<String, String> headers, int status, String code) {
    return new Row(name, hub, headers, null, status, code, null, null);
  }

  /** What nginx sends with {@code Host $proxy_host} and the X-Forwarded-* headers. */
  private static Map<String, String> forwardedByNginx() {
    return headers(
        "Host",
        "backend:8080",
        "X-Forwarded-Host",
        PUBLIC,
        "X-Forwarded-Proto",
        "https",
        "X-Forwarded-For",
        "198.51.100.7",
        "Origin",
        "https://" + PUBLIC);
  }

  private static Map<String, String> headers(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  // ---- the servers

  private static synchronized Server server(TestServer.Kind kind) throws Exception {
    Server server = SERVERS.get(kind);
    if (server == null) {
      server = new Server(kind);
      SERVERS.put(kind, server);
    }
    return server;
  }

  /** An answer's status line and headers, and its body if it was not an open stream. */
  record Answer(int status, String head, String body) {}

  /** One container with the three hubs, each on both transports. */
  private static final class Server implements AutoCloseable {
    final Map<String, Client> subscribers = new ConcurrentHashMap<>();
    private final List<PushHub> hubs = new ArrayList<>();
    private final TestServer container;

    Server(TestServer.Kind kind) throws Exception {
      Authenticator tokens =
          token -> {
            if (token.equals("explode")) {
              throw new IllegalStateException("token store down");
            }
            return token.equals("good") ? "alice" : null;
          };
      Authorizer recorder =
          new Authorizer() {
            @Override
            public boolean canSubscribe(Client client, String channel) {
              subscribers.put(channel, client);
              return true;
            }

            @Override
            public boolean canPublish(Client client, String channel) {
              return false;
            }
          };
      Map<String, PushHub> byName = new LinkedHashMap<>();
      byName.put(
          "main",
          PushHub.builder()
              .authenticator(tokens)
              .authorizer(recorder)
              .allowedOrigins("https://app.example.com")
              .build());
      byName.put(
          "proxied",
          PushHub.builder()
              .authenticator(tokens)
              .authorizer(recorder)
              .trustedProxies("127.0.0.1", "::1")
              .build());
      byName.put("plain", PushHub.builder().authorizer(recorder).build());
      hubs.addAll(byName.values());
      container =
          TestServer.start(
              kind,
              context -> {
                principalsFromHeader(context);
                byName.forEach(
                    (name, hub) -> {
                      PushServlet.builder(hub).build().register(context, "/" + name + "/*");
                      PushWebSocket.register(context, hub, "/" + name + "-ws");
                    });
              });
    }

    Answer send(Transport transport, Row row, String channel) throws IOException {
      int port = container.port();
      String query = row.accessToken == null ? "" : "access_token=" + row.accessToken;
      String path =
          switch (transport) {
            case SSE ->
                "/" + row.hub + "/sse?channel=" + channel + (query.isEmpty() ? "" : "&" + query);
            case NDJSON ->
                "/" + row.hub + "/stream?channel=" + channel + (query.isEmpty() ? "" : "&" + query);
            case WEBSOCKET -> "/" + row.hub + "-ws" + (query.isEmpty() ? "" : "?" + query);
          };
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Host", "127.0.0.1:" + port);
      row.headers.forEach((name, value) -> headers.put(name, value.replace("{port}", "" + port)));
      if (transport == Transport.WEBSOCKET) {
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.put("Sec-WebSocket-Version", "13");
      }
      StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
      headers.forEach(
          (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
      request.append("\r\n");
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        int status = Integer.parseInt(head.substring(9, 12));
        if (status == 101) {
          out.write(maskedText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}"));
          out.flush();
          // Keep the socket open until the hub has seen the subscribe.
          await().atMost(Duration.ofSeconds(10)).until(() -> subscribers.containsKey(channel));
          return new Answer(status, head, "");
        }
        if (status == 200) {
          await().atMost(Duration.ofSeconds(10)).until(() -> subscribers.containsKey(channel));
          return new Answer(status, head, "");
        }
        return new Answer(status, head, readBody(in, head));
      }
    }

    @Override
    public void close() {
      try {
        hubs.forEach(PushHub::close);
      } finally {
        container.close();
      }
    }

    private static void principalsFromHeader(ServletContext context) {
      Filter principals =
          (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            String user = http.getHeader("X-Test-User");
            chain.doFilter(
                user == null
                    ? request
                    : new HttpServletRequestWrapper(http) {
                      @Override
                      public Principal getUserPrincipal() {
                        return () -> user;
                      }
                    },
                response);
          };
      FilterRegistration.Dynamic registration = context.addFilter("test-principal", principals);
      registration.setAsyncSupported(true);
      registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String readBody(InputStream in, String head) throws IOException {
      Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
      if (!length.find()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
    }

    /** A client text frame, masked as RFC 6455 requires; for payloads under 126 bytes. */
    private static byte[] maskedText(String text) {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      byte[] mask = {0x11, 0x22, 0x33, 0x44};
      byte[] frame = new byte[6 + payload.length];
      frame[0] = (byte) 0x81;
      frame[1] = (byte) (0x80 | payload.length);
      System.arraycopy(mask, 0, frame, 2, 4);
      for (int i = 0; i < payload.length; i++) {
        frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
      }
      return frame;
    }
  }
}
