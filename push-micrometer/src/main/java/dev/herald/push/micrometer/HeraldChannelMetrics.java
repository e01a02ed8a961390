package dev.herald.push.micrometer;

import dev.herald.push.Names;
import dev.herald.push.PushException;
import dev.herald.push.spi.HubObserver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Meters per channel pattern, for the patterns an application names: subscribes, publishes and
 * their store latency, replayed messages, resumes and broker lag of the channels matching each
 * pattern, tagged {@code channel=<the pattern>}. The channel's own name never becomes a tag, so a
 * registry gets one set of series per pattern however many channels there are. Thread-safe.
 *
 * <p>It is a {@link HubObserver}, so it is handed to the hub's builder, and a {@link MeterBinder}:
 *
 * <pre>{@code
 * HeraldChannelMetrics channels =
 *     HeraldChannelMetrics.builder().pattern("chat/*").pattern("prices/*").build();
 * PushHub hub = PushHub.builder().observer(channels).build();
 * new HeraldMeterBinder(hub).bindTo(registry);
 * channels.bindTo(registry);
 * }</pre>
 *
 * <p>A pattern is an exact channel name or a prefix followed by {@code *}, as for {@code
 * PushHub.Builder.acceptClientMessages}; a channel counts for the first pattern it matches, and a
 * channel that matches none is counted only in {@link HeraldMeterBinder}'s hub-wide meters.
 * Deliveries are counted per transport only: the hub writes a connection's frames of all its
 * channels together.
 *
 * <p>It counts into {@link LongAdder}s (no lock, no allocation per event; one pass over the
 * patterns per subscribe, publish, replay or live message, none per delivery) and registers
 * function-based meters over them, so it may be bound to a registry before or after the hub starts,
 * and to several.
 */
public final class HeraldChannelMetrics implements HubObserver, MeterBinder {
  // Meters of one name share one description: Prometheus shows one HELP line per name.
  private static final String PUBLISHES =
      "Publishes to the channels matching the pattern, by outcome: stored or failed";
  private static final String RESUMES =
      "Subscribers of the matching channels that came back with a position, by outcome:"
          + " recovered or reset";

  private final Group[] groups;
  private final Tags tags;

  private HeraldChannelMetrics(Builder builder) {
    this.groups = builder.patterns.stream().map(Group::new).toArray(Group[]::new);
    this.tags = builder.tags;
  }

  /** Starts naming the patterns. */
  public static Builder builder() {
    return new Builder();
  }

  /** The patterns, in the order they are matched. */
  public List<String> patterns() {
    List<String> patterns = new ArrayList<>(groups.length);
    for (Group g : groups) {
      patterns.add(g.pattern);
    }
    return patterns;
  }

  /** The group of the first pattern the channel matches, or {@code null}. */
  private Group groupOf(String channel) {
    for (Group g : groups) {
      if (g.matches(channel)) {
        return g;
      }
    }
    return null;
  }

  @Override
  public void subscribed(String channel) {
    Group g = groupOf(channel);
    if (g != null) {
      g.subscribes.increment();
    }
  }

  @Override
  public void published(String channel, boolean stored, long nanos) {
    Group g = groupOf(channel);
    if (g != null) {
      (stored ? g.stored : g.failed).increment();
      g.publishNanos.add(nanos);
    }
  }

  @Override
  public void replayed(String channel, int messages) {
    Group g = groupOf(channel);
    if (g != null) {
      g.replayed.add(messages);
    }
  }

  @Override
  public void resumed(String channel, boolean recovered) {
    Group g = groupOf(channel);
    if (g != null) {
      (recovered ? g.recovered : g.reset).increment();
    }
  }

