package dev.herald.push.micrometer;

import dev.herald.push.HealthStatus;
import dev.herald.push.HubStats;
import dev.herald.push.PushHub;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.WireFormat;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a hub's counters to a Micrometer {@link MeterRegistry}: connections, deliveries, publishes
 * and their store latency, replays, resumes, rate limiting, the broker's health and lag, and the
 * drain. Thread-safe; one binder may be bound to several registries.
 *
 * <pre>{@code
 * PushHub hub = PushHub.builder().build();
 * new HeraldMeterBinder(hub).bindTo(registry);            // or, with tags on every meter:
 * new HeraldMeterBinder(hub, Tags.of("node", "eu-1")).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter is function-based: it reads the hub's own counters ({@link PushHub#stats()}) when
 * the registry asks, so binding adds nothing to the delivery path and needs no {@link
 * dev.herald.push.spi.HubObserver}. All meters of one scrape read one snapshot, taken at most 50 ms
 * earlier, so they agree with each other.
 *
 * <p>Tags are few and bounded: {@code transport} ({@code websocket}, {@code sse}, {@code ndjson},
 * {@code poll}), {@code reason} (a close reason code such as {@code slow_consumer}) and {@code
 * outcome}. The channel is never a tag here; {@link HeraldChannelMetrics} adds meters for channel
 * patterns an application names. {@code docs/operations.md} lists every meter.
 *
 * <p>The meters hold the hub: remove them from the registry (or close the registry) to let a closed
 * hub be collected.
 */
public final class HeraldMeterBinder implements MeterBinder {
  private static final Logger LOG = LoggerFactory.getLogger(HeraldMeterBinder.class);

  /** How old a snapshot a meter may read. */
  static final Duration MAX_SNAPSHOT_AGE = Duration.ofMillis(50);

  /**
   * The most close reason codes registered as meters. Codes come from the server's code (the hub
   * and its transports), not from clients, so a handful is expected; the cap guards a registry
   * against a transport that would put variable text in a code.
   */
  static final int MAX_REASONS = 64;

  /** The hub's own close reasons, registered up front so that their series start at zero. */
  private static final List<CloseReason> KNOWN_REASONS =
      List.of(
          CloseReason.SLOW_CONSUMER,
          CloseReason.CLIENT_GONE,
          CloseReason.COMPLETED,
          CloseReason.RECONNECT,
          CloseReason.RESTART,
          CloseReason.SHUTDOWN,
          CloseReason.UNAVAILABLE);

  // Meters of one name share one description: Prometheus shows one HELP line per name.
  private static final String PUBLISHES =
      "Publishes handed to the broker, by this node's application or its clients, by outcome:"
          + " stored, or failed (refused or failed by the broker)";
  private static final String RESUMES =
      "Subscribers that came back with a position, by outcome: recovered (history covered the"
          + " gap) or reset";

  private final PushHub hub;
  private final Tags tags;
  private final StatsCache stats;

  /** Binds {@code hub}'s meters without extra tags. */
  public HeraldMeterBinder(PushHub hub) {
    this(hub, Tags.empty());
  }

  /**
   * Binds {@code hub}'s meters with {@code tags} on every one, such as the node's name when a
   * registry serves several hubs (a registry's own common tags apply as well).
   */
  public HeraldMeterBinder(PushHub hub, Iterable<Tag> tags) {
    this(hub, tags, MAX_SNAPSHOT_AGE);
  }

  HeraldMeterBinder(PushHub hub, Iterable<Tag> tags, Duration maxSnapshotAge) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    this.stats = new StatsCache(hub, maxSnapshotAge.toNanos());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    bindConnections(registry);
    bindDeliveries(registry);
    bindPublishes(registry);
    bindReplays(registry);
    bindBroker(registry);
    bindHealthAndDrain(registry);
  }

  private void bindConnections(MeterRegistry registry) {
    for (WireFormat format : WireFormat.values()) {
      String transport = format.name().toLowerCase(Locale.ROOT);
      gauge("herald.connections", t -> transport(t, transport).open())
          .tag("transport", transport)
          .description("Connections open now")
          .baseUnit(BaseUnits.CONNECTIONS)
          .register(registry);
      counter("herald.connections.opened", t -> transport(t, transport).opened())
          .tag("transport", transport)
          .description("Connections opened")
          .register(registry);
      counter("herald.connections.closed", t -> transport(t, transport).closed())
          .tag("transport", transport)
          .description("Connections closed, for any reason")
          .register(registry);
    }
    for (String reason : List.of("node_full", "address_full", "open_rate", "too_many_addresses")) {
      counter("herald.connections.refused", s -> s.refused(reason))
          .tag("reason", reason)
          .description(
              "Connections refused by the hub's connection limits: the node's or the address's cap,"
                  + " or the address's open rate")
          .register(registry);
    }
    Set<String> reasons = ConcurrentHashMap.newKeySet();
    for (CloseReason reason : KNOWN_REASONS) {
      bindReason(registry, reasons, reason.code());
    }
    // Transports and applications may close with codes of their own (push-websocket's
    // rate_limited or idle_timeout, say): each gets its series once the hub has counted one.
    stats.onRefresh(
        snapshot -> {
          for (String code : snapshot.closes().keySet()) {
            if (!reasons.contains(code)) {
              bindReason(registry, reasons, code);
            }
          }
        });
  }

  private void bindReason(MeterRegistry registry, Set<String> reasons, String code) {
    if (reasons.size() >= MAX_REASONS) {
      if (reasons.add("\0full")) {
        LOG.warn(
            "More than {} close reason codes; herald.disconnects leaves out \"{}\" and later ones",
            MAX_REASONS,
            code);
      }
      return;
    }
    if (!reasons.add(code)) {
      return;
    }
    counter("herald.disconnects", s -> s.closes(code))
        .tag("reason", code)
        .description("Connections closed, by the reason the hub gave (such as slow_consumer)")
        .register(registry);
  }

  private void bindDeliveries(MeterRegistry registry) {
    for (WireFormat format : WireFormat.values()) {
      String transport = format.name().toLowerCase(Locale.ROOT);
      counter("herald.deliveries", s -> transport(s, transport).frames())
          .tag("transport", transport)
          .description("Frames handed to the network, control frames (ready, heartbeat) included")
          .register(registry);
      counter("herald.delivered.bytes", s -> transport(s, transport).bytes())
          .tag("transport", transport)
          .description("Encoded size of the frames handed to the network")
          .baseUnit(BaseUnits.BYTES)
          .register(registry);
    }
  }

  private void bindPublishes(MeterRegistry registry) {
    counter("herald.subscribes", HubStats::subscribes)
        .description("Channel subscriptions made, those a connection opens with included")
        .register(registry);
    counter("herald.publishes", s -> s.publishes().stored())
        .tag("outcome", "stored")
        .description(PUBLISHES)
        .register(registry);
    counter("herald.publishes", s -> s.publishes().failed())
        .tag("outcome", "failed")
        .description(PUBLISHES)
        .register(registry);
    timer(
            "herald.publish.latency",
            s -> s.publishes().stored() + s.publishes().failed(),
            s -> s.publishes().totalNanos(),
            TimeUnit.NANOSECONDS)
        .description("How long the broker took to store (or fail) a publish")
        .register(registry);
    counter("herald.rate.limited", HubStats::rateLimited)
        .description("Client frames refused because the client sent too fast")
        .register(registry);
  }

  private void bindReplays(MeterRegistry registry) {
    counter("herald.replays", s -> s.replays().fetches())
        .description("History fetches, to catch a subscriber up or to fill a gap in the live feed")
        .register(registry);
    counter("herald.replayed.messages", s -> s.replays().messages())
        .description("Messages the history fetches returned")
        .baseUnit(BaseUnits.MESSAGES)
        .register(registry);
    counter("herald.resumes", s -> s.resumes().recovered())
        .tag("outcome", "recovered")
        .description(RESUMES)
        .register(registry);
    counter("herald.resumes", s -> s.resumes().reset())
        .tag("outcome", "reset")
        .description(RESUMES)
        .register(registry);
  }

  private void bindBroker(MeterRegistry registry) {
    gauge("herald.broker.health", s -> level(s.broker().health().status()))
        .description("The broker's health: 1 up, 0.5 degraded, 0 down")
        .register(registry);
    counter("herald.broker.health.changes", s -> s.broker().healthChanges())
        .description("How often the broker's health changed")
        .register(registry);
    timer(
            "herald.broker.lag",
            s -> s.broker().liveMessages(),
            s -> s.broker().lagMillisTotal(),
            TimeUnit.MILLISECONDS)
        .description("Delay from the broker storing a message to its live feed bringing it here")
        .register(registry);
    TimeGauge.builder(
            "herald.broker.lag.last",
            hub,
            TimeUnit.MILLISECONDS,
            h -> stats.get().broker().lagMillisLast())
        .tags(tags)
        .strongReference(true)
        .description("The broker lag of the latest live message")
        .register(registry);
  }

  private void bindHealthAndDrain(MeterRegistry registry) {
    Gauge.builder("herald.health", hub, h -> level(h.health().status()))
        .tags(tags)
        .strongReference(true)
        .description(
            "The hub's readiness: 1 up, 0.5 degraded, 0 down (closed, draining or no broker)")
        .register(registry);
    Gauge.builder("herald.channels.active", hub, PushHub::activeChannelCount)
        .tags(tags)
        .strongReference(true)
        .description("Channels with subscribers on this node")
        .register(registry);
    gauge("herald.drain.active", s -> s.drain().draining() ? 1 : 0)
        .description("1 once the hub started to drain, else 0")
        .register(registry);
    gauge("herald.drain.connections", s -> s.drain().connections())
        .description("Connections the drain found open and closes over its window")
        .register(registry);
    gauge("herald.drain.closed", s -> s.drain().closed())
        .description("Connections the drain has closed so far")
        .register(registry);
  }

  /** A counter over the cached snapshot; the function holds the cache, the meter the hub. */
  private FunctionCounter.Builder<PushHub> counter(String name, ToLongFunction<HubStats> value) {
    StatsCache cache = stats;
    return FunctionCounter.builder(name, hub, h -> value.applyAsLong(cache.get())).tags(tags);
  }

  private Gauge.Builder<PushHub> gauge(String name, ToDoubleFunction<HubStats> value) {
    StatsCache cache = stats;
    return Gauge.builder(name, hub, h -> value.applyAsDouble(cache.get()))
        .tags(tags)
        .strongReference(true);
  }

  private FunctionTimer.Builder<PushHub> timer(
      String name, ToLongFunction<HubStats> count, ToLongFunction<HubStats> total, TimeUnit unit) {
    StatsCache cache = stats;
    return FunctionTimer.builder(
            name,
            hub,
            h -> count.applyAsLong(cache.get()),
            h -> total.applyAsLong(cache.get()),
            unit)
        .tags(tags);
  }

  private static HubStats.Transport transport(HubStats stats, String transport) {
    HubStats.Transport t = stats.transports().get(transport);
    return t == null ? new HubStats.Transport(0, 0, 0, 0) : t;
  }

  /** A status as a number for dashboards and alerts. */
  static double level(HealthStatus status) {
    return switch (status) {
      case UP -> 1.0;
      case DEGRADED -> 0.5;
      case DOWN -> 0.0;
    };
  }
}
