package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.FrameSink.WriteCallback;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The non-blocking write engine against a scripted stream, one step at a time. */
class AsyncOutputTest {

  /**
   * A non-blocking stream with a container's contract (Jetty's, checked): a write or flush is
   * allowed only once {@code isReady()} said yes since the last one; while the test holds the
   * connection full ({@code ready} false) a write is taken but stays in flight, and {@code
   * isReady()} says no until the test drains it ({@link #becomeReady}).
   */
  static final class ScriptedStream extends ServletOutputStream {
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    final ByteArrayOutputStream inFlight = new ByteArrayOutputStream();
    final List<String> writes = new ArrayList<>();
    boolean ready = true;
    int flushes;
    int readyCalls;
    IOException failure;
    WriteListener listener;
    int callsAfterNotReady;
    private boolean reportedNotReady;
    private boolean saidYes;

    @Override
    public boolean isReady() {
      readyCalls++;
      boolean answer = ready && inFlight.size() == 0;
      if (reportedNotReady && !answer) {
        callsAfterNotReady++;
      }
      reportedNotReady = !answer;
      saidYes = answer;
      return answer;
    }

    @Override
    public void setWriteListener(WriteListener writeListener) {
      listener = writeListener;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      take(new String(b, off, len, StandardCharsets.UTF_8));
    }

    /** One write, whichever way it came. */
    void take(String text) throws IOException {
      if (!saidYes) {
        throw new IllegalStateException("write without isReady() saying yes since the last");
      }
      saidYes = false;
      if (failure != null) {
        throw failure;
      }
      writes.add(text);
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      (ready ? written : inFlight).write(bytes, 0, bytes.length);
    }

    @Override
    public void flush() throws IOException {
      if (!saidYes) {
        throw new IllegalStateException("flush without isReady() saying yes since the last");
      }
      saidYes = false;
      if (failure != null) {
        throw failure;
      }
      flushes++;
    }

    String text() {
      return written.toString(StandardCharsets.UTF_8);
    }

    /** The connection took what was in flight: the container tells the listener. */
    void becomeReady() throws IOException {
      ready = true;
      inFlight.writeTo(written);
      inFlight.reset();
      listener.onWritePossible();
    }
  }

  /** Records what one write's callback heard. */
  static final class Recorded implements WriteCallback {
    final List<String> events = new ArrayList<>();

    @Override
    public void succeeded() {
      events.add("succeeded");
    }

    @Override
    public void failed(Throwable cause) {
      events.add("failed: " + cause.getClass().getSimpleName());
    }
  }

