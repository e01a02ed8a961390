package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxTest {
  private PushHub hub;

  @AfterEach
  void close() {
    hub.close();
  }

  private PushHub hub(PushHub.Builder builder) {
    hub = builder.heartbeatInterval(Duration.ofHours(1)).build();
    return hub;
  }

  private Connection connect(RecordingSink sink, String... channels) {
    Connection c =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient(null, null),
                WireFormat.NDJSON,
                sink,
                List.of(channels),
                null);
    await().until(() -> hub.channel(channels[0]).subscriberCount() >= 1);
    return c;
  }

  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("tick", i).toCompletableFuture().join();
    }
  }

  @Test
  void stalledClient_holdsOneWriteInFlightAndCoalescesTheRest() {
    hub(PushHub.builder());
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, "a");
    await().until(() -> sink.frames().size() == 1); // ready
    sink.stall();
    publish("a", 1);
    // That message is now the one write in flight; everything after it queues.
    await().until(() -> sink.messageCount() == 1);
    publish("a", 50);
    await().until(() -> c.queuedFrames() == 50);
    assertThat(sink.messageCount()).isEqualTo(1);
    assertThat(c.queuedBytes()).isPositive();
    sink.resume();
    await().until(() -> sink.messageCount() == 51);
    assertThat(sink.maxInFlight()).isEqualTo(1);
    // The 50 frames queued during the stalled write left in one batch.
    assertThat(sink.batchSizes()).contains(50);
    assertThat(sink.offsets("a")).hasSize(51).isSorted();
  }

  @Test
  void overflowByFrames_closesWithSlowConsumer() {
    hub(PushHub.builder().maxQueuedFrames(10));
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, "a");
    await().until(() -> sink.frames().size() == 1);
    sink.stall();
    publish("a", 1);
    // That message is now the one write in flight; everything after it queues.
    await().until(() -> sink.messageCount() == 1);
    publish("a", 11);
    await().until(() -> sink.closedWith() != null);
    assertThat(sink.closedWith()).isEqualTo(CloseReason.SLOW_CONSUMER);
    assertThat(c.isOpen()).isFalse();
    assertThat(hub.activeChannelCount()).isZero();
  }

  @Test
  void overflowByBytes_closesWithSlowConsumer() {
    hub(PushHub.builder().maxQueuedBytes(4096));
    RecordingSink sink = new RecordingSink();
    connect(sink, "a");
    await().until(() -> sink.frames().size() == 1);
    sink.stall();
    publish("a", 1);
    // That message is now the one write in flight; everything after it queues.
    await().until(() -> sink.messageCount() == 1);
    String big = "x".repeat(1500);
    for (int i = 0; i < 3; i++) {
      hub.channel("a").publish("big", big).toCompletableFuture().join();
    }
    await().until(() -> sink.closedWith() != null);
    assertThat(sink.closedWith().code()).isEqualTo("slow_consumer");
  }

  @Test
  void overflowWithResetPolicy_dropsQueueSendsResetAndStaysOpen() {
    hub(PushHub.builder().maxQueuedFrames(10).overflowPolicy(OverflowPolicy.RESET));
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, "a");
    await().until(() -> sink.frames().size() == 1);
    sink.stall();
    publish("a", 1);
    // That message is now the one write in flight; everything after it queues.
    await().until(() -> sink.messageCount() == 1);
    publish("a", 15);
    assertThat(c.isOpen()).isTrue();
    sink.resume();
    await().until(() -> !sink.frames(Frame.Type.RESET).isEmpty());
    JsonNode reset = sink.json(Frame.Type.RESET).get(0);
    long resetAt = reset.get("offset").asLong();
    assertThat(resetAt).isBetween(11L, 16L);
    publish("a", 1);
    await().until(() -> sink.offsets("a").contains(17L));
    // After the reset the client only gets what follows the reset position.
    List<Long> offsets = sink.offsets("a");
    assertThat(offsets.get(offsets.size() - 1)).isEqualTo(17L);
    assertThat(sink.closedWith()).isNull();
  }

  @Test
  void slowSubscriber_neverDelaysAFastOne_andItsQueueStaysBounded() {
    hub(PushHub.builder().maxQueuedFrames(100));
    RecordingSink slow = new RecordingSink();
    RecordingSink fast = new RecordingSink();
    Connection slowConnection = connect(slow, "a");
    connect(fast, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 2);
    await().until(() -> slow.frames().size() == 1);
    slow.stall();
    int maxQueued = 0;
    for (int batch = 1; batch <= 10; batch++) {
      for (int i = 0; i < 50; i++) {
        publish("a", 1);
        maxQueued = Math.max(maxQueued, slowConnection.queuedFrames());
      }
      // The fast client keeps up batch by batch; the stalled one only accumulates.
      int expected = batch * 50;
      await().until(() -> fast.messageCount() == expected);
    }
    assertThat(fast.offsets("a")).hasSize(500).doesNotHaveDuplicates().isSorted();
    assertThat(maxQueued).isLessThanOrEqualTo(100);
    await().until(() -> slow.closedWith() != null);
    assertThat(slow.closedWith()).isEqualTo(CloseReason.SLOW_CONSUMER);
  }

  @Test
  void resumeWithABacklogLargerThanTheOutbox_isPacedNotClosed() {
    hub(
        PushHub.builder()
            .broker(InMemoryBroker.builder().historySize(5000).historyMaxBytes(1L << 30).build())
            .maxQueuedFrames(100));
    Position start = hub.channel("a").position().toCompletableFuture().join();
    publish("a", 3000);
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            sink,
            List.of("a"),
            Cursor.empty().with("a", start));
    await().until(() -> sink.messageCount() == 3000 || sink.closedWith() != null);
    assertThat(sink.closedWith()).isNull();
    assertThat(sink.offsets("a")).hasSize(3000).doesNotHaveDuplicates().isSorted();
    assertThat(sink.batchSizes()).allMatch(n -> n <= 100);
    publish("a", 1);
    await().until(() -> sink.messageCount() == 3001);
  }

  @Test
  void heartbeats_goOnlyToStreamingFormatsWhenIdle() {
    hub = PushHub.builder().heartbeatInterval(Duration.ofMillis(50)).build();
    RecordingSink ndjson = new RecordingSink();
    RecordingSink ws = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            ndjson,
            List.of("a"),
            null);
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.WEBSOCKET,
            ws,
            List.of("a"),
            null);
    await().until(() -> ndjson.frames(Frame.Type.HEARTBEAT).size() >= 3);
    assertThat(ndjson.frames(Frame.Type.HEARTBEAT).get(0).text())
        .isEqualTo("{\"type\":\"heartbeat\"}\n");
    assertThat(ws.frames(Frame.Type.HEARTBEAT)).isEmpty();
  }

  @Test
  void writeFailure_closesTheConnectionAsClientGone() {
    hub(PushHub.builder());
    RecordingSink recording = new RecordingSink();
    dev.herald.push.spi.FrameSink failing =
        new dev.herald.push.spi.FrameSink() {
          @Override
          public void write(List<Frame> frames, WriteCallback callback) {
            callback.failed(new java.io.IOException("broken pipe"));
          }

          @Override
          public void close(CloseReason reason) {
            recording.close(reason);
          }
        };
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            failing,
            List.of("a"),
            null);
    await().until(() -> recording.closedWith() != null);
    assertThat(recording.closedWith()).isEqualTo(CloseReason.CLIENT_GONE);
    await().until(() -> hub.connectionCount() == 0 && hub.activeChannelCount() == 0);
  }

  @Test
  void controlFrames_ackErrorPong_areQueuedInOrder() {
    hub(PushHub.builder());
    RecordingSink sink = new RecordingSink();
    Connection c =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient(null, null),
                WireFormat.WEBSOCKET,
                sink,
                List.of(),
                null);
    Message m = hub.channel("a").publish("e", 1).toCompletableFuture().join();
    c.sendAck("r1", m);
    c.sendError(new PushException(ErrorCode.BAD_JSON, "malformed JSON"), "r2");
    c.sendPong();
    await().until(() -> sink.frames().size() == 4);
    assertThat(sink.frames())
        .extracting(Frame::type)
        .containsExactly(Frame.Type.READY, Frame.Type.ACK, Frame.Type.ERROR, Frame.Type.PONG);
    assertThat(sink.frames().get(1).text())
        .isEqualTo(
            "{\"type\":\"ack\",\"ref\":\"r1\",\"channel\":\"a\",\"offset\":1,\"epoch\":\""
                + m.epoch()
                + "\"}");
    assertThat(sink.frames().get(2).text())
        .isEqualTo(
            "{\"type\":\"error\",\"code\":\"bad_json\",\"message\":\"malformed JSON\",\"ref\":\"r2\"}");
    assertThat(sink.frames().get(3).text()).isEqualTo("{\"type\":\"pong\"}");
  }
}
