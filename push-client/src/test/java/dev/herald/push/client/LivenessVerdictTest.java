package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.Cursor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The watchdog's decisions, on links that do no I/O and at chosen instants. */
class LivenessVerdictTest {
  private static final Duration CONNECT = Duration.ofSeconds(2);
  private static final Duration IDLE = Duration.ofSeconds(30);
  private static final long MS = 1_000_000L;

  private final AtomicReference<Link> current = new AtomicReference<>();
  private final List<String> closes = new ArrayList<>();
  private final Liveness liveness = new Liveness(CONNECT, IDLE, current::get, listenerOf(closes));

  @Test
  void notReady_withinTheConnectTimeout_isAlive_thenTimesOut() {
    FakeLink l = new FakeLink(Transport.SSE);
    long start = l.startedNanos();

    assertThat(liveness.verdict(l, start + CONNECT.toNanos())).isEqualTo(Liveness.Verdict.ALIVE);
    assertThat(liveness.verdict(l, start + CONNECT.toNanos() + MS))
        .isEqualTo(Liveness.Verdict.CONNECT_TIMEOUT);
  }

  @Test
  void streamWhoseHeadersCame_withoutReadySoonAfter_isBuffered_beforeTheConnectTimeout() {
    Liveness patient = new Liveness(Duration.ofSeconds(10), IDLE, current::get, listenerOf(closes));
    FakeLink l = new FakeLink(Transport.SSE);
    long start = l.startedNanos();

    assertThat(patient.verdict(l, start + Duration.ofSeconds(5).toNanos()))
        .isEqualTo(Liveness.Verdict.ALIVE); // no headers yet: only the connect timeout applies
    l.responded();
    long responded = l.respondedNanos();
    assertThat(patient.verdict(l, responded + Duration.ofMillis(2400).toNanos()))
        .isEqualTo(Liveness.Verdict.ALIVE);
    assertThat(patient.verdict(l, responded + Duration.ofMillis(2600).toNanos()))
        .isEqualTo(Liveness.Verdict.BUFFERED);
    l.ready = true;
    assertThat(patient.verdict(l, responded + Duration.ofMillis(2600).toNanos()))
        .isEqualTo(Liveness.Verdict.ALIVE);
  }

  @Test
  void bufferedCheck_neverWaitsLongerThanTheConnectTimeout() {
    assertThat(liveness.bufferedAfter()).isEqualTo(CONNECT);
    assertThat(
            new Liveness(Duration.ofSeconds(10), IDLE, current::get, listenerOf(closes))
                .bufferedAfter())
        .isEqualTo(Liveness.BUFFERED_AFTER);
  }

  @Test
  void readyLink_silentForTheIdleTimeout_isIdle() {
    FakeLink l = new FakeLink(Transport.STREAM);
    l.ready = true;
    l.heard();
    long heard = l.lastHeardNanos();

    assertThat(liveness.verdict(l, heard + IDLE.toNanos() / 2)).isEqualTo(Liveness.Verdict.ALIVE);
    assertThat(liveness.verdict(l, heard + IDLE.toNanos() + MS))
        .isEqualTo(Liveness.Verdict.IDLE_TIMEOUT);
  }

  @Test
  void quietWebSocket_isPingedOnce_untilItHearsAgain() {
    FakeLink l = new FakeLink(Transport.WEBSOCKET);
    l.ready = true;
    l.heard();
    long heard = l.lastHeardNanos();
    long third = heard + IDLE.toNanos() / 3 + MS;

    assertThat(liveness.verdict(l, third)).isEqualTo(Liveness.Verdict.PING);
    l.pinged(heard); // a ping not newer than the last thing heard is not asked again
    assertThat(liveness.verdict(l, third + MS)).isEqualTo(Liveness.Verdict.ALIVE);
    do {
      l.heard();
    } while (l.lastHeardNanos() == heard);
    assertThat(liveness.verdict(l, l.lastHeardNanos() + IDLE.toNanos() / 3 + MS))
        .isEqualTo(Liveness.Verdict.PING);
  }

