package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many threads publish to many channels while clients join, drop and resume with their cursors:
 * every client must see, per channel, each offset from where it started to the end exactly once and
 * in order.
 */
class ConcurrencyTest {
  private static final int CHANNELS = 6;
  private static final int PUBLISHERS = 4;
  private static final int PER_PUBLISHER = 1500;
  private static final int CLIENTS = 24;

  /** One simulated client: its connections one after another, resuming by cursor. */
  private static final class SimClient {
    final List<String> channels;
    final Map<String, Long> start = new HashMap<>();
    final Map<String, List<Long>> received = new HashMap<>();
    RecordingSink sink;
    Connection connection;
    int resets;

    SimClient(List<String> channels) {
      this.channels = channels;
      channels.forEach(c -> received.put(c, new ArrayList<>()));
    }

    /** Moves what the current connection received into the totals, then drops it. */
    void harvest(boolean close) {
      if (connection == null) {
        return;
      }
      if (close) {
        connection.close(CloseReason.CLIENT_GONE);
      }
      for (Frame f : sink.frames()) {
        JsonNode json = RecordingSink.parse(f);
        switch (f.type()) {
          case READY -> {
            if (start.isEmpty()) {
              Cursor c = Cursor.decode(json.get("cursor").asText());
              channels.forEach(ch -> start.put(ch, c.position(ch).offset()));
            }
          }
          case MESSAGE ->
              received.get(json.get("channel").asText()).add(json.get("offset").asLong());
          case RESET -> resets++;
          default -> {}
        }
      }
    }

    String cursor() {
      return sink == null ? null : sink.lastCursor();
    }

    long lastOffset(String channel) {
      List<Long> r = new ArrayList<>(received.get(channel));
      if (sink != null) {
        for (JsonNode m : sink.json(Frame.Type.MESSAGE)) {
          if (m.get("channel").asText().equals(channel)) {
            r.add(m.get("offset").asLong());
          }
        }
      }
      return r.isEmpty() ? -1 : r.get(r.size() - 1);
    }
  }

  @ParameterizedTest(name = "broker with async replays and a lossy feed: {0}")
  @ValueSource(booleans = {false, true})
  void publishersAndResumingClients_everyClientSeesEveryOffsetOnceInOrder(boolean flaky)
      throws Exception {
    InMemoryBroker memory =
        InMemoryBroker.builder().historySize(100_000).historyMaxBytes(1L << 30).build();
    FlakyBroker flakyBroker = new FlakyBroker(memory);
    if (flaky) {
      flakyBroker.fate =
          m ->
              ThreadLocalRandom.current().nextInt(50) == 0
                  ? FlakyBroker.Fate.DROP
                  : FlakyBroker.Fate.PASS;
    }
    try (PushHub hub =
        PushHub.builder()
            .broker(flaky ? flakyBroker : memory)
            .maxQueuedFrames(100_000)
            .maxQueuedBytes(1L << 30)
            .heartbeatInterval(Duration.ofHours(1))
            .build()) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < CHANNELS; i++) {
        names.add("ch/" + i);
      }
      List<SimClient> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(new SimClient(List.of(names.get(i % CHANNELS), names.get((i + 1) % CHANNELS))));
      }

      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger published = new AtomicInteger();
      List<Thread> publishers = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  for (int i = 0; i < PER_PUBLISHER; i++) {
                    hub.channel(names.get(random.nextInt(CHANNELS))).publish("e", i);
                    published.incrementAndGet();
                  }
                });
        t.start();
        publishers.add(t);
      }
      go.countDown();

      // Clients join at staggered points and keep dropping and resuming while publishing runs.
      int round = 0;
      while (published.get() < PUBLISHERS * PER_PUBLISHER) {
        SimClient c = clients.get(round++ % CLIENTS);
        if (c.connection != null && c.sink.frames().isEmpty()) {
          Thread.onSpinWait();
          continue; // not even ready yet: keep it
        }
        c.harvest(true);
        String cursor = c.cursor();
        c.sink = new RecordingSink();
        c.connection =
            hub.transportContext()
                .connect(
                    hub.transportContext().newClient(null, null),
                    WireFormat.NDJSON,
                    c.sink,
                    c.channels,
                    cursor == null ? null : Cursor.decode(cursor));
      }
      for (Thread t : publishers) {
        t.join();
      }

      Map<String, Long> heads = new HashMap<>();
      for (String name : names) {
        heads.put(name, hub.channel(name).position().toCompletableFuture().join().offset());
      }
      assertThat(heads.values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo((long) PUBLISHERS * PER_PUBLISHER);
      if (flaky) {
        // Nothing later reveals a gap at the very end of a channel: that is what resync is for.
        flakyBroker.fate = m -> FlakyBroker.Fate.PASS;
        flakyBroker.listeners.forEach(l -> l.onResync());
      }
      for (SimClient c : clients) {
        for (String ch : c.channels) {
          await()
              .atMost(30, TimeUnit.SECONDS)
              .until(() -> c.lastOffset(ch) == heads.get(ch) || heads.get(ch) == 0);
        }
        c.harvest(true);
        assertThat(c.resets).as("resets").isZero();
        for (String ch : c.channels) {
          long from = c.start.get(ch);
          List<Long> expected = new ArrayList<>();
          for (long o = from + 1; o <= heads.get(ch); o++) {
            expected.add(o);
          }
          assertThat(c.received.get(ch)).as("client on %s from %d", ch, from).isEqualTo(expected);
        }
      }
      await().until(() -> hub.connectionCount() == 0 && hub.activeChannelCount() == 0);
    }
  }

  @Test
  void concurrentSubscribeAndUnsubscribe_leaveNoRoutesBehind() throws Exception {
    try (PushHub hub = PushHub.builder().heartbeatInterval(Duration.ofHours(1)).build()) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < 300; i++) {
                    Connection c =
                        hub.transportContext()
                            .connect(
                                hub.transportContext().newClient(null, null),
                                WireFormat.WEBSOCKET,
                                new RecordingSink(),
                                List.of(),
                                null);
                    c.subscribe("shared", null);
                    c.subscribe("own" + (i % 7), null);
                    hub.channel("shared").publish("e", i);
                    c.unsubscribe("own" + (i % 7));
                    c.close(CloseReason.CLIENT_GONE);
                  }
                });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
      await().until(() -> hub.connectionCount() == 0 && hub.activeChannelCount() == 0);
    }
  }
}
