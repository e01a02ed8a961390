package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SocketSinkTest {
  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final List<jakarta.websocket.CloseReason> closes = new CopyOnWriteArrayList<>();
  private final ExecutorService network = Executors.newSingleThreadExecutor();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();

  @AfterEach
  void stopNetwork() {
    network.shutdownNow();
  }

  /** A session whose async remote hands each send to {@code sender}. */
  private Session session(BiConsumer<String, SendHandler> sender) {
    RemoteEndpoint.Async remote =
        (RemoteEndpoint.Async)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("sendText") && args.length == 2) {
                    sender.accept((String) args[0], (SendHandler) args[1]);
                  } else if (method.getName().equals("sendPing")) {
                    sent.add("ping");
                  }
                  return null;
                });
    return (Session)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Session.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getAsyncRemote" -> remote;
                  case "isOpen" -> closes.isEmpty();
                  case "getId" -> "s1";
                  case "close" -> {
                    closes.add((jakarta.websocket.CloseReason) args[0]);
                    yield null;
                  }
                  default -> null;
                });
  }

  /**
   * A sink whose every send is recorded and stays in flight until the test completes it through
   * {@code held}, the handler of the latest send.
   */
  private SocketSink holdingSink(AtomicReference<SendHandler> held, Executor closer) {
    return new SocketSink(
        session(
            (text, handler) -> {
              sent.add(text);
              held.set(handler);
            }),
        closer);
  }

  private static List<Frame> frames(int n) {
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      frames.add(new Frame(Frame.Type.MESSAGE, null, body, null, null));
    }
    return frames;
  }

  private static final class Outcome implements FrameSink.WriteCallback {
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicReference<Throwable> failed = new AtomicReference<>();
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void succeeded() {
      calls.incrementAndGet();
      succeeded.incrementAndGet();
    }

    @Override
    public void failed(Throwable cause) {
      calls.incrementAndGet();
      failed.set(cause);
    }
  }

  // The Jakarta WebSocket 2.2 classes Tomcat puts on the test classpath deprecate these
  // constructors; the 2.1 API the module compiles against has no others.
  @SuppressWarnings("deprecation")
  private static SendResult ok() {
    return new SendResult();
  }

  @SuppressWarnings("deprecation")
  private static SendResult failed(Throwable cause) {
    return new SendResult(cause);
  }

  @Test
  void write_sendsCompletingInline_sendsAllInOrderWithoutDeepRecursion() {
    SocketSink sink =
        new SocketSink(
            session(
                (text, handler) -> {
                  sent.add(text);
                  handler.onResult(ok());
                }),
            Runnable::run);
    Outcome outcome = new Outcome();

    sink.write(frames(50_000), outcome);

    assertThat(outcome.succeeded).hasValue(1);
    assertThat(outcome.calls).hasValue(1);
    assertThat(sent).hasSize(50_000);
    assertThat(sent.get(49_999)).isEqualTo("{\"n\":49999}");
    assertThat(sink.writeStartedNanos()).isZero();
  }

  @Test
  void write_sendsCompletingOnAnotherThread_keepsOneSendInFlight() {
    SocketSink sink =
        new SocketSink(
            session(
                (text, handler) -> {
                  maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                  network.execute(
                      () -> {
                        sent.add(text);
                        inFlight.decrementAndGet();
                        handler.onResult(ok());
                      });
                }),
            Runnable::run);
    Outcome outcome = new Outcome();

    sink.write(frames(500), outcome);
    assertThat(sink.writeStartedNanos()).isNotZero();

    await().atMost(Duration.ofSeconds(5)).until(() -> outcome.calls.get() == 1);
    assertThat(outcome.succeeded).hasValue(1);
    assertThat(maxInFlight).hasValue(1);
    assertThat(sent).hasSize(500).startsWith("{\"n\":0}", "{\"n\":1}").endsWith("{\"n\":499}");
  }

  @Test
  void write_failingSend_failsTheWriteOnceAndSendsNothingAfterIt() {
    SocketSink sink =
        new SocketSink(
            session(
                (text, handler) -> {
                  sent.add(text);
                  handler.onResult(sent.size() == 3 ? failed(new IOException("reset")) : ok());
                }),
            Runnable::run);
    Outcome outcome = new Outcome();

    sink.write(frames(10), outcome);

    assertThat(outcome.calls).hasValue(1);
    assertThat(outcome.failed.get()).hasMessage("reset");
    assertThat(sent).hasSize(3);
  }

  @Test
  void write_sendThatThrows_failsTheWrite() {
    SocketSink sink =
        new SocketSink(
            session(
                (text, handler) -> {
                  throw new IllegalStateException("session closed");
                }),
            Runnable::run);
    Outcome outcome = new Outcome();

    sink.write(frames(2), outcome);

    assertThat(outcome.calls).hasValue(1);
    assertThat(outcome.failed.get()).hasMessage("session closed");
  }

  @Test
  void write_afterClose_stopsTheBatchAtTheNextFrame() {
    AtomicReference<SendHandler> held = new AtomicReference<>();
    SocketSink sink = holdingSink(held, Runnable::run);
    Outcome outcome = new Outcome();
    sink.write(frames(5), outcome);

    sink.close(CloseReason.SLOW_CONSUMER);
    held.get().onResult(ok());

    assertThat(sent).hasSize(1);
    assertThat(outcome.failed.get()).isInstanceOf(IOException.class);
  }

  @Test
  void ping_noWriteInFlight_isSentAtOnceAndNotOwed() {
    SocketSink sink = new SocketSink(session((t, h) -> {}), Runnable::run);

    assertThat(sink.pingAfterMessage()).isFalse();
    assertThat(sent).isEmpty();
    sink.ping();

    assertThat(sent).containsExactly("ping");
  }

  @Test
  void ping_messageInFlight_goesRightAfterItBeforeTheNextMessage() {
    AtomicReference<SendHandler> held = new AtomicReference<>();
    List<Runnable> workers = new ArrayList<>();
    SocketSink sink = holdingSink(held, workers::add);
    List<String> sentAtCallback = new ArrayList<>();
    FrameSink.WriteCallback callback =
        new FrameSink.WriteCallback() {
          @Override
          public void succeeded() {
            sentAtCallback.addAll(sent);
          }

          @Override
          public void failed(Throwable cause) {
            sentAtCallback.add("failed: " + cause);
          }
        };
    sink.write(frames(3), callback);

    assertThat(sink.pingAfterMessage()).isTrue();
    assertThat(sent).as("no ping beside a message in flight").containsExactly("{\"n\":0}");
    held.get().onResult(ok());
    assertThat(sent).as("the next message waits for the ping").containsExactly("{\"n\":0}");
    assertThat(workers).as("the blocking ping goes to a worker").hasSize(1);
    assertThat(sink.writeStartedNanos()).as("the send timeout covers the ping").isNotZero();
    workers.remove(0).run();
    assertThat(sent).containsExactly("{\"n\":0}", "ping", "{\"n\":1}");

    // Asked for while the batch's last message is in flight: the write ends, and the ping goes
    // before the next write's first message.
    held.get().onResult(ok());
    assertThat(sink.pingAfterMessage()).isTrue();
    held.get().onResult(ok());
    assertThat(workers).isEmpty();
    assertThat(sentAtCallback).containsExactly("{\"n\":0}", "ping", "{\"n\":1}", "{\"n\":2}");
    assertThat(sink.writeStartedNanos()).isZero();

    sentAtCallback.clear();
    sink.write(frames(1), callback);
    assertThat(workers).hasSize(1);
    workers.remove(0).run();
    held.get().onResult(ok());
    assertThat(sentAtCallback).endsWith("{\"n\":2}", "ping", "{\"n\":0}");

    // Owed once: the next write goes without a ping of its own.
    sink.write(frames(1), callback);
    held.get().onResult(ok());
    assertThat(workers).isEmpty();
    assertThat(sent).hasSize(7).endsWith("ping", "{\"n\":0}", "{\"n\":0}");
  }

  @Test
  void ping_writeInFlightThatFails_isNotSentAndTheFailureIsReported() {
    AtomicReference<SendHandler> held = new AtomicReference<>();
    List<Runnable> workers = new ArrayList<>();
    SocketSink sink = holdingSink(held, workers::add);
    Outcome outcome = new Outcome();
    sink.write(frames(1), outcome);

    assertThat(sink.pingAfterMessage()).isTrue();
    held.get().onResult(failed(new IOException("reset")));

    assertThat(workers).isEmpty();
    assertThat(outcome.failed.get()).hasMessage("reset");
    assertThat(sent).containsExactly("{\"n\":0}");
  }

  @Test
  void close_sendsACloseFrameNamingTheReasonOnlyOnce() {
    List<Runnable> closer = new ArrayList<>();
    SocketSink sink = new SocketSink(session((t, h) -> {}), closer::add);

    sink.close(CloseReason.SLOW_CONSUMER);
    sink.close(CloseReason.SHUTDOWN);
    assertThat(closes).as("closes run on the closer, not the caller").isEmpty();
    closer.forEach(Runnable::run);

    assertThat(closer).hasSize(1);
    assertThat(closes).hasSize(1);
    assertThat(closes.get(0).getCloseCode().getCode()).isEqualTo(4000);
    assertThat(closes.get(0).getReasonPhrase()).isEqualTo("slow_consumer");
  }

  @Test
  void close_afterThePeerClosed_sendsNothing() {
    SocketSink sink = new SocketSink(session((t, h) -> {}), Runnable::run);

    sink.peerClosed();
    sink.close(CloseReason.CLIENT_GONE);

    assertThat(closes).isEmpty();
  }

  @Test
  void closeCodes_followTheReason() {
    assertThat(SocketCloseReasons.closeCode(CloseReason.SHUTDOWN).getCode()).isEqualTo(1001);
    assertThat(SocketCloseReasons.closeCode(SocketCloseReasons.IDLE_TIMEOUT).getCode())
        .isEqualTo(1001);
    assertThat(SocketCloseReasons.closeCode(SocketCloseReasons.RATE_LIMITED).getCode())
        .isEqualTo(1008);
    assertThat(SocketCloseReasons.closeCode(CloseReason.SLOW_CONSUMER).getCode()).isEqualTo(4000);
    assertThat(SocketCloseReasons.closeCode(SocketCloseReasons.BINARY_FRAME).getCode())
        .isEqualTo(1003);
    assertThat(SocketCloseReasons.closeCode(SocketCloseReasons.TOO_LARGE).getCode())
        .isEqualTo(1009);
    assertThat(SocketCloseReasons.closeCode(CloseReason.UNAVAILABLE).getCode()).isEqualTo(1013);
    assertThat(SocketCloseReasons.closeCode(new CloseReason("odd", "x")).getCode()).isEqualTo(1011);
  }
}
