package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Cursor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection's lifecycle and transport choice, on links that do no I/O. */
class ConnectorTest {
  private final ReentrantLock lock = new ReentrantLock();

  /** The reconnect delays the connector asked for, in milliseconds, in order. */
  private final List<Long> delays = new CopyOnWriteArrayList<>();

  private final ScheduledThreadPoolExecutor timer =
      new ScheduledThreadPoolExecutor(1) {
        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
          delays.add(unit.toMillis(delay));
          return super.schedule(task, delay, unit);
        }
      };
  private DoubleSupplier random = () -> 0.5;
  private final Dispatcher dispatcher = new Dispatcher(16);
  private final Recorder recorder = new Recorder();
  private final List<FakeLink> links = new CopyOnWriteArrayList<>();
  private final AtomicBoolean hasChannels = new AtomicBoolean(true);

  @AfterEach
  void stop() {
    timer.shutdownNow();
    dispatcher.shutdown();
  }

  /** A connector over the transports, retrying after {@code backoff} (at most). */
  private Connector connector(Duration backoff, Transport first, Transport... more) {
    List<Transport> transports = new CopyOnWriteArrayList<>(List.of(more));
    transports.add(0, first);
    Settings settings =
        new Settings(
            null,
            List.copyOf(transports),
            recorder,
            backoff,
            backoff,
            null,
            null,
            null,
            null,
            null,
            Cursor.empty(),
            null,
            null);
    return new Connector(
        settings,
        dispatcher,
        lock,
        timer,
        new Backoff(backoff, backoff, () -> random.getAsDouble()),
        t -> {
          FakeLink l = new FakeLink(t);
          links.add(l);
          return l;
        },
        hasChannels::get,
        null);
  }

  /** Runs a step as the engine does: under the lock, its I/O after. */
  private void locked(Runnable step) {
    lock.lock();
    try {
      step.run();
    } finally {
      lock.unlock();
    }
  }

  private Link connect(Connector c) {
    Runnable[] start = new Runnable[1];
    locked(() -> start[0] = c.connectIfNeeded());
    assertThat(start[0]).isNotNull();
    start[0].run();
    return c.link();
  }

  @Test
  void oneWayTransport_withoutChannels_staysIdle_whileAWebSocketConnectsAtOnce() {
    hasChannels.set(false);
    Connector sse = connector(Duration.ofHours(1), Transport.SSE);
    Connector ws = connector(Duration.ofHours(1), Transport.WEBSOCKET);

    locked(() -> assertThat(sse.connectIfNeeded()).isNull());
    Link l = connect(ws);

    assertThat(sse.state()).isEqualTo(Connector.State.IDLE);
    assertThat(ws.state()).isEqualTo(Connector.State.CONNECTING);
    assertThat(l.transport()).isEqualTo(Transport.WEBSOCKET);
    assertThat(links).hasSize(1).allMatch(f -> f.starts == 1);
  }

  @Test
  void readyThenEnded_opensAndClosesForTheApplication_andWaitsToReconnect() {
    Connector c = connector(Duration.ofHours(1), Transport.STREAM);
    Link l = connect(c);

    locked(
        () -> {
          assertThat(c.ready(l)).isTrue();
          assertThat(c.ready(l)).isFalse();
          c.announceOpen(l);
          c.announceOpen(l);
        });
    assertThat(c.state()).isEqualTo(Connector.State.OPEN);
    locked(() -> assertThat(c.ended(l, "slow_consumer", null)).isNull());

    assertThat(c.state()).isEqualTo(Connector.State.WAITING);
    assertThat(c.link()).isNull();
    await()
        .untilAsserted(
            () ->
                assertThat(recorder.events)
                    .containsExactly(
                        "transport:STREAM", "open:STREAM", "close:STREAM:slow_consumer"));
  }

  @Test
  void attemptEndingBeforeReady_isReportedAsAFailure() {
    Connector c = connector(Duration.ofHours(1), Transport.SSE);
    Link l = connect(c);

    HeraldException[] f = new HeraldException[1];
    locked(() -> f[0] = c.ended(l, "eof", null));

    assertThat(f[0].code()).isEqualTo("connect_failed");
    assertThat(f[0]).hasMessageContaining("sse connection ended before the server was ready (eof)");
    assertThat(c.state()).isEqualTo(Connector.State.WAITING);
  }

  @Test
  void blockedTransport_fallsBackToTheNext_butAnUnreachableServerDoesNot() {
    Connector c = connector(Duration.ofHours(1), Transport.WEBSOCKET, Transport.SSE);
    Link l = connect(c);

    locked(() -> c.ended(l, "connect_failed", HeraldException.of("connect_failed", "refused")));
    assertThat(c.transport()).isEqualTo(Transport.WEBSOCKET);

    Connector d = connector(Duration.ofHours(1), Transport.WEBSOCKET, Transport.SSE);
    Link m = connect(d);
    locked(
        () -> d.ended(m, "http_403", new HeraldException("http_403", "blocked", 403, null, null)));
    assertThat(d.transport()).isEqualTo(Transport.SSE);
  }

  @Test
  void transportThatWorkedOnce_isKept_whenTheServerGoesAway() {
    Connector c = connector(Duration.ZERO, Transport.WEBSOCKET, Transport.SSE);
    Link first = connect(c);
    locked(
        () -> {
          c.ready(first);
          c.ended(first, "server_shutdown", null);
        });

    await().until(() -> links.size() == 2 && links.get(1).starts == 1);
    Link second = links.get(1);
    locked(
        () ->
            c.ended(second, "http_503", new HeraldException("http_503", "down", 503, null, null)));

    assertThat(c.transport()).isEqualTo(Transport.WEBSOCKET);
  }

  @Test
  void idle_dropsTheLink_andClose_isFinal() {
    Connector c = connector(Duration.ofHours(1), Transport.POLL);
    Link l = connect(c);
    locked(
        () -> {
          c.ready(l);
          c.announceOpen(l);
        });

    Runnable[] stop = new Runnable[1];
    locked(() -> stop[0] = c.idle(l, "unsubscribed"));
    stop[0].run();

    assertThat(c.state()).isEqualTo(Connector.State.IDLE);
    assertThat(((FakeLink) l).stopped()).isTrue();
    locked(
        () -> {
          assertThat(c.close()).isNull();
          assertThat(c.close()).isNull();
          assertThat(c.connectIfNeeded()).isNull();
        });
    assertThat(c.state()).isEqualTo(Connector.State.CLOSED);
    await()
        .untilAsserted(
            () ->
                assertThat(recorder.events)
                    .containsExactly("transport:POLL", "open:POLL", "close:POLL:unsubscribed"));
  }

  /** Connects, and ends the link (after its ready frame if {@code ready}); returns the failure. */
  private HeraldException connectAndEnd(
      Connector c, boolean ready, RetryHint hint, String reason, HeraldException failure) {
    Link l = connect(c);
    l.hint(hint);
    HeraldException[] f = new HeraldException[1];
    locked(
        () -> {
          if (ready) {
            c.ready(l);
          }
          f[0] = c.ended(l, reason, failure);
        });
    return f[0];
  }

  @Test
  void firstReconnectAfterAReadyConnection_isFullJitter_notImmediate() {
    Connector c = connector(Duration.ofSeconds(1), Transport.WEBSOCKET);
    for (double r : new double[] {0.0, 0.25, 0.999}) {
      random = () -> r;
      connectAndEnd(c, true, null, "server_shutdown", null);
      locked(c::close);
      c = connector(Duration.ofSeconds(1), Transport.WEBSOCKET);
    }

    // Attempt 0's window is the whole first backoff step; the random source picks within it.
    assertThat(delays).containsExactly(0L, 250L, 999L);
  }

  @Test
  void serverRestart_reconnectsWithinTheServersWindow_onTheSameTransport() {
    random = () -> 0.3;
    Connector c = connector(Duration.ofHours(1), Transport.WEBSOCKET, Transport.SSE);

    connectAndEnd(c, true, new RetryHint("server_restart", 1000), "server_restart", null);

    assertThat(delays).containsExactly(300L);
    assertThat(c.transport()).isEqualTo(Transport.WEBSOCKET);
  }

  @Test
  void http503_onATransportThatNeverWorked_isTransient_honoursRetryAfter_andNeverFallsBack() {
    random = () -> 0.5;
    Connector c = connector(Duration.ofHours(1), Transport.WEBSOCKET, Transport.SSE);
    HeraldException unavailable = new HeraldException("unavailable", "draining", 503, null, null);

    HeraldException f =
        connectAndEnd(c, false, new RetryHint("unavailable", 4000), "http_503", unavailable);

    assertThat(f).isSameAs(unavailable);
    assertThat(delays).containsExactly(2000L);
    assertThat(c.transport()).isEqualTo(Transport.WEBSOCKET);
  }

  @Test
  void http503_withoutRetryAfter_usesTheBackoff_andStillDoesNotFallBack() {
    random = () -> 0.5;
    Connector c = connector(Duration.ofMillis(400), Transport.STREAM, Transport.POLL);

    connectAndEnd(
        c,
        false,
        new RetryHint("unavailable", -1),
        "http_503",
        new HeraldException("http_503", "down", 503, null, null));

    assertThat(delays).containsExactly(200L);
    assertThat(c.transport()).isEqualTo(Transport.STREAM);
  }

  @Test
  void http429_onATransportThatNeverWorked_waitsAtLeastRetryAfter_andNeverFallsBack() {
    HeraldException limited = new HeraldException("rate_limited", "too many", 429, null, null);
    for (double r : new double[] {0.0, 0.5, 0.999}) {
      random = () -> r;
      Connector c = connector(Duration.ofHours(1), Transport.WEBSOCKET, Transport.SSE);

      HeraldException f =
          connectAndEnd(c, false, new RetryHint("rate_limited", 2000), "http_429", limited);

      assertThat(f).isSameAs(limited);
      assertThat(c.transport()).isEqualTo(Transport.WEBSOCKET);
      locked(c::close);
    }
    // The window is the floor; the full jitter within it comes on top.
    assertThat(delays).containsExactly(2000L, 3000L, 3998L);
  }

  @Test
  void http429_withoutRetryAfter_usesTheBackoff_andStillDoesNotFallBack() {
    random = () -> 0.5;
    Connector c = connector(Duration.ofMillis(400), Transport.STREAM, Transport.POLL);

    connectAndEnd(
        c,
        false,
        new RetryHint("rate_limited", -1),
        "http_429",
        new HeraldException("rate_limited", "too many", 429, null, null));

    assertThat(delays).containsExactly(200L);
    assertThat(c.transport()).isEqualTo(Transport.STREAM);
  }

  @Test
  void silentStream_skipsTheOtherStreamingTransport_toLongPolling() {
    Connector c =
        connector(
            Duration.ZERO, Transport.WEBSOCKET, Transport.SSE, Transport.STREAM, Transport.POLL);
    HeraldException refused = new HeraldException("http_403", "no upgrades", 403, null, null);
    connectAndEnd(c, false, null, "http_403", refused);
    assertThat(c.transport()).isEqualTo(Transport.SSE);
    await().until(() -> links.size() == 2 && links.get(1).starts == 1);

    Link sse = links.get(1);
    locked(() -> c.ended(sse, "timeout", HeraldException.of("timeout", "no ready frame")));

    assertThat(c.transport()).isEqualTo(Transport.POLL);
  }

  @Test
  void streamRefusedWithAStatus_movesToTheNextTransport_evenIfItStreams() {
    Connector c = connector(Duration.ofHours(1), Transport.SSE, Transport.STREAM, Transport.POLL);

    connectAndEnd(
        c, false, null, "http_404", new HeraldException("http_404", "no", 404, null, null));

    assertThat(c.transport()).isEqualTo(Transport.STREAM);
  }
}
