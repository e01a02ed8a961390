package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WebSocket publishes awaiting their answer, without a socket. */
class PendingPublishesTest {
  private final ReentrantLock lock = new ReentrantLock();
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final Dispatcher dispatcher = new Dispatcher(16);

  @AfterEach
  void stop() {
    timer.shutdownNow();
    dispatcher.shutdown();
  }

  private PendingPublishes publishes(Duration timeout) {
    return new PendingPublishes(dispatcher, timer, timeout, lock);
  }

  private PendingPublishes.Pending create(PendingPublishes publishes, AckFuture future) {
    return publishes.create("chat", "say", JsonNodeFactory.instance.textNode("hi"), false, future);
  }

  /** Creates a publish and holds it for the socket, as one step under the lock, as the engine. */
  private PendingPublishes.Pending held(PendingPublishes publishes, AckFuture future) {
    lock.lock();
    try {
      PendingPublishes.Pending p = create(publishes, future);
      publishes.hold(p);
      return p;
    } finally {
      lock.unlock();
    }
  }

  /** Creates a publish and marks it sent, as one step under the lock, as the engine. */
  private PendingPublishes.Pending sent(PendingPublishes publishes, AckFuture future) {
    lock.lock();
    try {
      PendingPublishes.Pending p = create(publishes, future);
      publishes.sent(p);
      return p;
    } finally {
      lock.unlock();
    }
  }

  private static String code(AckFuture future) {
    HeraldException e = failure(future);
    return e == null ? "ok" : e.code();
  }

  private static HeraldException failure(AckFuture future) {
    await().until(future::isDone);
    try {
      future.join();
      return null;
    } catch (CompletionException e) {
      return (HeraldException) e.getCause();
    }
  }

  @Test
  void ack_completesThePublishItsRefNames() {
    PendingPublishes publishes = publishes(Duration.ofMinutes(1));
    AckFuture future = new AckFuture(dispatcher);
    PendingPublishes.Pending p = sent(publishes, future);

    assertThat(p.frame).contains("\"ref\":\"" + p.ref + "\"");
    assertThat(publishes.ack("nope", new Ack("chat", 1, "e1"))).isFalse();
    assertThat(publishes.ack(p.ref, new Ack("chat", 1, "e1"))).isTrue();
    assertThat(publishes.ack(p.ref, new Ack("chat", 1, "e1"))).isFalse();

    await().until(future::isDone);
    assertThat(future.join()).isEqualTo(new Ack("chat", 1, "e1"));
    assertThat(p.timeout.isCancelled()).isTrue();
  }

  @Test
  void refusal_failsThePublish_withTheServersCodeAndItsChannel() {
    PendingPublishes publishes = publishes(Duration.ofMinutes(1));
    AckFuture future = new AckFuture(dispatcher);
    PendingPublishes.Pending p = sent(publishes, future);

    assertThat(
            publishes.refuse(
                p.ref,
                channel ->
                    new ServerFrame.ErrorFrame("forbidden", "no", p.ref).toException(0, channel)))
        .isTrue();

    HeraldException e = failure(future);
    assertThat(e.code()).isEqualTo("forbidden");
    assertThat(e.channel()).isEqualTo("chat");
  }

  @Test
  void unanswered_failsWithTimeout_whetherHeldOrSent() {
    PendingPublishes publishes = publishes(Duration.ofMillis(20));
    AckFuture held = new AckFuture(dispatcher);
    AckFuture sent = new AckFuture(dispatcher);
    held(publishes, held);
    sent(publishes, sent);

    assertThat(code(held)).isEqualTo("timeout");
    assertThat(code(sent)).isEqualTo("timeout");
  }

  @Test
  void disconnect_failsWhatWasSent_butKeepsWhatWasHeldForTheNextSocket() {
    PendingPublishes publishes = publishes(Duration.ofMinutes(1));
    AckFuture held = new AckFuture(dispatcher);
    AckFuture sent = new AckFuture(dispatcher);
    PendingPublishes.Pending h = held(publishes, held);
    sent(publishes, sent);

    publishes.disconnected();

    assertThat(code(sent)).isEqualTo("disconnected");
    assertThat(held).isNotDone();
    assertThat(publishes.release()).containsExactly(h);
    publishes.closed();
    assertThat(code(held)).isEqualTo("closed");
  }

  @Test
  void beyondTheLimit_aPublishFailsAtOnce() {
    PendingPublishes publishes = publishes(Duration.ofMinutes(1));
    for (int i = 0; i < PendingPublishes.MAX; i++) {
      held(publishes, new AckFuture(dispatcher));
    }
    AckFuture extra = new AckFuture(dispatcher);

    assertThat(create(publishes, extra)).isNull();
    assertThat(code(extra)).isEqualTo("too_many_pending");
  }
}
