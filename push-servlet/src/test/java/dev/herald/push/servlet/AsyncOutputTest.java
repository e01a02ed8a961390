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
  void steadyDirectWrites_askIsReadyOncePerWrite() {
    DirectWrites direct = new DirectWrites();
    int asked = questionsForTenWrites(direct(direct, false));
    assertThat(direct.writes).hasSize(10);
    assertThat(asked).isEqualTo(10);
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

  /** An unbuffered write, under the same contract as the stream's own. */
  final class DirectWrites implements AsyncOutput.DirectWrite {
    final List<String> writes = new ArrayList<>();

    @Override
    public void write(byte[] bytes) throws IOException {
      String text = new String(bytes, StandardCharsets.UTF_8);
      writes.add(text);
      stream.take(text);
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

    assertThat(direct.writes).containsExactly("retry: 1500\n\n");
    assertThat(stream.text()).isEqualTo("retry: 1500\n\n");
    assertThat(stream.flushes).as("the write itself commits the response").isZero();
    assertThat(cb.events).containsExactly("succeeded");
  }

  @Test
  void directWrite_inFlight_succeedsOnlyOnceTheContainerIsReadyAgain() throws Exception {
    DirectWrites direct = new DirectWrites();
    AsyncOutput out = direct(direct, false);
    Recorded[] three = writeThreeWhileNotReady(out);
    Recorded first = three[0];
    assertThat(direct.writes).containsExactly("one ");
    assertThat(first.events).as("its bytes are still in flight").isEmpty();

    stream.becomeReady();
    assertThat(direct.writes)
        .as("what queued meanwhile goes as one write")
        .containsExactly("one ", "two three");
    assertThat(first.events).containsExactly("succeeded");
    assertThat(three[1].events).containsExactly("succeeded");
    assertThat(three[2].events).containsExactly("succeeded");
    assertThat(stream.flushes).isZero();
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
      AsyncOutput out =
          new AsyncOutput(
              async,
              stream,
              null,
              false,
              failures::add,
              new ConnectionAbort(timer, Duration.ofMillis(50)),
              () -> drops.incrementAndGet() > 0);
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
      AsyncOutput out =
          new AsyncOutput(
              async,
              stream,
              null,
              false,
              failures::add,
              new ConnectionAbort(timer, Duration.ofHours(1)),
              () -> drops.incrementAndGet() > 0);
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
