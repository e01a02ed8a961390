package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Cursor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the client handles frames a real server never sends, over a scripted NDJSON stream. */
class ServerFrameHandlingTest {
  private static final String EMPTY = Cursor.empty().encode();

  private ScriptedStreamServer server;
  private HeraldClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  private static String message(long offset, String time) {
    return "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":"
        + offset
        + ",\"epoch\":\"E1\",\"time\":\""
        + time
        + "\",\"data\":"
        + offset
        + "}";
  }

  /** A client on the scripted stream alone, subscribed to "a", that does not reconnect soon. */
  private Recorder subscribeOverStream() {
    Recorder recorder = new Recorder();
    client =
        HeraldClient.builder(server.base())
            .transports(Transport.STREAM)
            .listener(recorder)
            .reconnect(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .build();
    client.subscribe("a", recorder.handler());
    return recorder;
  }

  /**
   * Waits for the stream's first close. The client then reconnects with full jitter, so possibly at
   * once, and the server plays its script again: what follows the first close is not these tests'.
   */
  private static void awaitFirstClose(Recorder recorder) {
    await().until(() -> recorder.count("close:") >= 1);
  }

  @Test
  void malformedAndUnknownFrames_areReportedOrIgnored_andTheStreamCarriesOn() throws Exception {
    server =
        new ScriptedStreamServer(
            List.of(
                "{\"type\":\"ready\",\"clientId\":\"c1\",\"cursor\":\"" + EMPTY + "\"}",
                message(1, "2026-01-01T00:00:00Z"),
                message(2, "yesterday"),
                "{\"type\":\"presence\",\"channel\":\"a\"}",
                "{\"type\":\"heartbeat\"}",
                message(3, "2026-01-01T00:00:01Z"),
                "{\"type\":\"error\",\"code\":\"server_shutdown\",\"message\":\"bye\"}"));
    Recorder recorder = subscribeOverStream();

    awaitFirstClose(recorder);

    assertThat(recorder.offsets("a")).containsExactly(1L, 3L);
    assertThat(recorder.events)
        .startsWith(
            "transport:STREAM", "open:STREAM", "error:protocol", "close:STREAM:server_shutdown");
    assertThat(recorder.errors.get(0))
        .hasMessageStartingWith("the server sent a malformed message frame");
  }

  @Test
  void ephemeralAndPresenceFrames_areNoErrors_andMoveNoPosition() throws Exception {
    String ephemeral =
        "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"cursor\",\"ephemeral\":true,"
            + "\"time\":\"2026-01-01T00:00:00Z\",\"data\":{\"x\":1}}";
    server =
        new ScriptedStreamServer(
            List.of(
                "{\"type\":\"ready\",\"clientId\":\"c1\",\"cursor\":\"" + EMPTY + "\"}",
                "{\"type\":\"members\",\"channel\":\"a\",\"members\":[{\"clientId\":\"c1\","
                    + "\"since\":\"2026-01-01T00:00:00Z\"}]}",
                message(1, "2026-01-01T00:00:00Z"),
                ephemeral,
                "{\"type\":\"join\",\"channel\":\"a\",\"member\":{\"clientId\":\"c2\","
                    + "\"since\":\"2026-01-01T00:00:01Z\"}}",
                ephemeral,
                message(2, "2026-01-01T00:00:02Z"),
                "{\"type\":\"leave\",\"channel\":\"a\",\"member\":{\"clientId\":\"c2\","
                    + "\"since\":\"2026-01-01T00:00:01Z\"}}",
                "{\"type\":\"error\",\"code\":\"server_shutdown\",\"message\":\"bye\"}"));
    Recorder recorder = subscribeOverStream();

    awaitFirstClose(recorder);

    // subscribe(channel, handler) drops ephemeral messages silently.
    assertThat(recorder.offsets("a")).containsExactly(1L, 2L);
    assertThat(recorder.ephemeral).isEmpty();
    assertThat(recorder.events)
        .startsWith("transport:STREAM", "open:STREAM", "close:STREAM:server_shutdown");
    assertThat(dev.herald.push.Cursor.decode(client.cursor()).position("a"))
        .isEqualTo(new dev.herald.push.Position("E1", 2));
  }

  @Test
  void textThatIsNotAFrame_endsTheStream_asAProtocolFailure() throws Exception {
    server =
        new ScriptedStreamServer(
            List.of(
                "{\"type\":\"ready\",\"clientId\":\"c1\",\"cursor\":\"" + EMPTY + "\"}",
                "<html>oops</html>"));
    Recorder recorder = subscribeOverStream();

    awaitFirstClose(recorder);

    assertThat(recorder.events)
        .startsWith("transport:STREAM", "open:STREAM", "close:STREAM:protocol");
  }
}
