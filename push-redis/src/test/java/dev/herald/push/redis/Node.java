package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.push.Cursor;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.WireFormat;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One Herald node for tests: a hub on its own {@link RedisBroker}, with roomy outboxes so that a
 * burst never closes a test client as a slow consumer. Thread-safe.
 */
final class Node implements AutoCloseable {
  final RedisBroker broker;
  final PushHub hub;

  private Node(RedisBroker broker) {
    this.broker = broker;
    this.hub =
        PushHub.builder()
            .broker(broker)
            .maxChannelsPerConnection(128)
            .maxQueuedFrames(200_000)
            .maxQueuedBytes(256L << 20)
            .build();
  }

  static Node start(String redisUri) {
    return start(redisUri, b -> b);
  }

  static Node start(String redisUri, UnaryOperator<RedisBroker.Builder> settings) {
    return new Node(settings.apply(RedisBroker.builder().redisUri(redisUri)).build());
  }

  /** Connects a recording NDJSON client, resuming from {@code cursor} if it is not null. */
  Client connect(Collection<String> channels, String cursor) {
    return connect(channels, cursor, null, List.of());
  }

  /**
   * Connects a recording NDJSON client that shows in presence with {@code memberData} (or none) and
   * hears the presence of {@code presenceChannels}.
   */
  Client connect(
      Collection<String> channels,
      String cursor,
      String memberData,
      Collection<String> presenceChannels) {
    RecordingSink sink = new RecordingSink();
    Connection connection =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient(null, "test"),
                WireFormat.NDJSON,
                sink,
                channels,
                cursor == null ? null : Cursor.decode(cursor),
                memberData,
                presenceChannels);
    return new Client(connection, sink);
  }

  @Override
  public void close() {
    hub.close();
    broker.close();
  }

  /** A connected test client. Thread-safe. */
  record Client(Connection connection, RecordingSink sink) {
    /** The position the client started from, as its ready frame's cursor says. */
    Position start(String channel) {
      return sink.frames().stream()
          .filter(f -> f.type().equals("ready"))
          .map(f -> Cursor.decode(f.cursor()).position(channel))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no ready frame"));
    }

    /** The offsets of the channel's stored messages received, in order. */
    List<Long> offsets(String channel) {
      return sink.messages(channel).stream()
          .map(RecordingSink.Received::offset)
          .filter(offset -> offset >= 0)
          .toList();
    }

    /**
     * Checks the client's frames for the channel: each message follows the one before it (or the
     * start, or a reset) with the next offset of the same epoch — no gap, no duplicate, no epoch
     * change without a reset. Returns where the client stands.
     */
    Position assertExact(String channel) {
      Position at = start(channel);
      for (RecordingSink.Received f : sink.frames()) {
        if (!channel.equals(f.channel())) {
          continue;
        }
        switch (f.type()) {
          case "reset" -> at = new Position(f.epoch(), f.offset());
          case "message" -> {
            if (f.offset() < 0) {
              continue; // an ephemeral message: it moves no position
            }
            if (!f.epoch().equals(at.epoch())) {
              fail(
                  "%s: message %s of epoch %s arrived in epoch %s without a reset",
                  channel, f.offset(), f.epoch(), at.epoch());
            }
            assertThat(f.offset())
                .as("%s: offset after %s (no gap, no duplicate)", channel, at.offset())
                .isEqualTo(at.offset() + 1);
            at = new Position(f.epoch(), f.offset());
          }
          default -> {}
        }
      }
      return at;
    }

    void close() {
      connection.close(dev.herald.push.spi.CloseReason.CLIENT_GONE);
    }
  }
}
