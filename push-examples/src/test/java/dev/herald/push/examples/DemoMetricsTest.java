package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.HeraldListener;
import dev.herald.push.client.Transport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The demo's {@code /metrics}: after N messages to M Java clients over three transports, the
 * Prometheus counters equal what the clients counted.
 */
class DemoMetricsTest {
  private static final String CHANNEL = "metrics/test";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Generous: the build machine may be busy with other tests. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final List<Transport> TRANSPORTS =
      List.of(Transport.WEBSOCKET, Transport.SSE, Transport.STREAM);
  private static final Map<Transport, String> TAG =
      Map.of(Transport.WEBSOCKET, "websocket", Transport.SSE, "sse", Transport.STREAM, "ndjson");

  private final List<Counted> clients = new ArrayList<>();
  private DemoServer demo;

  /** A client and what it saw: its connections opened and the messages of the channel. */
  private record Counted(
      Transport transport, HeraldClient client, AtomicInteger opens, AtomicInteger received) {}

  @AfterEach
  void stop() throws Exception {
    clients.forEach(c -> c.client().close());
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void metrics_countWhatTheClientsReceived() throws Exception {
    int perTransport = 2;
    int m = perTransport * TRANSPORTS.size();
    int n = 40;
    // No heartbeats within the test, so that every control frame is one the test can count.
    demo =
        DemoServer.start(
            new DemoOptions(0, null, false),
            hub -> hub.heartbeatInterval(Duration.ofHours(1)),
            context -> {});
    quietPrices();

    for (Transport transport : TRANSPORTS) {
      for (int i = 0; i < perTransport; i++) {
        AtomicInteger opens = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        HeraldClient client =
            HeraldClient.builder(URI.create("http://localhost:" + demo.port() + "/push"))
                .transports(transport)
                // No client pings (and so no pongs) within the test either.
                .idleTimeout(Duration.ofMinutes(10))
                .listener(
                    new HeraldListener() {
                      @Override
                      public void onOpen(Transport t) {
                        opens.incrementAndGet();
                      }
                    })
                .build();
        client.subscribe(CHANNEL, msg -> received.incrementAndGet());
        clients.add(new Counted(transport, client, opens, received));
      }
    }
    await().atMost(WAIT).until(() -> demo.hub().channel(CHANNEL).subscriberCount() == m);
    double storedBefore = scrape().value("herald_publishes_total", "outcome", "stored");

    for (int i = 0; i < n; i++) {
      demo.hub().channel(CHANNEL).publish("count", i).toCompletableFuture().join();
    }
    for (Counted c : clients) {
      await().atMost(WAIT).until(() -> c.received().get() == n);
    }

    // Frames each transport sent: the messages each client counted, plus per connection opened
    // its ready frame and, on WebSocket, the subscribed frame answering the client's subscribe.
    Map<Transport, Long> expected = new HashMap<>();
    Map<Transport, Long> opened = new HashMap<>();
    for (Counted c : clients) {
      long control = c.opens().get() * (c.transport() == Transport.WEBSOCKET ? 2L : 1L);
      expected.merge(c.transport(), control + c.received().get(), Long::sum);
      opened.merge(c.transport(), (long) c.opens().get(), Long::sum);
    }
    long expectedTotal = expected.values().stream().mapToLong(Long::longValue).sum();
    // The hub counts a write when the container reports it done, just after the client may
    // have read it.
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Scrape s = scrape();
              return TRANSPORTS.stream()
                      .mapToDouble(t -> s.value("herald_deliveries_total", "transport", TAG.get(t)))
                      .sum()
                  >= expectedTotal;
            });

    Scrape metrics = scrape();
    for (Transport t : TRANSPORTS) {
      String tag = TAG.get(t);
      assertThat(metrics.value("herald_deliveries_total", "transport", tag))
          .as("frames delivered over %s", tag)
          .isEqualTo(expected.get(t).doubleValue());
      assertThat(metrics.value("herald_connections", "transport", tag))
          .as("open connections over %s", tag)
          .isEqualTo(perTransport);
      assertThat(metrics.value("herald_connections_opened_total", "transport", tag))
          .as("connections opened over %s", tag)
          .isEqualTo(opened.get(t).doubleValue());
      assertThat(metrics.value("herald_delivered_bytes_total", "transport", tag))
          .as("bytes delivered over %s", tag)
          .isGreaterThan(n * perTransport);
    }
    assertThat(metrics.value("herald_deliveries_total", "transport", "poll")).isZero();
    assertThat(
            TRANSPORTS.stream()
                .mapToDouble(t -> metrics.value("herald_connections", "transport", TAG.get(t)))
                .sum())
        .isEqualTo(m);
    assertThat(metrics.value("herald_publishes_total", "outcome", "stored") - storedBefore)
        .isEqualTo(n);
    assertThat(metrics.value("herald_publishes_total", "outcome", "failed")).isZero();
    assertThat(metrics.value("herald_subscribes_total"))
        .isEqualTo(opened.values().stream().mapToLong(Long::longValue).sum());
    assertThat(metrics.value("herald_health")).isEqualTo(1.0);
    assertThat(
            metrics.value(
                "herald_channel_publishes_total", "channel", "prices/*", "outcome", "stored"))
        .as("the simulator's ticks, under the demo's channel pattern")
        .isPositive();
    assertThat(metrics.text()).contains("jvm_memory_used_bytes");
    // Nothing arrived after the count was taken.
    assertThat(clients).allSatisfy(c -> assertThat(c.received()).hasValue(n));
  }

  /**
   * Lets the price simulator store a tick (for the channel-pattern meters), then stops it and waits
   * until its last tick is stored.
   */
  private void quietPrices() {
    await().atMost(WAIT).until(() -> demo.hub().stats().publishes().stored() > 0);
    demo.prices().stop();
    long[] last = {-1};
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(2 * PriceSimulator.PERIOD_MILLIS))
        .until(
            () -> {
              long stored = demo.hub().stats().publishes().stored();
              boolean still = stored == last[0];
              last[0] = stored;
              return still;
            });
  }

  private Scrape scrape() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + demo.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return new Scrape(response.body());
  }

  /** A Prometheus text exposition, read just enough to find one sample by name and labels. */
  private record Scrape(String text) {
    private static final Pattern SAMPLE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    /** The value of the one sample of that name whose labels include the given pairs. */
    double value(String name, String... labels) {
      List<Double> found = new ArrayList<>();
      for (String line : text.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
          continue;
        }
        Map<String, String> have = new HashMap<>();
        if (m.group(2) != null) {
          Matcher l = LABEL.matcher(m.group(2));
          while (l.find()) {
            have.put(l.group(1), l.group(2));
          }
        }
        boolean all = true;
        for (int i = 0; i < labels.length; i += 2) {
          all &= labels[i + 1].equals(have.get(labels[i]));
        }
        if (all) {
          found.add(Double.parseDouble(m.group(3)));
        }
      }
      assertThat(found).as("samples of %s%s", name, List.of(labels)).hasSize(1);
      return found.get(0);
    }
  }
}
