package dev.herald.push;

import dev.herald.push.spi.BrokerHealth;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a hub has done since it started, read at one moment by {@link PushHub#stats()}: counters
 * only grow, gauges (open connections, lag, drain) are as of {@link #time()}. Counters are read one
 * after another while the hub works, so two of them may be a few events apart. Immutable.
 *
 * @param time when the snapshot was taken
 * @param transports per wire format ({@code websocket}, {@code sse}, {@code ndjson}, {@code poll}):
 *     connections and what was delivered
 * @param closes connections closed, by the {@code CloseReason} code, such as {@code slow_consumer},
 *     {@code client_gone} or {@code server_restart}
 * @param subscribes channel subscriptions made, including those a connection opens with
 * @param publishes publishes handed to the broker, by this node's application or its clients
 * @param replays history fetched to catch subscribers up or to fill gaps in the live feed
 * @param resumes subscribers that came back with a position
 * @param rateLimited client frames refused because the client sent too fast
 * @param broker the broker's health and its live feed's lag
 * @param drain the progress of {@link PushHub#drain}
 * @param refused connections refused by the hub's connection limits, by reason: {@code node_full}
 *     (the node's {@code maxConnections}), {@code address_full} ({@code maxConnectionsPerAddress}),
 *     {@code open_rate} ({@code openRate}) or {@code too_many_addresses} (more client addresses
 *     than the hub tracks at once)
 */
public record HubStats(
    Instant time,
    Map<String, Transport> transports,
    Map<String, Long> closes,
    long subscribes,
    Publishes publishes,
    Replays replays,
    Resumes resumes,
    long rateLimited,
    Broker broker,
    Drain drain,
    Map<String, Long> refused) {

  /** Copies the maps. */
  public HubStats {
    Objects.requireNonNull(time, "time");
    transports = Map.copyOf(transports);
    closes = Map.copyOf(closes);
    refused = Map.copyOf(refused);
  }

  /** Connections refused by the connection limits for the reason, {@code 0} if none. */
  public long refused(String reason) {
    return refused.getOrDefault(reason, 0L);
  }

  /** Connections open now, over every transport. */
  public long openConnections() {
    long n = 0;
    for (Transport t : transports.values()) {
      n += t.open();
    }
    return n;
  }

  /** Frames handed to the network, over every transport. */
  public long framesDelivered() {
    long n = 0;
    for (Transport t : transports.values()) {
      n += t.frames();
    }
    return n;
  }

  /** Connections closed for the reason code, {@code 0} if none. */
  public long closes(String reasonCode) {
    return closes.getOrDefault(reasonCode, 0L);
  }

  /**
   * One wire format's connections and deliveries.
   *
   * @param opened connections opened
   * @param closed connections closed
   * @param frames frames handed to the network, control frames included
   * @param bytes their encoded size
   */
  public record Transport(long opened, long closed, long frames, long bytes) {
    /** Connections open now. */
    public long open() {
      return opened - closed;
    }
  }

  /**
   * Publishes and how long the broker took to store them.
   *
   * @param stored stored by the broker
   * @param failed refused or failed by the broker (not those refused before reaching it, such as a
   *     forbidden client publish)
   * @param totalNanos the broker's time for all of them
   * @param maxNanos the slowest
   */
  public record Publishes(long stored, long failed, long totalNanos, long maxNanos) {}

  /**
   * @param fetches replay calls to the broker
   * @param messages messages they returned
   */
  public record Replays(long fetches, long messages) {}

  /**
   * @param recovered subscribers whose gap history covered
   * @param reset subscribers that got a {@code reset} instead
   */
  public record Resumes(long recovered, long reset) {}

  /**
   * @param health what the broker says of itself
   * @param healthChanges how often that changed
   * @param liveMessages messages that reached this node through the broker's live feed
   * @param lagMillisTotal their summed delay from being stored to reaching this node
   * @param lagMillisLast the delay of the latest one
   */
  public record Broker(
      BrokerHealth health,
      long healthChanges,
      long liveMessages,
      long lagMillisTotal,
      long lagMillisLast) {}

  /**
   * @param draining whether {@link PushHub#drain} was called
   * @param connections connections the drain found open and closes
   * @param closed how many of them it closed so far
   */
  public record Drain(boolean draining, long connections, long closed) {}
}
