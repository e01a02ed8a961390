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
 * Behind a proxy that refuses WebSocket upgrades and holds streamed bodies back (the headers pass,
 * no line follows), the client with its default timeouts reaches long polling well before its 10 s
 * connect timeout would have failed even the first stream, and never tries the second streaming
 * transport.
 */
class BufferingProxyTest {
  private static final String EMPTY = Cursor.empty().encode();

  private ScriptedProxy server;
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

  /** 403 to upgrades, headers without a body to streams, one message to the first poll. */
  private static final class ScriptedProxy extends RawHttpServer {
    private final AtomicInteger polls = new AtomicInteger();

    ScriptedProxy() throws IOException {
      super("buffering-proxy");
    }

    @Override
    void answer(String requestLine, BufferedReader in, Socket socket) throws IOException {
      OutputStream out = socket.getOutputStream();
      String head;
      String body = "";
      if (requestLine.startsWith("GET /push/ws")) {
        head = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n";
      } else if (requestLine.startsWith("GET /push/poll") && polls.incrementAndGet() == 1) {
        body =
            "{\"messages\":[{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":1,"
                + "\"epoch\":\"E1\",\"time\":\"2026-01-01T00:00:00Z\",\"data\":1}],"
                + "\"cursor\":\""
                + EMPTY
                + "\"}";
        head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n";
      } else {
        head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n";
      }
      out.write((head + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (head.contains("chunked") || polls.get() > 1) {
        in.read(); // held back until the client gives up on it
      }
    }
  }

  @Test
  void bufferedStream_isDetectedSoonAfterItsHeaders_andTheClientGoesStraightToPolling()
      throws Exception {
    server = new ScriptedProxy();
    Recorder recorder = new Recorder();
    client = HeraldClient.builder(server.base()).listener(recorder).build();
    client.subscribe("a", recorder.handler());

    await()
        .atMost(Duration.ofSeconds(8))
        .untilAsserted(() -> assertThat(recorder.offsets("a")).containsExactly(1L));

    assertThat(client.transport()).isEqualTo(Transport.POLL);
    assertThat(server.requests).noneMatch(r -> r.startsWith("GET /push/stream"));
    assertThat(server.requests).anyMatch(r -> r.startsWith("GET /push/sse"));
    assertThat(recorder.errors)
        .extracting(HeraldException::code)
        .containsExactly("http_403", "timeout");
    assertThat(recorder.errors.get(1)).hasMessageContaining("a proxy may buffer the stream");
  }
}
