package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Cursor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A draining node, scripted: the client's first request is refused with 503 and {@code
 * Retry-After}, the next stream ends with {@code server_restart} and a {@code retry} hint. The
 * client's own backoff is a minute, so only the server's windows bring it back within seconds, and
 * it never leaves the transport for the next one in its list.
 */
class DrainHintsTest {
  private static final String EMPTY = Cursor.empty().encode();

  private DrainingServer server;
  private HeraldClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String message(long offset) {
    return "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":"
        + offset
        + ",\"epoch\":\"E1\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":"
        + offset
        + "}";
  }

  /** 503 first, then a stream that a restart ends, then one that stays open. */
  private static final class DrainingServer extends RawHttpServer {
    private final AtomicInteger served = new AtomicInteger();

    DrainingServer() throws IOException {
      super("draining-server");
    }

    @Override
    void answer(String requestLine, BufferedReader in, Socket socket) throws IOException {
      OutputStream out = socket.getOutputStream();
      int n = served.incrementAndGet();
      if (n == 1) {
        byte[] body =
            "{\"type\":\"error\",\"code\":\"unavailable\",\"message\":\"draining\"}"
                .getBytes(StandardCharsets.UTF_8);
        out.write(
            ("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return;
      }
      String ready =
          "{\"type\":\"ready\",\"clientId\":\"c" + n + "\",\"cursor\":\"" + EMPTY + "\"}";
      String lines =
          n == 2
              ? ready
                  + "\n"
                  + message(1)
                  + "\n{\"type\":\"error\",\"code\":\"server_restart\",\"message\":\"draining\","
                  + "\"retry\":300}\n"
              : ready + "\n" + message(1) + "\n" + message(2) + "\n";
      out.write(
          ("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                  + (n == 2 ? "Content-Length: " + lines.length() + "\r\n" : "")
                  + "Connection: close\r\n\r\n"
                  + lines)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      if (n > 2) {
        in.read(); // open until the client goes
      }
    }
  }

  @Test
  void unavailableThenServerRestart_reconnectWithinTheServersWindows_onTheSameTransport()
      throws Exception {
    server = new DrainingServer();
    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(server.base())
            .transports(Transport.STREAM, Transport.POLL)
            .listener(recorder)
            .reconnect(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .build();
    client.subscribe("a", recorder.handler());

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(recorder.offsets("a")).containsExactly(1L, 2L));

    assertThat(server.requests).hasSize(3).allMatch(r -> r.startsWith("GET /push/stream?"));
    assertThat(recorder.errors)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo("unavailable");
              assertThat(e.status()).isEqualTo(503);
            });
    assertThat(recorder.events)
        .containsExactly(
            "error:unavailable",
            "transport:STREAM",
            "open:STREAM",
            "close:STREAM:server_restart",
            "open:STREAM");
  }
}
