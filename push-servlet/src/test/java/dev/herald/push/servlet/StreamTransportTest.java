package dev.herald.push.servlet;

import static dev.herald.push.servlet.Http.enc;
import static dev.herald.push.servlet.Http.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Message;

/** {@code GET …/stream} (NDJSON) on both containers. */
class StreamTransportTest {

  @OnBothContainers
  void stream_connect_sendsReadyLineThenOneMessageFramePerLine(TestServer server) throws Exception {
    String channel = TestServer.channel("ticks");
    try (NdjsonClient stream = NdjsonClient.open(server, "/push/stream?channel=" + channel)) {
      assertThat(stream.response.statusCode()).isEqualTo(200);
      assertThat(stream.response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/x-ndjson");
      assertThat(stream.response.headers().firstValue("Cache-Control"))
          .hasValue("no-cache, no-transform");
      assertThat(stream.response.headers().firstValue("X-Accel-Buffering")).hasValue("no");

      JsonNode ready = stream.nextFrame();
      assertThat(ready.get("type").asText()).isEqualTo("ready");
      assertThat(ready.get("cursor").asText()).isNotBlank();

      Message sent = publish(server.hub, channel, "tick", "{\"bid\":1.5}");
      JsonNode frame = stream.nextFrame();
      assertThat(frame.get("type").asText()).isEqualTo("message");
      assertThat(frame.get("channel").asText()).isEqualTo(channel);
      assertThat(frame.get("event").asText()).isEqualTo("tick");
      assertThat(frame.get("offset").asLong()).isEqualTo(sent.offset());
      assertThat(frame.get("data").get("bid").asDouble()).isEqualTo(1.5);
      assertThat(frame.get("cursor").asText()).isNotEqualTo(ready.get("cursor").asText());
    }
  }

  @OnBothContainers
  void stream_resumeWithSince_replaysMissedMessagesInOrderWithoutDuplicates(TestServer server)
      throws Exception {
    String channel = TestServer.channel("resume");
    String cursor;
    try (NdjsonClient stream = NdjsonClient.open(server, "/push/stream?channel=" + channel)) {
      stream.nextFrame();
      publish(server.hub, channel, "e", "1");
      cursor = stream.nextFrame().get("cursor").asText();
    }
    publish(server.hub, channel, "e", "2");
    publish(server.hub, channel, "e", "3");
    try (NdjsonClient stream =
        NdjsonClient.open(server, "/push/stream?channel=" + channel + "&since=" + enc(cursor))) {
      assertThat(stream.nextFrame().get("type").asText()).isEqualTo("ready");
      assertThat(stream.nextFrame().get("data").asInt()).isEqualTo(2);
      assertThat(stream.nextFrame().get("data").asInt()).isEqualTo(3);
      publish(server.hub, channel, "e", "4");
      assertThat(stream.nextFrame().get("data").asInt()).isEqualTo(4);
    }
  }

  @OnBothContainers
  void stream_idleConnection_receivesHeartbeatLines(TestServer server) throws Exception {
    try (NdjsonClient stream =
        NdjsonClient.open(server, "/push/stream?channel=" + TestServer.channel("idle"))) {
      assertThat(stream.next().get("type").asText()).isEqualTo("ready");
      assertThat(stream.next().get("type").asText()).isEqualTo("heartbeat");
      assertThat(stream.next().get("type").asText()).isEqualTo("heartbeat");
    }
  }

  @OnBothContainers
  void stream_cursorOlderThanHistory_sendsResetLineThenEveryMessageHeldThenLive(TestServer server)
      throws Exception {
    String channel = TestServer.channel("reset");
    String cursor;
    try (NdjsonClient stream = NdjsonClient.open(server, "/small/stream?channel=" + channel)) {
      cursor = stream.nextFrame().get("cursor").asText();
    }
    for (int i = 1; i <= 9; i++) {
      publish(server.small, channel, "e", Integer.toString(i));
    }
    try (NdjsonClient stream =
        NdjsonClient.open(server, "/small/stream?channel=" + channel + "&since=" + enc(cursor))) {
      stream.nextFrame();
      JsonNode reset = stream.nextFrame();
      assertThat(reset.get("type").asText()).isEqualTo("reset");
      assertThat(reset.get("channel").asText()).isEqualTo(channel);
      // The history holds 5 to 9: the reset is just before them, and they follow it.
      assertThat(reset.get("offset").asLong()).isEqualTo(4);
      for (int i = 5; i <= 9; i++) {
        JsonNode held = stream.nextFrame();
        assertThat(held.get("type").asText()).isEqualTo("message");
        assertThat(held.get("offset").asLong()).isEqualTo(i);
      }
      publish(server.small, channel, "e", "10");
      assertThat(stream.nextFrame().get("data").asInt()).isEqualTo(10);
    }
  }

  /** As on SSE: over HTTP/1.1 the stream is unchunked and ends with its connection. */
  @OnBothContainers
  void stream_overHttp11_isUnchunkedAndEndsWithItsConnection(TestServer server) throws Exception {
    String channel = TestServer.channel("plain");
    try (RawHttp raw = RawHttp.get11(server.port(), "/small/stream?channel=" + channel)) {
      String ready = raw.readUntil("\"type\":\"ready\"");
      assertThat(RawHttp.head(ready)).startsWith("http/1.1 200").contains("\r\nconnection: close");
      assertThat(RawHttp.head(ready)).doesNotContain("transfer-encoding");
      assertThat(RawHttp.body(ready)).startsWith("{\"type\":\"ready\"");
      await().until(() -> server.small.channel(channel).subscriberCount() == 1);

      publish(server.small, channel, "e", "{\"n\":1}");
      raw.readUntil("\"data\":{\"n\":1}");

      server.small.disconnectAll();
      String[] lines = RawHttp.body(raw.readToEnd()).split("\n");
      // Every line of the body is a frame (heartbeats among them): no chunk size lines.
      assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("{\"type\":"));
      assertThat(lines[0]).contains("\"type\":\"ready\"");
      assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"data\":{\"n\":1}"));
      assertThat(lines[lines.length - 1]).contains("\"code\":\"reconnect\"");
    }
  }
}
