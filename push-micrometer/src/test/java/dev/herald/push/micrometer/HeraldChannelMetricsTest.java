package dev.herald.push.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.PushHub;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Channel meters exist per named pattern only, and count what the hub did on matching channels. */
class HeraldChannelMetricsTest {
  private final HeraldChannelMetrics channels =
      HeraldChannelMetrics.builder()
          .pattern("chat/*")
          .pattern("orders")
          .tags(Tags.of("node", "n1"))
          .build();
  private final PushHub hub =
      PushHub.builder().heartbeatInterval(Duration.ofHours(1)).observer(channels).build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    hub.close();
    registry.close();
  }

  private void subscribe(String channel) {
    CollectingSink sink = new CollectingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.SSE,
            sink,
            List.of(channel),
            null);
    await().until(() -> sink.count(Frame.Type.READY) == 1);
  }

  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("e", i).toCompletableFuture().join();
    }
  }

  private double count(String name, String pattern, String... tags) {
    return registry.get(name).tag("channel", pattern).tags(tags).functionCounter().count();
  }

  @Test
  void matchingChannels_areCountedUnderTheirPattern_othersNowhere() {
    channels.bindTo(registry);
    new HeraldMeterBinder(hub).bindTo(registry);
    subscribe("chat/a");
    subscribe("chat/b");
    subscribe("orders");
    subscribe("orders-archive"); // "orders" is an exact name, not a prefix
    subscribe("news");
    publish("chat/a", 2);
    publish("chat/b", 1);
    publish("orders", 4);
    publish("news", 5);

    assertThat(count("herald.channel.subscribes", "chat/*")).isEqualTo(2);
    assertThat(count("herald.channel.subscribes", "orders")).isEqualTo(1);
    assertThat(count("herald.channel.publishes", "chat/*", "outcome", "stored")).isEqualTo(3);
    assertThat(count("herald.channel.publishes", "orders", "outcome", "stored")).isEqualTo(4);
    assertThat(count("herald.channel.publishes", "orders", "outcome", "failed")).isZero();
    assertThat(
            registry
                .get("herald.channel.publish.latency")
                .tag("channel", "chat/*")
                .functionTimer()
                .count())
        .isEqualTo(3);
    assertThat(
            registry
                .get("herald.channel.broker.lag")
                .tag("channel", "orders")
                .functionTimer()
                .count())
        .isEqualTo(4);
    // The hub-wide meters count every channel.
    assertThat(registry.get("herald.publishes").tag("outcome", "stored").functionCounter().count())
        .isEqualTo(12);

    List<Meter> channelMeters =
        registry.getMeters().stream()
            .filter(m -> m.getId().getName().startsWith("herald.channel."))
            .toList();
    assertThat(channelMeters.stream().map(m -> m.getId().getTag("channel")).distinct())
        .containsExactlyInAnyOrder("chat/*", "orders");
    assertThat(channelMeters).allSatisfy(m -> assertThat(m.getId().getTag("node")).isEqualTo("n1"));
    assertThat(channels.patterns()).containsExactly("chat/*", "orders");
  }

  @Test
  void boundLate_showsWhatWasCountedBefore_andTwoRegistriesAgree() {
    subscribe("chat/x");
    publish("chat/x", 3);
    SimpleMeterRegistry other = new SimpleMeterRegistry();
    channels.bindTo(registry);
    channels.bindTo(other);

    assertThat(count("herald.channel.publishes", "chat/*", "outcome", "stored")).isEqualTo(3);
    assertThat(
            other
                .get("herald.channel.publishes")
                .tags("channel", "chat/*", "outcome", "stored")
                .functionCounter()
                .count())
        .isEqualTo(3);
    other.close();
  }

  @Test
  void firstMatchingPatternWins() {
    HeraldChannelMetrics overlapping =
        HeraldChannelMetrics.builder().pattern("chat/vip/*").pattern("chat/*").build();
    overlapping.published("chat/vip/1", true, 10);
    overlapping.published("chat/1", true, 10);
    overlapping.published("chat/2", false, 10);
    overlapping.bindTo(registry);

    assertThat(count("herald.channel.publishes", "chat/vip/*", "outcome", "stored")).isEqualTo(1);
    assertThat(count("herald.channel.publishes", "chat/*", "outcome", "stored")).isEqualTo(1);
    assertThat(count("herald.channel.publishes", "chat/*", "outcome", "failed")).isEqualTo(1);
  }

  @Test
  void builder_refusesBadPatterns_atOnce() {
    assertThatThrownBy(() -> HeraldChannelMetrics.builder().pattern("bad channel*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad pattern \"bad channel*\"");
    assertThatThrownBy(() -> HeraldChannelMetrics.builder().pattern("a/*").pattern("a/*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> HeraldChannelMetrics.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one pattern");
    assertThat(
            HeraldChannelMetrics.builder().pattern("*").build().patterns().stream()
                .collect(Collectors.toList()))
        .containsExactly("*");
  }
}