  @Override
  public void brokerLag(String channel, long millis) {
    Group g = groupOf(channel);
    if (g != null) {
      g.liveMessages.increment();
      g.lagMillis.add(millis);
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    for (Group g : groups) {
      Tags t = tags.and("channel", g.pattern);
      counter("herald.channel.subscribes", g, g.subscribes, t)
          .description("Subscriptions to the channels matching the pattern")
          .register(registry);
      counter("herald.channel.publishes", g, g.stored, t.and("outcome", "stored"))
          .description(PUBLISHES)
          .register(registry);
      counter("herald.channel.publishes", g, g.failed, t.and("outcome", "failed"))
          .description(PUBLISHES)
          .register(registry);
      FunctionTimer.builder(
              "herald.channel.publish.latency",
              g,
              x -> x.stored.sum() + x.failed.sum(),
              x -> x.publishNanos.sum(),
              TimeUnit.NANOSECONDS)
          .tags(t)
          .description("How long the broker took to store a publish to the matching channels")
          .register(registry);
      counter("herald.channel.replayed.messages", g, g.replayed, t)
          .description("Messages of the matching channels fetched from history")
          .baseUnit(BaseUnits.MESSAGES)
          .register(registry);
      counter("herald.channel.resumes", g, g.recovered, t.and("outcome", "recovered"))
          .description(RESUMES)
          .register(registry);
      counter("herald.channel.resumes", g, g.reset, t.and("outcome", "reset"))
          .description(RESUMES)
          .register(registry);
      FunctionTimer.builder(
              "herald.channel.broker.lag",
              g,
              x -> x.liveMessages.sum(),
              x -> x.lagMillis.sum(),
              TimeUnit.MILLISECONDS)
          .tags(t)
          .description("Broker lag of the live messages of the matching channels")
          .register(registry);
    }
  }

  /** The group is held by this observer, which the hub holds, so the meter's weak hold suffices. */
  private static FunctionCounter.Builder<Group> counter(
      String name, Group group, LongAdder adder, Tags tags) {
    return FunctionCounter.builder(name, group, g -> adder.sum()).tags(tags);
  }

  /** One pattern's counters. Thread-safe. */
  private static final class Group {
    final String pattern;
    private final String prefix;
    private final boolean isPrefix;
    final LongAdder subscribes = new LongAdder();
    final LongAdder stored = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder publishNanos = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder recovered = new LongAdder();
    final LongAdder reset = new LongAdder();
    final LongAdder liveMessages = new LongAdder();
    final LongAdder lagMillis = new LongAdder();

    Group(String pattern) {
      this.pattern = pattern;
      this.isPrefix = pattern.endsWith("*");
      this.prefix = isPrefix ? pattern.substring(0, pattern.length() - 1) : pattern;
    }

    boolean matches(String channel) {
      return isPrefix ? channel.startsWith(prefix) : channel.equals(prefix);
    }
  }

  /** Names the patterns. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private final List<String> patterns = new ArrayList<>();
    private Tags tags = Tags.empty();

    private Builder() {}

    /**
     * Counts the channels matching {@code pattern} (an exact channel name, or a prefix followed by
     * {@code *}, such as {@code chat/*}) under the tag {@code channel=<pattern>}. Patterns are
     * matched in the order given; the first match wins.
     *
     * @throws IllegalArgumentException for a pattern that no channel name can match, or one given
     *     twice
     */
    public Builder pattern(String pattern) {
      Objects.requireNonNull(pattern, "pattern");
      String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
      if (!name.isEmpty()) {
        try {
          Names.checkChannel(name);
        } catch (PushException e) {
          throw new IllegalArgumentException("bad pattern \"" + pattern + "\": " + e.getMessage());
        }
      }
      if (patterns.contains(pattern)) {
        throw new IllegalArgumentException("pattern \"" + pattern + "\" is given twice");
      }
      patterns.add(pattern);
      return this;
    }

    /** Tags on every meter, besides {@code channel}; default none. */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
      return this;
    }

    /**
     * Builds the observer.
     *
     * @throws IllegalStateException if no pattern was given
     */
    public HeraldChannelMetrics build() {
      if (patterns.isEmpty()) {
        throw new IllegalStateException("name at least one pattern");
      }
      return new HeraldChannelMetrics(this);
    }
  }
}
