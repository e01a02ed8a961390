package dev.herald.push.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.PushHub;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.WireFormat;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters as Prometheus names them, and a close reason first seen during a scrape. */
class PrometheusScrapeTest {
  private final HeraldChannelMetrics channels =
      HeraldChannelMetrics.builder().pattern("chat/*").build();
  private final PushHub hub =
      PushHub.builder().heartbeatInterval(Duration.ofHours(1)).observer(channels).build();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @AfterEach
  void close() {
    hub.close();
    registry.close();
  }

  @Test
  void scrape_namesTheMetersAsDocumented_andPicksUpNewCloseReasons() {
    new HeraldMeterBinder(hub, Tags.empty(), Duration.ZERO).bindTo(registry);
    channels.bindTo(registry);
    CollectingSink sink = new CollectingSink();
    Connection c =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient(null, null),
                WireFormat.WEBSOCKET,
                sink,
                List.of("chat/lobby"),
                null);
    hub.channel("chat/lobby").publish("e", 1).toCompletableFuture().join();
    // Delivery runs on the hub's executor: close only once the ready frame and message are out.
    await().until(() -> hub.stats().framesDelivered() == 2);
    c.close(new CloseReason("going_away", "a transport's own code"));
    await().until(() -> hub.stats().closes("going_away") == 1);

    registry.scrape(); // sees the new code and registers its series
    String text = registry.scrape();

    assertThat(text)
        .contains("herald_connections{transport=\"websocket\"} 0.0")
        .contains("herald_connections_opened_total{transport=\"websocket\"} 1.0")
        .contains("herald_connections_closed_total{transport=\"websocket\"} 1.0")
        .contains("herald_connections_refused_total{reason=\"node_full\"} 0.0")
        .contains("herald_disconnects_total{reason=\"going_away\"} 1.0")
        .contains("herald_disconnects_total{reason=\"slow_consumer\"} 0.0")
        .contains("herald_deliveries_total{transport=\"websocket\"} 2.0")
        .contains("herald_delivered_bytes_total{transport=\"websocket\"}")
        .contains("herald_publishes_total{outcome=\"stored\"} 1.0")
        .contains("herald_publish_latency_seconds_count 1")
        .contains("herald_subscribes_total 1.0")
        .contains("herald_resumes_total{outcome=\"reset\"} 0.0")
        .contains("herald_broker_health 1.0")
        .contains("herald_broker_lag_seconds_count 1")
        .contains("herald_health 1.0")
        .contains("herald_drain_active 0.0")
        .contains("herald_channel_publishes_total{channel=\"chat/*\",outcome=\"stored\"} 1.0")
        .contains("herald_channel_subscribes_total{channel=\"chat/*\"} 1.0");
  }
}