  @Test
  void quietStream_isNeverPinged_itCarriesNoClientFrames() {
    FakeLink l = new FakeLink(Transport.SSE);
    l.ready = true;
    l.heard();

    assertThat(liveness.verdict(l, l.lastHeardNanos() + IDLE.toNanos() / 2))
        .isEqualTo(Liveness.Verdict.ALIVE);
  }

  @Test
  void unansweredSubscribe_pastTheConnectTimeout_isNoReply() {
    FakeLink l = new FakeLink(Transport.WEBSOCKET);
    l.ready = true;
    l.heard();
    long sent = l.lastHeardNanos() + MS;
    l.expectReply(sent);

    assertThat(liveness.verdict(l, sent + CONNECT.toNanos())).isEqualTo(Liveness.Verdict.ALIVE);
    assertThat(liveness.verdict(l, sent + CONNECT.toNanos() + MS))
        .isEqualTo(Liveness.Verdict.NO_REPLY);
    l.heard();
    assertThat(liveness.verdict(l, sent + CONNECT.toNanos() + MS))
        .isEqualTo(Liveness.Verdict.ALIVE);
  }

  @Test
  void longPoll_isLeftToItsRequestTimeout() {
    FakeLink l = new FakeLink(Transport.POLL);
    l.ready = true;

    assertThat(liveness.verdict(l, l.lastHeardNanos() + 10 * IDLE.toNanos()))
        .isEqualTo(Liveness.Verdict.ALIVE);
  }

  @Test
  void check_dropsALinkWithoutReady_asATimedOutAttempt() {
    FakeLink l = new FakeLink(Transport.STREAM);
    current.set(l);

    liveness.check(l.startedNanos() + CONNECT.toNanos() + MS);

    assertThat(l.stopped()).isTrue();
    assertThat(l.aborted).isTrue();
    assertThat(closes).containsExactly("timeout:timeout");
  }

  @Test
  void check_dropsAnIdleLink_withoutAFailure() {
    FakeLink l = new FakeLink(Transport.SSE);
    l.ready = true;
    current.set(l);

    liveness.check(l.lastHeardNanos() + IDLE.toNanos() + MS);

    assertThat(l.stopped()).isTrue();
    assertThat(closes).containsExactly("idle_timeout");
  }

  @Test
  void check_pingsAQuietWebSocket_andAwaitsTheReply() {
    FakeLink l = new FakeLink(Transport.WEBSOCKET);
    l.ready = true;
    current.set(l);
    long now = l.lastHeardNanos() + IDLE.toNanos() / 3 + MS;

    liveness.check(now);

    assertThat(l.sent).containsExactly("{\"type\":\"ping\"}");
    assertThat(l.flushes).isEqualTo(1);
    assertThat(l.lastPingNanos()).isEqualTo(now);
    assertThat(l.replyAwaitedSinceNanos()).isEqualTo(now);
    assertThat(l.stopped()).isFalse();
    assertThat(closes).isEmpty();
  }

  @Test
  void check_withoutALink_doesNothing() {
    liveness.check(System.nanoTime());

    assertThat(closes).isEmpty();
  }

  @Test
  void tick_isAQuarterOfTheShorterTimeout_within10msAnd1s() {
    assertThat(Liveness.tickMillis(Duration.ofMillis(400), Duration.ofSeconds(30))).isEqualTo(100);
    assertThat(Liveness.tickMillis(Duration.ofSeconds(10), Duration.ofSeconds(30))).isEqualTo(1000);
    assertThat(Liveness.tickMillis(Duration.ofMillis(8), Duration.ofMillis(8))).isEqualTo(10);
  }

  private static LinkListener listenerOf(List<String> closes) {
    return new LinkListener() {
      @Override
      public void opened(Link link) {}

      @Override
      public void frame(Link link, ServerFrame frame) {}

      @Override
      public void positions(Link link, Cursor cursor) {}

      @Override
      public String since(Link link) {
        return null;
      }

      @Override
      public void closed(Link link, String reason, HeraldException failure) {
        closes.add(reason + (failure == null ? "" : ":" + failure.code()));
      }
    };
  }
}
