package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.HeraldListener;
import dev.herald.push.client.Transport;
import dev.herald.push.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * A node of a two-node demo cluster drains while thousands of clients are connected to it through a
 * load balancer: they come back on the other node spread over the drain window, not all at once,
 * and each resumes from its cursor with every message once.
 */
class DrainClusterTest {
  private static final int CLIENTS = Integer.getInteger("herald.drain.clients", 300);
  private static final Duration WINDOW = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(120);

  /** One client and what it saw. */
  private static final class Watched {
    final List<Long> offsets = Collections.synchronizedList(new ArrayList<>());
    final List<Long> opens = new CopyOnWriteArrayList<>();
    HeraldClient client;

    long lastOffset() {
      synchronized (offsets) {
        return offsets.isEmpty() ? 0 : offsets.get(offsets.size() - 1);
      }
    }
  }

  @Test
  void drain_spreadsTheReconnectsOverTheWindow_andEveryClientResumesOnTheOtherNode()
      throws Exception {
    String channel = "drain/room";
    // Several JDK clients, each with its own selector thread: one would read for all the sockets
    // of this process and become the bottleneck that real clients, each on its own machine, do
    // not have.
    HttpClient[] http = new HttpClient[16];
    for (int i = 0; i < http.length; i++) {
      http[i] = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }
    List<Watched> watched = new ArrayList<>();
    try (RedisServer redis = RedisServer.start();
        DemoServer a = DemoServer.start(new DemoOptions(0, redis.uri(), false));
        DemoServer b = DemoServer.start(new DemoOptions(0, redis.uri(), false));
        Balancer balancer = new Balancer(() -> a.hub().isDraining() ? b.port() : a.port())) {
      URI base = URI.create("http://127.0.0.1:" + balancer.port() + "/push");
      try {
        for (int i = 0; i < CLIENTS; i++) {
          Watched w = new Watched();
          w.client =
              HeraldClient.builder(base)
                  .transports(Transport.WEBSOCKET)
                  .httpClient(http[i % http.length])
                  .listener(
                      new HeraldListener() {
                        @Override
                        public void onOpen(Transport transport) {
                          w.opens.add(System.nanoTime());
                        }
                      })
                  .build();
          w.client.subscribe(channel, m -> w.offsets.add(m.offset()));
          watched.add(w);
        }
        await().atMost(WAIT).until(() -> a.hub().channel(channel).subscriberCount() == CLIENTS);
        assertThat(b.hub().connectionCount()).isZero();

        // Messages keep coming through the node that stays, before, during and after the drain:
        // five
        // a second, so that each of thousands of clients in this one process gets a steady stream
        // without the machine's two cores becoming the bottleneck.
        // A publish may fail while the machine is busy with thousands of reconnects (Redis does not
        // answer within the command timeout); it is counted, and the check below is against what
        // the channel's history holds, whatever the publisher was told.
        AtomicLong published = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ScheduledExecutorService publisher =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "drain-test-publisher");
                  t.setDaemon(true);
                  return t;
                });
        publisher.scheduleWithFixedDelay(
            () -> {
              try {
                published.set(
                    b.hub()
                        .channel(channel)
                        .publish("tick", published.get() + 1)
                        .toCompletableFuture()
                        .join()
                        .offset());
              } catch (RuntimeException e) {
                failed.incrementAndGet();
              }
            },
            0,
            200,
            TimeUnit.MILLISECONDS);
        await().until(() -> published.get() >= 3);

        long drainStart = System.nanoTime();
        a.drain(WINDOW);
        long drainMillis = (System.nanoTime() - drainStart) / 1_000_000;
        await().atMost(WAIT).until(() -> b.hub().channel(channel).subscriberCount() == CLIENTS);
        // A few more messages once everyone is back, live on the other node.
        long mark = published.get();
        await().atMost(WAIT).until(() -> published.get() >= mark + 3);
        publisher.shutdown();
        assertThat(publisher.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        long last = b.hub().channel(channel).position().toCompletableFuture().join().offset();
        assertThat(last).isGreaterThanOrEqualTo(published.get());
        await().atMost(WAIT).until(() -> watched.stream().allMatch(w -> w.lastOffset() >= last));

        List<Long> expected = LongStream.rangeClosed(1, last).boxed().toList();
        List<Long> reconnects = new ArrayList<>();
        for (Watched w : watched) {
          assertThat(w.offsets).as("every message once, in order").isEqualTo(expected);
          w.opens.stream()
              .filter(t -> t > drainStart)
              .findFirst()
              .ifPresent(t -> reconnects.add((t - drainStart) / 1_000_000));
        }
        assertThat(reconnects).hasSize(CLIENTS);
        Collections.sort(reconnects);
        int[] buckets = new int[(int) (reconnects.get(CLIENTS - 1) / 250) + 1];
        for (long t : reconnects) {
          buckets[(int) (t / 250)]++;
        }
        int busiest = 0;
        for (int n : buckets) {
          busiest = Math.max(busiest, n);
        }
        System.err.printf(
            "Drain of %d clients over %d ms took %d ms; reconnected after (ms) first %d, p10 %d,"
                + " p50 %d, p90 %d, last %d; busiest 250 ms held %d reconnects (%.1f%%);"
                + " %d messages each, none lost or repeated (%d publishes failed)%n",
            CLIENTS,
            WINDOW.toMillis(),
            drainMillis,
            reconnects.get(0),
            reconnects.get(CLIENTS / 10),
            reconnects.get(CLIENTS / 2),
            reconnects.get(CLIENTS * 9 / 10),
            reconnects.get(CLIENTS - 1),
            busiest,
            100.0 * busiest / CLIENTS,
            last,
            failed.get());
        // Spread: the reconnects span most of the window, and no quarter second holds a crowd
        // (all at once would put every client in one or two).
        assertThat(reconnects.get(CLIENTS * 9 / 10) - reconnects.get(CLIENTS / 10))
            .isGreaterThan(WINDOW.toMillis() / 2);
        assertThat(busiest).isLessThan(CLIENTS / 5);
        assertThat(a.hub().stats().closes("server_restart")).isEqualTo(CLIENTS);
        assertThat(b.hub().stats().resumes().recovered()).isGreaterThanOrEqualTo(CLIENTS);
        assertThat(b.hub().stats().resumes().reset()).isZero();
      } finally {
        watched.forEach(w -> w.client.close());
      }
    }
  }
}