  final ScriptedStream stream = new ScriptedStream();
  final AtomicInteger completions = new AtomicInteger();
  final List<Throwable> failures = new ArrayList<>();
  final AsyncContext async =
      (AsyncContext)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {AsyncContext.class},
              (proxy, method, args) -> {
                if (method.getName().equals("complete")) {
                  completions.incrementAndGet();
                  return null;
                }
                throw new AssertionError("unexpected call " + method.getName());
              });

  AsyncOutput output(boolean commitAtStart) {
    return new AsyncOutput(async, stream, commitAtStart, failures::add);
  }

  /** An output on the scripted stream with a close timeout on {@code timer} and a drop. */
  AsyncOutput closing(
      ScheduledExecutorService timer, Duration closeTimeout, ConnectionAbort.Drop drop) {
    return new AsyncOutput(
        async, stream, null, false, failures::add, new ConnectionAbort(timer, closeTimeout), drop);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void write_beforeStart_writesNothingUntilStarted() {
    AsyncOutput out = output(false);
    Recorded cb = new Recorded();
    out.write(bytes("a"), cb);
    assertThat(stream.text()).isEmpty();
    assertThat(cb.events).isEmpty();

    out.start();
    assertThat(stream.listener).isSameAs(out);
    assertThat(stream.text()).isEqualTo("a");
    assertThat(stream.flushes).isEqualTo(1);
    assertThat(cb.events).containsExactly("succeeded");
  }

  @Test
  void start_withCommitAtStart_flushesHeadersWithNoBody() {
    output(true).start();
    assertThat(stream.flushes).isEqualTo(1);
    assertThat(stream.text()).isEmpty();
  }

  /**
   * Starts the output, makes the container not ready, and writes "one ", "two " and "three";
   * returns their callbacks, in order.
   */
  private Recorded[] writeThreeWhileNotReady(AsyncOutput out) {
    out.start();
    stream.ready = false;
    Recorded[] callbacks = {new Recorded(), new Recorded(), new Recorded()};
    out.write(bytes("one "), callbacks[0]);
    out.write(bytes("two "), callbacks[1]);
    out.write(bytes("three"), callbacks[2]);
    return callbacks;
  }

  @Test
  void write_whileNotReady_waitsForOnWritePossibleAndSucceedsOnlyOnceFlushed() throws Exception {
    AsyncOutput out = output(false);
    Recorded[] three = writeThreeWhileNotReady(out);
    Recorded first = three[0];
    assertThat(stream.text()).isEmpty();
    assertThat(first.events).as("in flight, and not flushed").isEmpty();

    stream.becomeReady();
    assertThat(stream.text()).isEqualTo("one two three");
    assertThat(stream.writes)
        .as("what queued meanwhile goes out as one write")
        .containsExactly("one ", "two three");
    assertThat(first.events).containsExactly("succeeded");
    assertThat(three[1].events).containsExactly("succeeded");
    assertThat(three[2].events).containsExactly("succeeded");
    assertThat(stream.flushes).isEqualTo(1);
    assertThat(stream.callsAfterNotReady).as("isReady() polled after it said no").isZero();
  }

  @Test
  void steadyWrites_askIsReadyOncePerWriteAndFlush() {
    int asked = questionsForTenWrites(output(false));
    assertThat(stream.writes).hasSize(10);
    assertThat(stream.flushes).isEqualTo(10);
    // Asked after each write and each flush, to learn that it is over; a yes lets the next go.
    assertThat(asked).isEqualTo(20);
  }

  @Test
  void steadyDirectWrites_neverTouchTheStream() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    out.start();
    for (int i = 0; i < 10; i++) {
      Recorded cb = new Recorded();
      out.write(bytes("m" + i), cb);
      assertThat(cb.events).containsExactly("succeeded");
    }
    assertThat(direct.writes).hasSize(10);
    assertThat(stream.listener).as("no write listener set").isNull();
    assertThat(stream.readyCalls).isZero();
    assertThat(stream.writes).isEmpty();
    assertThat(stream.flushes).isZero();
  }

  /** Starts the output, writes ten chunks that each succeed at once, and counts isReady() calls. */
  private int questionsForTenWrites(AsyncOutput out) {
    out.start();
    int before = stream.readyCalls;
    for (int i = 0; i < 10; i++) {
      Recorded cb = new Recorded();
      out.write(bytes("m" + i), cb);
      assertThat(cb.events).containsExactly("succeeded");
    }
    return stream.readyCalls - before;
  }

  /**
   * A container's direct write, scripted: while {@code ready} the connection takes the bytes at
   * once and the write completes before it returns; otherwise the write stays in flight until the
   * test completes it ({@link #complete}), as a container thread would. A second write while one is
   * in flight breaks the contract and throws.
   */
  static final class DirectWrites implements AsyncOutput.DirectWrite {
    final List<String> writes = new ArrayList<>();
    boolean ready = true;
    IOException failure;
    private Done pending;

    @Override
    public void write(byte[] bytes, Done done) {
      if (pending != null) {
        throw new IllegalStateException("a write is still in flight");
      }
      writes.add(new String(bytes, StandardCharsets.UTF_8));
      if (ready) {
        done.written(failure);
      } else {
        pending = done;
      }
    }

    /** The write in flight is over, as a container thread would say. */
    void complete(Throwable failed) {
      Done done = pending;
      pending = null;
      done.written(failed);
    }

    boolean inFlight() {
      return pending != null;
    }
  }

  AsyncOutput direct(DirectWrites direct, boolean commitAtStart) {
    return new AsyncOutput(async, stream, direct, commitAtStart, failures::add, null, () -> false);
  }

  @Test
  void directWrite_commitsAndNeedsNoFlush() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, true);
    Recorded cb = new Recorded();
    out.write(bytes("retry: 1500\n\n"), cb);
    out.start();

    assertThat(direct.writes).as("the write itself commits").containsExactly("retry: 1500\n\n");
    assertThat(cb.events).containsExactly("succeeded");
  }

  @Test
  void directWrite_commitAtStartWithNothingQueued_sendsTheHeadersWithAnEmptyWrite() {
    DirectWrites direct = new DirectWrites();
    direct(direct, true).start();
    assertThat(direct.writes).containsExactly("");
    assertThat(stream.flushes).isZero();
  }

  @Test
  void directWrite_inFlight_succeedsOnlyOnceItCompletes() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    out.start();
    direct.ready = false;
    Recorded[] three = {new Recorded(), new Recorded(), new Recorded()};
    out.write(bytes("one "), three[0]);
    out.write(bytes("two "), three[1]);
    out.write(bytes("three"), three[2]);
    assertThat(direct.writes).containsExactly("one ");
    assertThat(three[0].events).as("its bytes are still in flight").isEmpty();

    direct.ready = true;
    direct.complete(null);
    assertThat(direct.writes)
        .as("what queued meanwhile goes as one write")
        .containsExactly("one ", "two three");
    assertThat(three[0].events).containsExactly("succeeded");
    assertThat(three[1].events).containsExactly("succeeded");
    assertThat(three[2].events).containsExactly("succeeded");
  }

  @Test
  void directWrite_completedByAnotherThreadDuringTheCall_carriesOnOnThatThread() throws Exception {
    List<Thread> completers = new ArrayList<>();
    AsyncOutput.DirectWrite elsewhere =
        (bytes, done) -> {
          // The container finishes the write on its own thread before this call returns; that
          // thread waits for the output's lock, held by this one.
          Thread t = new Thread(() -> done.written(null));
          completers.add(t);
          t.start();
        };
    AsyncOutput out =
        new AsyncOutput(async, stream, elsewhere, false, failures::add, null, () -> false);
    out.start();
    Recorded first = new Recorded();
    out.write(bytes("one"), first);
    completers.get(0).join(5_000);
    assertThat(first.events).containsExactly("succeeded");
    Recorded second = new Recorded();
    out.write(bytes("two"), second);
    completers.get(1).join(5_000);
    assertThat(second.events).containsExactly("succeeded");
    assertThat(failures).isEmpty();
  }

  @Test
  void directWrite_failingAtOnce_failsTheCallbacksAndCompletesOnce() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    out.start();
    direct.failure = new IOException("reset by peer");
    Recorded cb = new Recorded();
    out.write(bytes("lost"), cb);

    assertThat(cb.events).containsExactly("failed: IOException");
    assertThat(failures).singleElement().isInstanceOf(IOException.class);
    assertThat(completions).hasValue(1);
    assertThat(out.isDone()).isTrue();
  }

  @Test
  void directWrite_failingLater_failsEveryWaitingCallbackAndCompletesOnce() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    out.start();
    direct.ready = false;
    Recorded inFlight = new Recorded();
    Recorded queued = new Recorded();
    out.write(bytes("one"), inFlight);
    out.write(bytes("two"), queued);

    direct.complete(new IOException("reset by peer"));
    assertThat(inFlight.events).containsExactly("failed: IOException");
    assertThat(queued.events).containsExactly("failed: IOException");
    assertThat(failures).singleElement().isInstanceOf(IOException.class);
    assertThat(completions).hasValue(1);
    assertThat(direct.writes).as("nothing written after the failure").containsExactly("one");
  }

  @Test
  void directWrite_endWhileInFlight_completesOnlyOnceTheWriteIsOver() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    out.start();
    direct.ready = false;
    Recorded last = new Recorded();
    out.write(bytes("last words"), last);
    out.end();
    assertThat(completions).hasValue(0);
    assertThat(direct.inFlight()).isTrue();

    direct.complete(null);
    assertThat(last.events).containsExactly("succeeded");
    assertThat(completions).hasValue(1);
  }

  @Test
  void directWrite_completionAfterAbort_isIgnored() {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    out.start();
    direct.ready = false;
    Recorded cb = new Recorded();
    out.write(bytes("one"), cb);
    out.abort();
    assertThat(cb.events).containsExactly("failed: ClosedChannelException");
    assertThat(completions).hasValue(1);

    direct.complete(null);
    assertThat(cb.events).as("told once").containsExactly("failed: ClosedChannelException");
    assertThat(completions).hasValue(1);
    assertThat(failures).isEmpty();
  }

  @Test
  void end_completesOnlyAfterEverythingQueuedIsWrittenAndFlushed() throws Exception {
    AsyncOutput out = output(false);
    out.start();
    stream.ready = false;
    out.write(bytes("last words"), null);
    out.end();
    assertThat(completions).hasValue(0);

    stream.becomeReady();
    assertThat(stream.text()).isEqualTo("last words");
    assertThat(completions).hasValue(1);
    Recorded late = new Recorded();
    out.write(bytes("too late"), late);
    assertThat(late.events).containsExactly("failed: ClosedChannelException");
    assertThat(stream.text()).isEqualTo("last words");
  }

  @Test
  void end_notDoneWithinTheCloseTimeout_dropsTheConnectionFailsWhatIsPendingAndCompletesOnce()
      throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger drops = new AtomicInteger();
      AsyncOutput out = closing(timer, Duration.ofMillis(50), () -> drops.incrementAndGet() > 0);
      out.start();
      stream.ready = false;
      Recorded pending = new Recorded();
      out.write(bytes("never read"), pending);
      out.end();
      assertThat(completions).hasValue(0);

      await().atMost(Duration.ofSeconds(5)).until(out::isDone);
      assertThat(drops).hasValue(1);
      assertThat(completions).hasValue(1);
      assertThat(pending.events).containsExactly("failed: TimeoutException");
      assertThat(failures).singleElement().isInstanceOf(TimeoutException.class);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void end_doneWithinTheCloseTimeout_cancelsTheDeadline() throws Exception {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    timer.setRemoveOnCancelPolicy(true);
    try {
      AtomicInteger drops = new AtomicInteger();
      AsyncOutput out = closing(timer, Duration.ofHours(1), () -> drops.incrementAndGet() > 0);
      out.start();
      stream.ready = false;
      out.write(bytes("read at last"), null);
      out.end();
      assertThat(timer.getQueue()).hasSize(1);

      stream.becomeReady();
      assertThat(completions).hasValue(1);
      assertThat(timer.getQueue()).as("the deadline, cancelled").isEmpty();
      assertThat(drops).hasValue(0);
    } finally {
      timer.shutdownNow();
    }
  }

  /** Counts what the output asks of the connection under it. */
  static final class CountingDrop implements ConnectionAbort.Drop {
    final AtomicInteger drops = new AtomicInteger();
    final AtomicInteger outputEnds = new AtomicInteger();

    @Override
    public boolean drop() {
      drops.incrementAndGet();
      return true;
    }

    @Override
    public boolean endOutput() {
      outputEnds.incrementAndGet();
      return true;
    }
  }

  @Test
  void giveUp_whileBehind_endsTheOutputOnceWrittenAndDropsAtTheCloseTimeout() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      CountingDrop drop = new CountingDrop();
      AsyncOutput out = closing(timer, Duration.ofMillis(300), drop);
      out.start();
      stream.ready = false;
      Recorded backlog = new Recorded();
      out.write(bytes("backlog "), backlog);
      out.write(bytes("closing frame"), null);
      out.giveUp(false);

      // The socket takes the rest: written, yet the client has not read it.
      stream.becomeReady();
      assertThat(stream.text()).isEqualTo("backlog closing frame");
      assertThat(backlog.events).containsExactly("succeeded");
      assertThat(drop.outputEnds).hasValue(1);
      assertThat(completions).as("held").hasValue(0);
      assertThat(drop.drops).hasValue(0);

      await().atMost(Duration.ofSeconds(5)).until(out::isDone);
      assertThat(drop.drops).hasValue(1);
      assertThat(drop.outputEnds).hasValue(1);
      assertThat(completions).hasValue(1);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void giveUp_slowConsumerWithNothingInFlight_isHeldToo() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      CountingDrop drop = new CountingDrop();
      AsyncOutput out = closing(timer, Duration.ofMillis(50), drop);
      out.start();
      out.write(bytes("closing frame"), null);
      out.giveUp(true);
      assertThat(drop.outputEnds).hasValue(1);
      assertThat(completions).hasValue(0);

      await().atMost(Duration.ofSeconds(5)).until(out::isDone);
      assertThat(drop.drops).hasValue(1);
      assertThat(completions).hasValue(1);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void giveUp_notBehind_completesAtOnceLikeEnd() throws Exception {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    timer.setRemoveOnCancelPolicy(true);
    try {
      CountingDrop drop = new CountingDrop();
      AsyncOutput out = closing(timer, Duration.ofHours(1), drop);
      out.start();
      out.write(bytes("closing frame"), null);
      out.giveUp(false);

      assertThat(completions).hasValue(1);
      assertThat(drop.outputEnds).hasValue(0);
      assertThat(drop.drops).hasValue(0);
      assertThat(timer.getQueue()).as("no deadline").isEmpty();
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void giveUp_whereTheConnectionCannotBeReached_completesOnceWritten() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      AsyncOutput out = closing(timer, Duration.ofHours(1), ConnectionAbort.NONE);
      out.start();
      stream.ready = false;
      out.write(bytes("backlog"), null);
      out.giveUp(true);
      assertThat(completions).hasValue(0);

      stream.becomeReady();
      assertThat(completions).as("nothing to reset: closed as before").hasValue(1);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void write_streamFails_failsTheCallbackReportsItAndCompletesOnce() {
    AsyncOutput out = output(false);
    out.start();
    stream.failure = new IOException("Broken pipe");
    Recorded cb = new Recorded();
    out.write(bytes("x"), cb);
    assertThat(cb.events).containsExactly("failed: IOException");
    assertThat(failures).singleElement().isSameAs(stream.failure);
    assertThat(completions).hasValue(1);
    assertThat(out.isDone()).isTrue();

    out.abort();
    out.containerFailed();
    assertThat(completions).hasValue(1);
  }

  @Test
  void containerCompleted_neverTouchesStreamOrContextAgain() {
    AsyncOutput out = output(false);
    out.start();
    stream.ready = false;
    Recorded pending = new Recorded();
    out.write(bytes("x"), pending);

    out.containerCompleted();
    assertThat(pending.events).containsExactly("failed: ClosedChannelException");
    stream.ready = true;
    out.onWritePossible();
    out.end();
    out.abort();
    assertThat(stream.text()).isEmpty();
    assertThat(completions).hasValue(0);
    assertThat(
            out.ifLive(
                () -> {
                  throw new AssertionError("a finished response was touched");
                }))
        .isFalse();
  }

  @Test
  void abort_dropsWhatIsUnwrittenAndCompletes() {
    AsyncOutput out = output(false);
    out.start();
    stream.ready = false;
    Recorded cb = new Recorded();
    out.write(bytes("never"), cb);
    out.abort();
    assertThat(cb.events).containsExactly("failed: ClosedChannelException");
    assertThat(completions).hasValue(1);
    assertThat(stream.text()).isEmpty();
  }
}
